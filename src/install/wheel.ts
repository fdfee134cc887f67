/**
 * Installs one wheel into a prefix layout (`lib/pythonX.Y/site-packages`, `bin`, `include`,
 * `share`…) under `outDir`, following the binary distribution format and "recording
 * installed projects": checks first (WHEEL, METADATA, RECORD listing), then extraction with
 * hashes computed while writing, then scripts, metadata files, bytecode, and a regenerated
 * RECORD last.
 *
 * `outDir` is expected to be a fresh temporary directory that the caller renames into place
 * (`finalPrefix`) on success and deletes on failure: on error its contents are unspecified.
 * Every file mode is set explicitly (0644 / 0755), so the tree doesn't depend on the umask.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join, posix, relative, sep } from "node:path";
import { createHash } from "node:crypto";
import { openZip, type ZipArchive } from "../archive/zip.js";
import { WheelwrightError } from "../errors.js";
import type { Events } from "../events/emitter.js";
import { parseWheelFilename } from "../pep/filenames.js";
import type { Interpreter } from "../python/types.js";
import { compileAll, type CompileResult } from "./bytecode.js";
import { directUrlJson } from "./direct-url.js";
import { formatRecord, parseRecord, recordHash, type RecordRow } from "./record.js";
import { verifyListing, verifyExtracted } from "./record-check.js";
import { mapDataEntry, prefixLayout } from "./scheme.js";
import { isEntryPointWrapper, parseScriptEntryPoints, rewriteScriptShebang, scriptText, type EntryPoint } from "./scripts.js";
import { checkMetadata, checkWheelFile, findDistInfo } from "./wheel-info.js";

export interface InstallWheelOptions {
  interpreter: Interpreter;
  /** Check every file against RECORD (default true); false is the per-package opt-out for broken wheels. */
  verifyRecord?: boolean;
  /** Byte-compile the installed modules (default true). */
  compileBytecode?: boolean;
  /** PEP 610 dict, written as direct_url.json only when given (never for index installs). */
  directUrl?: object | null;
  /** Write REQUESTED (the user asked for this package, not a dependency). */
  requested?: boolean;
  /** The wheel's file name when `wheelPath` is named otherwise (a store path has a hash prefix). */
  filename?: string;
  /** Where outDir will live after the caller renames it: recorded in bytecode as source paths. */
  finalPrefix?: string;
  events?: Events;
}

export interface InstallResult {
  /** Project name as METADATA spells it. */
  name: string;
  version: string;
  /** The .dist-info directory, relative to outDir. */
  distInfo: string;
  /** Number of files installed (RECORD rows, RECORD itself included). */
  files: number;
  /** Prefix-relative paths of everything put in bin/ (copied and generated). */
  scripts: string[];
  /** What bytecode compilation did (absent when compileBytecode is false). */
  bytecode?: CompileResult;
}

/** Installer-written dist-info files: never taken from the wheel. */
const GENERATED_INFO = ["RECORD", "INSTALLER", "REQUESTED", "direct_url.json"];

interface Planned {
  /** Prefix-relative posix path. */
  dest: string;
  script: boolean;
}

async function writeFileMode(path: string, data: Buffer | string, mode: number): Promise<Buffer> {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  await writeFile(path, bytes);
  await chmod(path, mode);
  return bytes;
}

function sha256(data: Buffer): Buffer {
  return createHash("sha256").update(data).digest();
}

export async function installWheel(wheelPath: string, outDir: string, options: InstallWheelOptions): Promise<InstallResult> {
  const wheelFile = options.filename ?? basename(wheelPath);
  const filename = parseWheelFilename(wheelFile);
  const zip = await openZip(wheelPath);
  try {
    return await installFromZip(zip, wheelPath, wheelFile, filename, outDir, options);
  } finally {
    zip.close();
  }
}

/** Files are written with these modes by the archive layer; chmod only when umask strips bits. */
const UMASK_KEEPS_MODES = (process.umask() & ~0o022) === 0;

