/**
 * The repacked-wheel corpus: every installed distribution of the pyenv 3.11.7 site-packages
 * turned back into a wheel from its RECORD, deterministically (fixed zip timestamps, sorted
 * entries, RECORD rewritten with the real hashes), written with archive-builder.ts's zip writer.
 *
 * How a pip-installed tree maps back to the wheel it came from (what makes the files
 * byte-identical to the original wheel):
 * - files under site-packages are the wheel's root files as-is;
 * - `__pycache__/*.pyc` were compiled by pip at install time: dropped;
 * - INSTALLER, REQUESTED and direct_url.json were written by pip: dropped;
 * - `../../../bin/<x>` where <x> is a console_scripts/gui_scripts name (or pip's versioned
 *   `pipX`/`pipX.Y`) was generated from entry_points.txt: dropped (the installer regenerates it);
 * - any other `../../../bin/<x>` came from `<name>.data/scripts/<x>`: put back there, with a
 *   first line pip rewrote (`#!<prefix>/bin/python…`) restored to `#!python` — pip drops the
 *   rest of that line, so `#!pythonw` or interpreter args can't be recovered (none here);
 * - `../../../include/pythonX.Y/<name>/<x>` → `.data/headers/<x>`; other `../../../<x>` →
 *   `.data/data/<x>` (e.g. `share/man/man1/ipython.1`).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildZipAsync, type ZipEntrySpec, type ZipOptions } from "./archive-builder.js";

/**
 * How the corpus is zipped. Level 1: the corpus is rebuilt per machine and cached, so speed
 * matters more than size. Entries are deflated unless that doesn't shrink them, and all carry
 * the UTF-8 name flag.
 */
const ZIP_OPTIONS: ZipOptions = { deflateLevel: 1, date: new Date(Date.UTC(1980, 0, 1)) };

// ---------------------------------------------------------------------------------------------
// Repacking

export const CORPUS_PYTHON = "/root/.pyenv/versions/3.11.7/bin/python";
export const CORPUS_SITE_PACKAGES = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages";

export interface RepackedWheel {
  /** Project name as in METADATA. */
  name: string;
  version: string;
  /** Absolute path of the .whl. */
  path: string;
  /** Hex sha256 of the .whl file. */
  sha256: string;
  size: number;
}

const INSTALLER_WRITTEN = new Set(["INSTALLER", "REQUESTED", "direct_url.json"]);

function parseRecord(text: string): string[] {
  // Paths only; RECORD paths in this corpus never contain commas or quotes, and a quoted
  // path would be kept verbatim (and then fail the existence check loudly).
  return text
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .map((line) => {
      if (line.startsWith('"')) {
        const end = line.indexOf('"', 1);
        return line.slice(1, end);
      }
      const comma = line.lastIndexOf(",", line.lastIndexOf(",") - 1);
      return line.slice(0, comma);
    });
}

function headerValues(text: string, key: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break; // headers end at the first blank line
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).toLowerCase() === key.toLowerCase()) out.push(line.slice(colon + 1).trim());
  }
  return out;
}

function entryPointNames(text: string | undefined): Set<string> {
  const names = new Set<string>();
  if (text === undefined) return names;
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("[")) section = line.slice(1, line.indexOf("]")).trim();
    else if (section === "console_scripts" || section === "gui_scripts") names.add(line.split("=")[0]!.trim());
  }
  return names;
}

function wheelTags(wheelText: string): string {
  const py: string[] = [];
  const abi: string[] = [];
  const plat: string[] = [];
  const add = (list: string[], v: string) => {
    if (!list.includes(v)) list.push(v);
  };
  for (const tag of headerValues(wheelText, "Tag")) {
    const [p, a, pl] = tag.split("-");
    add(py, p!);
    add(abi, a!);
    add(plat, pl!);
  }
  if (py.length === 0) throw new Error("repack: WHEEL has no Tag");
  return `${py.join(".")}-${abi.join(".")}-${plat.join(".")}`;
}

function sha256b64(data: Buffer): string {
  return createHash("sha256").update(data).digest("base64url");
}

