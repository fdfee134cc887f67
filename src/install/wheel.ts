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
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { basename, dirname, join, posix, relative, sep } from "node:path";
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
  /**
   * Return the bytes of the files the installer wrote (`InstallResult.contents`), so the
   * store can hash the output without reading them back. Default false.
   */
  keepContents?: boolean;
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
  /**
   * With `keepContents`: outDir-relative posix path → the exact bytes now in that file, for
   * files whose bytes the installer held anyway (what it generated, the pycs, and extracted
   * files the archive layer kept). Files not listed must be read from disk.
   */
  contents?: Map<string, Buffer>;
}

/** Installer-written dist-info files: never taken from the wheel. */
const GENERATED_INFO = ["RECORD", "INSTALLER", "REQUESTED", "direct_url.json"];

interface Planned {
  /** Prefix-relative posix path. */
  dest: string;
  script: boolean;
}

/**
 * With keepContents, extracted files up to this size stay in memory for the store's hash;
 * larger ones (few: about 3 % of the files of a large environment) are read back instead.
 * At most KEEP_TOTAL_BYTES of extracted files and pycs are kept per wheel: with two installs
 * running on two threads, a 64 MiB budget peaked 20-30 MB higher on a cold sync of a hundred
 * wheels, and the files read back instead are in the page cache.
 */
const KEEP_FILE_BYTES = 64 * 1024;
const KEEP_TOTAL_BYTES = 16 * 1024 * 1024;

/** Files are written with these modes by the archive layer; chmod only when umask strips bits. */
const UMASK_KEEPS_MODES = (process.umask() & ~0o022) === 0;

/**
 * Writes `data` to `path` (created with `mode`, or truncated), synchronously: these are
 * small files, and a thread-pool hop per call costs more than the write. `chmod` forces the
 * mode on a file that existed before.
 */
function writeBytes(path: string, data: Buffer | string, mode: number, chmod = false): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const fd = openSync(path, "w", mode);
  try {
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    if (chmod || !UMASK_KEEPS_MODES) fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
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

  const extracted = await zip.extract(outDir, {
    map: (entry) => (entry.type === "file" ? (plan.get(entry.name)?.dest ?? null) : null),
    keepContents: options.keepContents ? KEEP_FILE_BYTES : 0,
  });
  if (listed !== undefined) await verifyExtracted(wheelPath, extracted, listed, pkg);

  // Installed files: prefix-relative path → (digest, size); and the bytes we hold of them.
  const installed = new Map<string, { sha256: Buffer; size: number }>();
  const contents = new Map<string, Buffer>();
  const keep = options.keepContents ?? false;
  let budget = KEEP_TOTAL_BYTES;
  const wrote = (rel: string, bytes: Buffer) => {
    installed.set(rel, { sha256: sha256(bytes), size: bytes.length });
    if (keep) contents.set(rel, bytes);
  };
  const scripts: string[] = [];
  for (const file of extracted) {
    const planned = plan.get(file.name)!;
    const abs = file.dest;
    if (planned.script) {
      const content = file.data ?? readFileSync(abs);
      const rewritten = rewriteScriptShebang(content, interpreter.executable);
      if (rewritten === undefined) {
        chmodSync(abs, 0o755);
        installed.set(planned.dest, { sha256: file.sha256, size: file.size });
        if (keep) contents.set(planned.dest, content);
      } else {
        wrote(planned.dest, writeBytes(abs, rewritten, 0o755, true));
      }
      scripts.push(planned.dest);
    } else {
      if (!UMASK_KEEPS_MODES) chmodSync(abs, file.executable ? 0o755 : 0o644);
      installed.set(planned.dest, { sha256: file.sha256, size: file.size });
      if (keep && file.data !== undefined && file.data.length <= budget) {
        contents.set(planned.dest, file.data);
        budget -= file.data.length;
      }
    }
  }

  if (entryPoints.length > 0) mkdirSync(join(outDir, layout.scripts), { recursive: true });
  for (const entry of entryPoints) {
    const dest = `${layout.scripts}/${entry.name}`;
    if (installed.has(dest)) {
      throw new WheelwrightError("ERR_WW_WHEEL_INVALID", `${wheelPath}: entry point script ${entry.name} clashes with a file the wheel installs at ${dest}`, {
        file: wheelPath,
        package: pkg,
        hint: "Rename the entry point or the .data script; the wheel is malformed.",
      });
    }
    wrote(dest, writeBytes(join(outDir, dest), scriptText(entry, interpreter.executable), 0o755));
    scripts.push(dest);
  }

  const infoDir = `${layout.sitePackages}/${distInfo}`;
  const writeInfo = (member: string, content: string) => wrote(`${infoDir}/${member}`, writeBytes(join(outDir, infoDir, member), content, 0o644));
  mkdirSync(join(outDir, infoDir), { recursive: true });
  writeInfo("INSTALLER", "wheelwright\n");
  if (options.requested) writeInfo("REQUESTED", "");
  if (options.directUrl !== undefined && options.directUrl !== null) writeInfo("direct_url.json", directUrlJson(options.directUrl));

  let bytecode: CompileResult | undefined;
  if (options.compileBytecode ?? true) {
    const sources = [...installed.keys()].filter((p) => p.endsWith(".py") && p.startsWith(`${layout.sitePackages}/`)).sort();
    const finalPrefix = options.finalPrefix ?? outDir;
    bytecode = await compileAll(
      interpreter,
      sources.map((p) => ({ path: join(outDir, p), displayPath: join(finalPrefix, p) })),
      { returnBytes: true },
    );
    // A pyc's bytes are a view of its compile request's reply, which stays in memory as long
    // as one of its pycs is kept: the first pyc kept of a reply is charged the whole reply.
    const charged = new Set<ArrayBufferLike>();
    const keepPyc = (bytes: Buffer): boolean => {
      if (!keep) return false;
      if (charged.has(bytes.buffer)) return true;
      if (bytes.buffer.byteLength > budget) return false;
      budget -= bytes.buffer.byteLength;
      charged.add(bytes.buffer);
      return true;
    };
    const madeDirs = new Set<string>();
    for (const compiled of bytecode.compiled) {
      const rel = relative(outDir, compiled.pyc).split(sep).join("/");
      const data = compiled.data;
      if (data === undefined) {
        // The worker wrote it (an interpreter that cannot hand pycs over).
        const bytes = readFileSync(compiled.pyc);
        installed.set(rel, { sha256: sha256(bytes), size: bytes.length });
        contents.delete(rel);
        continue;
      }
      const dir = dirname(compiled.pyc);
      if (!madeDirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        madeDirs.add(dir);
      }
      // A pyc the wheel shipped at the same place is replaced, as py_compile does.
      const bytes = writeBytes(compiled.pyc, data, 0o644, installed.has(rel));
      installed.set(rel, { sha256: sha256(bytes), size: bytes.length });
      if (keepPyc(bytes)) contents.set(rel, bytes);
      else contents.delete(rel);
      delete compiled.data;
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
  const record = writeBytes(join(outDir, infoDir, "RECORD"), formatRecord(recordRows), 0o644);
  if (keep) contents.set(`${infoDir}/RECORD`, record);

  events?.emit({ type: "install", name, version, storePath: options.finalPrefix ?? outDir, files: recordRows.length });
  const result: InstallResult = { name, version, distInfo: infoDir, files: recordRows.length, scripts: scripts.sort() };
  if (bytecode !== undefined) result.bytecode = bytecode;
  if (keep) result.contents = contents;
  return result;
}
