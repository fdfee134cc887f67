/**
 * direct_url.json (PEP 610): written only for installs from a URL, VCS, local directory or
 * editable source, never for index installs. Serialized like pip (`json.dumps(d,
 * sort_keys=True)`: sorted keys, ", " and ": " separators) so the bytes are stable.
 */
import { WheelwrightError } from "../errors.js";

export type DirectUrl = Record<string, unknown>;

/** Checks the shape PEP 610 requires: a `url` and exactly one of archive_info, vcs_info, dir_info. */
export function validateDirectUrl(value: unknown): DirectUrl {
  const fail = (why: string): never => {
    throw new WheelwrightError("ERR_WW_USAGE", `Invalid direct_url (PEP 610): ${why}`, {
      hint: 'Pass e.g. { url: "file:///path/pkg.whl", archive_info: {} }.',
    });
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("it must be an object");
  const record = value as DirectUrl;
  if (typeof record.url !== "string" || record.url === "") fail("it needs a non-empty string `url`");
  const kinds = ["archive_info", "vcs_info", "dir_info"].filter((k) => k in record);
  if (kinds.length !== 1) fail(`it needs exactly one of archive_info, vcs_info, dir_info (found ${kinds.length})`);
  const info = record[kinds[0]!];
  if (typeof info !== "object" || info === null || Array.isArray(info)) fail(`${kinds[0]} must be an object`);
  if (kinds[0] === "vcs_info" && typeof (info as DirectUrl).vcs !== "string") fail("vcs_info needs a string `vcs`");
  return record;
}

/** Python's `json.dumps(value, sort_keys=True)` (ensure_ascii on, default separators). */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("pythonJson: non-finite number");
    return Number.isInteger(value) ? String(value) : String(value);
  }
  if (typeof value === "string") return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(", ")}}`;
}

export function directUrlJson(value: unknown): string {
  return pythonJson(validateDirectUrl(value));
}