async function repackOne(sitePackages: string, distInfo: string, outDir: string): Promise<RepackedWheel> {
  const infoDir = join(sitePackages, distInfo);
  const stem = distInfo.slice(0, -".dist-info".length);
  const dataDir = `${stem}.data`;
  const prefix = join(sitePackages, "..", "..", "..");
  const [recordText, wheelText, metadataText, entryPoints] = await Promise.all([
    readFile(join(infoDir, "RECORD"), "utf8"),
    readFile(join(infoDir, "WHEEL"), "utf8"),
    readFile(join(infoDir, "METADATA"), "utf8"),
    readFile(join(infoDir, "entry_points.txt"), "utf8").catch(() => undefined),
  ]);
  const name = headerValues(metadataText, "Name")[0]!;
  const version = headerValues(metadataText, "Version")[0]!;
  const generated = entryPointNames(entryPoints);
  if (generated.has("pip")) for (const v of ["pip3", "pip3.11"]) generated.add(v);
  const shebang = Buffer.from(`#!${prefix}/bin/python`);

  const members: { name: string; source: string; fixShebang: boolean }[] = [];
  for (const path of parseRecord(recordText)) {
    if (path.includes("__pycache__/") || path.endsWith(".pyc")) continue;
    if (path === `${distInfo}/RECORD`) continue;
    if (path.startsWith(`${distInfo}/`) && INSTALLER_WRITTEN.has(path.slice(distInfo.length + 1))) continue;
    const source = join(sitePackages, path);
    if (!path.startsWith("../")) {
      members.push({ name: path, source, fixShebang: false });
      continue;
    }
    const outside = path.replace(/^(\.\.\/){3}/, "");
    if (outside.startsWith("bin/")) {
      const script = outside.slice(4);
      if (generated.has(script)) continue;
      members.push({ name: `${dataDir}/scripts/${script}`, source, fixShebang: true });
    } else if (/^include\/python[0-9.]+[a-z]*\/[^/]+\//.test(outside)) {
      members.push({ name: `${dataDir}/headers/${outside.split("/").slice(3).join("/")}`, source, fixShebang: false });
    } else {
      members.push({ name: `${dataDir}/data/${outside}`, source, fixShebang: false });
    }
  }

  const order = (n: string) => (n.startsWith(`${distInfo}/`) ? 2 : n.startsWith(`${dataDir}/`) ? 1 : 0);
  members.sort((a, b) => order(a.name) - order(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const entries: ZipEntrySpec[] = [];
  const record: string[] = [];
  for (const member of members) {
    let data = await readFile(member.source);
    const mode = (await stat(member.source)).mode & 0o111 ? 0o755 : 0o644;
    if (member.fixShebang && data.subarray(0, shebang.length).equals(shebang)) {
      const eol = data.indexOf(0x0a);
      data = Buffer.concat([Buffer.from("#!python"), eol < 0 ? Buffer.alloc(0) : data.subarray(eol)]);
    }
    entries.push({ name: member.name, data, mode, method: "auto", utf8: true });
    record.push(`${member.name},sha256=${sha256b64(data)},${data.length}`);
  }
  record.push(`${distInfo}/RECORD,,`);
  entries.push({ name: `${distInfo}/RECORD`, data: Buffer.from(record.join("\n") + "\n"), mode: 0o644, method: "auto", utf8: true });

  const build = headerValues(wheelText, "Build")[0];
  const filename = `${stem}${build ? `-${build}` : ""}-${wheelTags(wheelText)}.whl`;
  const bytes = await buildZipAsync(entries, ZIP_OPTIONS);
  const path = join(outDir, filename);
  await writeFile(path, bytes);
  return { name, version, path, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
}

async function distInfos(sitePackages: string): Promise<string[]> {
  const names = (await readdir(sitePackages)).filter((n) => n.endsWith(".dist-info")).sort();
  return names.filter((n) => existsSync(join(sitePackages, n, "RECORD")) && existsSync(join(sitePackages, n, "WHEEL")));
}

/** Turns every `*.dist-info` with RECORD and WHEEL into a wheel in outDir (created). */
export async function repackSitePackages(options: {
  sitePackages: string;
  outDir: string;
  /** Repack only the dist-info directories this accepts (default: all). */
  only?: (distInfo: string) => boolean;
}): Promise<{ wheels: RepackedWheel[] }> {
  await mkdir(options.outDir, { recursive: true });
  const queue = (await distInfos(options.sitePackages)).filter(options.only ?? (() => true));
  const wheels: RepackedWheel[] = [];
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const distInfo = queue[next++]!;
      wheels.push(await repackOne(options.sitePackages, distInfo, options.outDir));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  wheels.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { wheels };
}

/** Why the corpus can't be built here, or undefined when it can. */
export function corpusSkipReason(): string | undefined {
  if (!existsSync(CORPUS_SITE_PACKAGES)) return `no pyenv 3.11.7 site-packages at ${CORPUS_SITE_PACKAGES}`;
  return undefined;
}

/**
 * The cache key: the distributions present (with their RECORD's size/mtime) + the bytes of this
 * file and of the zip writer it uses.
 */
async function corpusKey(): Promise<string> {
  const hash = createHash("sha256");
  for (const source of ["./repack.ts", "./archive-builder.ts"]) hash.update(await readFile(fileURLToPath(new URL(source, import.meta.url))));
  for (const distInfo of await distInfos(CORPUS_SITE_PACKAGES)) {
    const s = await stat(join(CORPUS_SITE_PACKAGES, distInfo, "RECORD"));
    hash.update(`${distInfo}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

export interface RepackedCorpus {
  dir: string;
  wheels: RepackedWheel[];
}

/** Environment variable global-setup sets so test workers find the corpus without rehashing. */
export const CORPUS_ENV = "WHEELWRIGHT_REPACKED_CORPUS";

/**
 * Builds the corpus once under `os.tmpdir()/wheelwright-fixtures/corpus-<key>` (or reuses it).
 * Returns null when the site-packages isn't on this machine (callers skip with
 * `corpusSkipReason()`). Safe against concurrent callers: each builds in a private temp dir
 * and the first rename wins.
 */
export async function ensureRepackedCorpus(): Promise<RepackedCorpus | null> {
  const fromEnv = process.env[CORPUS_ENV];
  if (fromEnv && existsSync(join(fromEnv, "manifest.json"))) {
    return { dir: fromEnv, wheels: JSON.parse(await readFile(join(fromEnv, "manifest.json"), "utf8")) as RepackedWheel[] };
  }
  if (corpusSkipReason() !== undefined) return null;
  const root = join(tmpdir(), "wheelwright-fixtures");
  const dir = join(root, `corpus-${await corpusKey()}`);
  const manifest = join(dir, "manifest.json");
  if (!existsSync(manifest)) {
    const temp = join(root, `.tmp-${process.pid}-${Date.now()}`);
    const { wheels } = await repackSitePackages({ sitePackages: CORPUS_SITE_PACKAGES, outDir: temp });
    const relocated = wheels.map((w) => ({ ...w, path: join(dir, w.path.slice(temp.length + 1)) }));
    await writeFile(join(temp, "manifest.json"), JSON.stringify(relocated, null, 1));
    try {
      await rename(temp, dir);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      if (!existsSync(manifest)) throw error;
    }
  }
  return { dir, wheels: JSON.parse(await readFile(manifest, "utf8")) as RepackedWheel[] };
}