async function installFromZip(zip: ZipArchive, wheelPath: string, wheelFile: string, filename: ReturnType<typeof parseWheelFilename>, outDir: string, options: InstallWheelOptions): Promise<InstallResult> {
  const { interpreter, events } = options;
  const verify = options.verifyRecord ?? true;
  const pkg = filename.name;
  const entries = zip.entries;
  const link = entries.find((e) => e.type === "symlink");
  if (link !== undefined) {
    throw new WheelwrightError("ERR_WW_UNSAFE_ARCHIVE", `${wheelPath}: entry ${link.name} is a symlink; wheels may not contain symlinks`, {
      file: wheelPath,
      package: pkg,
      hint: "The wheel is malformed or malicious; it was not installed.",
    });
  }
  const files = entries.filter((e) => e.type === "file");
  const names = new Set(files.map((e) => e.name));
  const distInfo = findDistInfo(wheelPath, files.map((e) => e.name), filename);
  const read = async (member: string) => (await zip.read(`${distInfo}/${member}`)).toString("utf8");
  const optional = async (member: string) => (names.has(`${distInfo}/${member}`) ? read(member) : undefined);

  for (const required of ["WHEEL", "METADATA"]) {
    if (!names.has(`${distInfo}/${required}`)) {
      throw new WheelwrightError("ERR_WW_WHEEL_INVALID", `${wheelPath}: ${distInfo}/${required} is missing`, { file: wheelPath, package: pkg, hint: "The wheel is incomplete; rebuild it." });
    }
  }
  checkWheelFile(wheelPath, distInfo, await read("WHEEL"), events, pkg);
  const { name, version } = checkMetadata(wheelPath, distInfo, await read("METADATA"), filename);

  const recordText = await optional("RECORD");
  if (recordText === undefined && verify) {
    throw new WheelwrightError("ERR_WW_WHEEL_RECORD", `${wheelPath}: ${distInfo}/RECORD is missing`, {
      file: wheelPath,
      package: pkg,
      hint: "Every wheel must carry a RECORD; rebuild it, or set [tool.wheelwright.packages.<name>] verify-record = false.",
    });
  }
  const rows = recordText === undefined ? [] : parseRecord(recordText, { file: `${wheelPath}!${distInfo}/RECORD`, package: pkg });
  const listed = verify ? verifyListing(wheelPath, distInfo, files, rows, pkg) : undefined;

  const epText = await optional("entry_points.txt");
  const entryPoints: EntryPoint[] = epText === undefined ? [] : parseScriptEntryPoints(epText, { file: `${distInfo}/entry_points.txt`, package: pkg });

  const layout = prefixLayout(interpreter, wheelFile.split("-", 1)[0]!.replaceAll("_", "-"));
  const generatedInfo = new Set(GENERATED_INFO.map((f) => `${distInfo}/${f}`));
  const plan = new Map<string, Planned>();
  for (const entry of files) {
    if (generatedInfo.has(entry.name)) continue;
    const slash = entry.name.indexOf("/");
    const top = slash < 0 ? entry.name : entry.name.slice(0, slash);
    if (slash > 0 && top.endsWith(".data")) {
      const mapped = mapDataEntry(layout, wheelPath, entry.name, entry.name.slice(slash + 1));
      if (mapped.key === "scripts" && isEntryPointWrapper(posix.basename(mapped.path), entryPoints)) continue;
      plan.set(entry.name, { dest: mapped.path, script: mapped.key === "scripts" });
    } else {
      plan.set(entry.name, { dest: `${layout.sitePackages}/${entry.name}`, script: false });
    }
  }

  const extracted = await zip.extract(outDir, { map: (entry) => (entry.type === "file" ? (plan.get(entry.name)?.dest ?? null) : null) });
  if (listed !== undefined) await verifyExtracted(wheelPath, extracted, listed, pkg);

  // Installed files: prefix-relative path → (digest, size).
  const installed = new Map<string, { sha256: Buffer; size: number }>();
  const scripts: string[] = [];
  for (const file of extracted) {
    const planned = plan.get(file.name)!;
    const abs = file.dest;
    if (planned.script) {
      const content = await readFile(abs);
      const rewritten = rewriteScriptShebang(content, interpreter.executable);
      const bytes = rewritten === undefined ? content : await writeFileMode(abs, rewritten, 0o755);
      await chmod(abs, 0o755);
      installed.set(planned.dest, { sha256: rewritten === undefined ? file.sha256 : sha256(bytes), size: bytes.length });
      scripts.push(planned.dest);
    } else {
      if (!UMASK_KEEPS_MODES) await chmod(abs, file.executable ? 0o755 : 0o644);
      installed.set(planned.dest, { sha256: file.sha256, size: file.size });
    }
  }

  if (entryPoints.length > 0) await mkdir(join(outDir, layout.scripts), { recursive: true });
  for (const entry of entryPoints) {
    const dest = `${layout.scripts}/${entry.name}`;
    if (installed.has(dest)) {
      throw new WheelwrightError("ERR_WW_WHEEL_INVALID", `${wheelPath}: entry point script ${entry.name} clashes with a file the wheel installs at ${dest}`, {
        file: wheelPath,
        package: pkg,
        hint: "Rename the entry point or the .data script; the wheel is malformed.",
      });
    }
    const bytes = await writeFileMode(join(outDir, dest), scriptText(entry, interpreter.executable), 0o755);
    installed.set(dest, { sha256: sha256(bytes), size: bytes.length });
    scripts.push(dest);
  }

  const infoDir = `${layout.sitePackages}/${distInfo}`;
  const writeInfo = async (member: string, content: string) => {
    const bytes = await writeFileMode(join(outDir, infoDir, member), content, 0o644);
    installed.set(`${infoDir}/${member}`, { sha256: sha256(bytes), size: bytes.length });
  };
  await mkdir(join(outDir, infoDir), { recursive: true });
  await writeInfo("INSTALLER", "wheelwright\n");
  if (options.requested) await writeInfo("REQUESTED", "");
  if (options.directUrl !== undefined && options.directUrl !== null) await writeInfo("direct_url.json", directUrlJson(options.directUrl));

  let bytecode: CompileResult | undefined;
  if (options.compileBytecode ?? true) {
    const sources = [...installed.keys()].filter((p) => p.endsWith(".py") && p.startsWith(`${layout.sitePackages}/`)).sort();
    const finalPrefix = options.finalPrefix ?? outDir;
    bytecode = await compileAll(
      interpreter,
      sources.map((p) => ({ path: join(outDir, p), displayPath: join(finalPrefix, p) })),
    );
    for (const { pyc } of bytecode.compiled) {
      const bytes = await readFile(pyc);
      installed.set(relative(outDir, pyc).split(sep).join("/"), { sha256: sha256(bytes), size: bytes.length });
    }
    for (const failure of bytecode.failed) {
      events?.emit({ type: "log", level: "debug", package: pkg, message: `not byte-compiled (${failure.message}): ${failure.source}` });
    }
  }

  const siteAbs = posix.join("/", layout.sitePackages);
  const recordRows: RecordRow[] = [...installed].map(([path, info]) => ({
    path: posix.relative(siteAbs, posix.join("/", path)),
    hash: recordHash(info.sha256),
    size: String(info.size),
  }));
  recordRows.push({ path: `${distInfo}/RECORD`, hash: "", size: "" });
  await writeFileMode(join(outDir, infoDir, "RECORD"), formatRecord(recordRows), 0o644);

  events?.emit({ type: "install", name, version, storePath: options.finalPrefix ?? outDir, files: recordRows.length });
  const result: InstallResult = { name, version, distInfo: infoDir, files: recordRows.length, scripts: scripts.sort() };
  if (bytecode !== undefined) result.bytecode = bytecode;
  return result;
}
