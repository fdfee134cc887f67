/**
 * RECORD verification: every file in the wheel is listed, every listed file is in the wheel,
 * and every installed file's bytes match its listed hash and size. pip and uv skip this;
 * wheelwright does it by default (installWheel's `verifyRecord: false` opts out).
 */
import { readFile } from "node:fs/promises";
import type { ArchiveEntry, ExtractedFile } from "../archive/types.js";
import { WheelwrightError } from "../errors.js";
import { digestWith, mayBeUnhashed, splitRecordHash, type RecordRow } from "./record.js";

const HINT = "The wheel was modified after it was built, or built wrongly. Rebuild it, or if you trust it turn the check off for this package: [tool.wheelwright.packages.<name>] verify-record = false.";

function recordError(wheel: string, pkg: string, message: string, details?: Record<string, unknown>): WheelwrightError {
  return new WheelwrightError("ERR_WW_WHEEL_RECORD", `${wheel}: ${message}`, { file: wheel, package: pkg, hint: HINT, ...(details ? { details } : {}) });
}

function listSome(items: string[]): string {
  const shown = items.slice(0, 5).join(", ");
  return items.length > 5 ? `${shown} and ${items.length - 5} more` : shown;
}

/** Checks the listing both ways and the hash presence; returns archive name → RECORD row. */
export function verifyListing(wheel: string, distInfo: string, files: readonly ArchiveEntry[], rows: readonly RecordRow[], pkg: string): Map<string, RecordRow> {
  const byPath = new Map<string, RecordRow>();
  for (const row of rows) byPath.set(row.path, row);
  const inArchive = new Set(files.map((f) => f.name));
  const unlisted = files.map((f) => f.name).filter((n) => !byPath.has(n) && !mayBeUnhashedSelf(n, distInfo));
  if (unlisted.length > 0) throw recordError(wheel, pkg, `files not listed in ${distInfo}/RECORD: ${listSome(unlisted)}`, { unlisted });
  const missing = rows.map((r) => r.path).filter((p) => !p.endsWith("/") && !inArchive.has(p));
  if (missing.length > 0) throw recordError(wheel, pkg, `${distInfo}/RECORD lists files the wheel does not contain: ${listSome(missing)}`, { missing });
  for (const row of rows) {
    if (row.path.endsWith("/")) continue;
    if (row.hash === "") {
      if (!mayBeUnhashed(row.path, distInfo)) throw recordError(wheel, pkg, `${distInfo}/RECORD lists ${row.path} without a hash`);
      continue;
    }
    if (splitRecordHash(row.hash) === undefined) {
      throw recordError(wheel, pkg, `${distInfo}/RECORD has an unusable hash ${JSON.stringify(row.hash)} for ${row.path} (sha256 or stronger, urlsafe base64)`);
    }
    if (row.size !== "" && !/^\d+$/.test(row.size)) throw recordError(wheel, pkg, `${distInfo}/RECORD has an invalid size ${JSON.stringify(row.size)} for ${row.path}`);
  }
  return byPath;
}

/** RECORD need not list its own signature files (they are made after RECORD). */
function mayBeUnhashedSelf(name: string, distInfo: string): boolean {
  return name === `${distInfo}/RECORD.jws` || name === `${distInfo}/RECORD.p7s`;
}

/** Compares what was written against RECORD. */
export async function verifyExtracted(wheel: string, extracted: readonly ExtractedFile[], listed: ReadonlyMap<string, RecordRow>, pkg: string): Promise<void> {
  for (const file of extracted) {
    const row = listed.get(file.name);
    if (row === undefined || row.hash === "") continue;
    const expected = splitRecordHash(row.hash)!;
    const actual = expected.algorithm === "sha256" ? file.sha256 : digestWith(expected.algorithm, await readFile(file.dest));
    if (!actual.equals(expected.digest)) {
      throw recordError(wheel, pkg, `${file.name} does not match its RECORD hash (${row.hash}, actual ${expected.algorithm}=${actual.toString("base64url")})`);
    }
    if (row.size !== "" && Number(row.size) !== file.size) {
      throw recordError(wheel, pkg, `${file.name} is ${file.size} bytes, but RECORD says ${row.size}`);
    }
  }
}
