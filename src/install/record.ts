/**
 * RECORD files (recording installed projects): a CSV of `path,hash,size` rows, read with the
 * quoting rules of Python's `csv` module and written the way pip writes them (sorted rows,
 * minimal quoting, `\r\n` line ends) so a regenerated RECORD looks like any other.
 */
import { createHash } from "node:crypto";
import { WheelwrightError } from "../errors.js";

export interface RecordRow {
  path: string;
  /** `algorithm=urlsafe-b64-nopad digest`, or "" when unhashed. */
  hash: string;
  /** Size in bytes as written, or "" when not given. */
  size: string;
}

/** Parses RECORD text (Python `csv` dialect "excel": `"` quoting with `""` escapes). */
export function parseRecord(text: string, where: { file: string; package?: string }): RecordRow[] {
  const rows: RecordRow[] = [];
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const fail = (message: string): never => {
    throw new WheelwrightError("ERR_WW_WHEEL_RECORD", `${where.file}:${rowLine}: ${message}`, {
      file: where.file,
      line: rowLine,
      ...(where.package === undefined ? {} : { package: where.package }),
      hint: "The wheel's RECORD is not valid CSV; rebuild the wheel, or set [tool.wheelwright.packages.<name>] verify-record = false.",
    });
  };
  while (i < text.length) {
    rowLine = line;
    const fields: string[] = [];
    let field = "";
    let atLineEnd = false;
    while (!atLineEnd) {
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) fail("unterminated quoted field");
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (text[i] === "\n") line++;
          field += text[i++];
        }
      }
      while (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") field += text[i++];
      fields.push(field);
      field = "";
      if (text[i] === ",") i++;
      else {
        if (text[i] === "\r") i++;
        if (text[i] === "\n") i++;
        atLineEnd = true;
      }
    }
    if (!(fields.length === 1 && fields[0] === "")) {
      if (fields.length < 1 || fields.length > 3) fail(`expected "path,hash,size", got ${fields.length} fields`);
      rows.push({ path: fields[0]!, hash: fields[1] ?? "", size: fields[2] ?? "" });
    }
    line++;
  }
  return rows;
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/** RECORD text for rows, sorted by path like pip writes it. */
export function formatRecord(rows: readonly RecordRow[]): string {
  const sorted = [...rows].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sorted.map((r) => `${quote(r.path)},${quote(r.hash)},${quote(r.size)}\r\n`).join("");
}

/** `sha256=<urlsafe base64, no padding>` of a digest. */
export function recordHash(sha256: Buffer): string {
  return `sha256=${sha256.toString("base64url")}`;
}

/** Hash algorithms a RECORD may use (the spec forbids md5 and sha1). */
const ACCEPTED = new Set(["sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s"]);
const NODE_NAMES: Record<string, string> = {
  sha3_256: "sha3-256",
  sha3_384: "sha3-384",
  sha3_512: "sha3-512",
  blake2b: "blake2b512",
  blake2s: "blake2s256",
};

/** Splits `algo=digest`; undefined algorithm when the value is malformed or weak. */
export function splitRecordHash(hash: string): { algorithm: string; digest: Buffer } | undefined {
  const eq = hash.indexOf("=");
  if (eq <= 0) return undefined;
  const algorithm = hash.slice(0, eq).toLowerCase();
  if (!ACCEPTED.has(algorithm)) return undefined;
  const text = hash.slice(eq + 1);
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return undefined;
  return { algorithm, digest: Buffer.from(text.replace(/=+$/, ""), "base64url") };
}

/** Digest of data with a RECORD algorithm name (for the rare non-sha256 RECORD). */
export function digestWith(algorithm: string, data: Buffer): Buffer {
  return createHash(NODE_NAMES[algorithm] ?? algorithm).update(data).digest();
}

/** Files the spec lets RECORD list without a hash. */
export function mayBeUnhashed(path: string, distInfo: string): boolean {
  return (
    path === `${distInfo}/RECORD` ||
    path === `${distInfo}/RECORD.jws` ||
    path === `${distInfo}/RECORD.p7s` ||
    path.endsWith(".pyc")
  );
}
