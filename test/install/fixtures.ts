// Test-local helpers: the interpreter to install for, and a builder of small synthetic wheels
// (RECORD computed with node's crypto, independently of the installer's code).
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeInterpreter } from "../../src/python/probe.js";
import type { Interpreter } from "../../src/python/types.js";
import { buildZipAsync, type ZipEntrySpec } from "../helpers/archive-builder.js";
import { CORPUS_PYTHON } from "../helpers/repack.js";

let cached: Promise<Interpreter> | undefined;
export function testInterpreter(): Promise<Interpreter> {
  cached ??= probeInterpreter(CORPUS_PYTHON, { cacheDir: false });
  return cached;
}

export function tempDir(prefix = "ww-install-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface WheelSpec {
  name?: string;
  version?: string;
  /** Root-relative files of the wheel (dist-info files are added unless given). */
  files?: Record<string, string | Buffer | { data: string | Buffer; mode: number }>;
  wheelVersion?: string;
  metadataName?: string;
  metadataVersion?: string;
  entryPoints?: string;
  /** Transform the RECORD rows before writing (to make broken wheels). */
  record?: (rows: string[]) => string[];
  /** Extra raw zip entries added after RECORD (not listed in it). */
  unlisted?: ZipEntrySpec[];
  filename?: string;
}

export function b64(data: Buffer): string {
  return createHash("sha256").update(data).digest("base64url");
}

/** Writes a wheel into dir and returns its path. */
export async function makeWheel(dir: string, spec: WheelSpec = {}): Promise<string> {
  const name = spec.name ?? "demo_pkg";
  const version = spec.version ?? "1.0";
  const distInfo = `${name}-${version}.dist-info`;
  const files: Record<string, string | Buffer | { data: string | Buffer; mode: number }> = {
    [`${distInfo}/METADATA`]: `Metadata-Version: 2.1\nName: ${spec.metadataName ?? name.replaceAll("_", "-")}\nVersion: ${spec.metadataVersion ?? version}\n`,
    [`${distInfo}/WHEEL`]: `Wheel-Version: ${spec.wheelVersion ?? "1.0"}\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n`,
    ...(spec.entryPoints === undefined ? {} : { [`${distInfo}/entry_points.txt`]: spec.entryPoints }),
    ...(spec.files ?? {}),
  };
  const entries: ZipEntrySpec[] = [];
  const rows: string[] = [];
  for (const [path, value] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const raw = typeof value === "string" || Buffer.isBuffer(value) ? value : value.data;
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const mode = typeof value === "object" && !Buffer.isBuffer(value) ? value.mode : 0o644;
    entries.push({ name: path, data, mode, method: "auto" });
    rows.push(`${path},sha256=${b64(data)},${data.length}`);
  }
  rows.push(`${distInfo}/RECORD,,`);
  const finalRows = spec.record ? spec.record(rows) : rows;
  entries.push({ name: `${distInfo}/RECORD`, data: Buffer.from(finalRows.join("\n") + "\n"), method: "auto" });
  entries.push(...(spec.unlisted ?? []));
  const path = join(dir, spec.filename ?? `${name}-${version}-py3-none-any.whl`);
  writeFileSync(path, await buildZipAsync(entries));
  return path;
}
