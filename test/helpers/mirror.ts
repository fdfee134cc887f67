/**
 * Locks of GENUINE published wheels, read from the machine's local simple-index mirror (PEP 503
 * HTML pages whose links carry `#sha256=` fragments; present on some machine images only).
 *
 * `resolveFromMirror(roots, interpreter)` walks runtime dependencies from the roots, choosing for
 * each project the newest wheel the interpreter supports (by tag priority) that satisfies
 * every specifier seen so far and the wheel's Requires-Python. It is a greedy walk without
 * backtracking: enough for small, mostly single-version sets, and it fails loudly (never
 * silently picks an inconsistent set) when a later requirement excludes an earlier choice.
 *
 * The pages are parsed here with a deliberately small reader of our own rather than the
 * product's fetch code, so a bug there can't hide itself by shaping the test's lock.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { listZip, readZipEntry } from "../../src/archive/index.js";
import { parseMetadata } from "../../src/pep/metadata.js";
import { normalizeName } from "../../src/pep/names.js";
import { compare, satisfies } from "../../src/pep/pep440.js";
import { evaluateMarker, parseRequirement } from "../../src/pep/pep508.js";
import { rankWheels, supportedTags } from "../../src/pep/tags.js";
import { tryParseWheelFilename } from "../../src/pep/filenames.js";
import type { Interpreter } from "../../src/python/types.js";

/** Simple-index roots of the local mirror, in the order pip's configuration lists them. */
export const MIRROR_INDEXES = ["/opt/pypi/simple", "/opt/pypi-more/simple"];

/** Why the mirror can't be used here, or undefined when it can. */
export function mirrorSkipReason(): string | undefined {
  const first = MIRROR_INDEXES[0]!;
  if (!existsSync(first)) return `no local simple-index mirror at ${first} (only some machine images have one)`;
  return undefined;
}

export const mirrorUrls = (): string[] => MIRROR_INDEXES.filter((d) => existsSync(d)).map((d) => pathToFileURL(d).href);

export interface MirrorFile {
  filename: string;
  /** Absolute path of the file on disk. */
  path: string;
  sha256: string;
}

/** The wheel and sdist links of one project page (empty when no index has the project). */
export function readProjectPage(name: string): MirrorFile[] {
  const files: MirrorFile[] = [];
  for (const index of MIRROR_INDEXES) {
    const page = `${index}/${normalizeName(name)}/index.html`;
    if (!existsSync(page)) continue;
    const html = readFileSync(page, "utf8");
    for (const match of html.matchAll(/<a\s[^>]*href="([^"]+)"/gi)) {
      const href = match[1]!.replaceAll("&amp;", "&");
      const url = new URL(href, pathToFileURL(page));
      const sha = /(?:^|&)sha256=([0-9a-f]{64})/.exec(url.hash.slice(1));
      if (url.protocol !== "file:" || sha === null) continue;
      url.hash = "";
      const path = fileURLToPath(url);
      files.push({ filename: decodeURIComponent(basename(url.pathname)), path, sha256: sha[1]! });
    }
  }
  return files;
}

export interface MirrorWheel extends MirrorFile {
  name: string;
  version: string;
  size: number;
  /** Normalized names of the set members it depends on (markers and extras applied). */
  dependencies: string[];
}

const metadataCache = new Map<string, ReturnType<typeof parseMetadata>>();

async function wheelMetadata(file: MirrorFile): Promise<ReturnType<typeof parseMetadata>> {
  let meta = metadataCache.get(file.path);
  if (meta === undefined) {
    const parsed = tryParseWheelFilename(file.filename)!;
    // the one top-level `*.dist-info/METADATA` (its directory name's spelling varies by tool)
    const entry = (await listZip(file.path)).find((e) => /^[^/]+\.dist-info\/METADATA$/.test(e.name));
    if (entry === undefined) throw new Error(`${file.filename} has no .dist-info/METADATA`);
    meta = parseMetadata((await readZipEntry(file.path, entry.name)).toString("utf8"));
    if (normalizeName(meta.name) !== parsed.name) throw new Error(`${file.filename}: METADATA names ${meta.name}`);
    metadataCache.set(file.path, meta);
  }
  return meta;
}

/** See the file comment. Throws naming the project when no wheel fits. */
export async function resolveFromMirror(roots: string[], interpreter: Interpreter): Promise<MirrorWheel[]> {
  const tags = supportedTags(interpreter);
  const env = interpreter.markerEnvironment;
  const specifiers = new Map<string, string[]>();
  const extras = new Map<string, Set<string>>();
  const chosen = new Map<string, { file: MirrorFile; version: string; deps: Set<string> }>();
  const queue = roots.map(normalizeName);
  for (const root of queue) specifiers.set(root, []);

  while (queue.length > 0) {
    const name = queue.shift()!;
    const wanted = specifiers.get(name) ?? [];
    let pick = chosen.get(name);
    if (pick !== undefined && !wanted.every((s) => satisfies(pick!.version, s))) {
      throw new Error(`mirror set: ${name} ${pick.version} was chosen before a requirement ${wanted.join(", ")} excluded it (no backtracking here)`);
    }
    if (pick === undefined) {
      const files = readProjectPage(name);
      const ranked = rankWheels(files.map((f) => f.filename), tags);
      const candidates = ranked
        .map((r) => files.find((f) => f.filename === r.filename)!)
        .sort((a, b) => compare(tryParseWheelFilename(b.filename)!.version, tryParseWheelFilename(a.filename)!.version)); // stable: tag rank breaks ties
      for (const file of candidates) {
        const version = tryParseWheelFilename(file.filename)!.version;
        if (!wanted.every((s) => satisfies(version, s))) continue;
        const meta = await wheelMetadata(file);
        if (meta.requiresPython !== null && !satisfies(interpreter.version, meta.requiresPython)) continue;
        pick = { file, version, deps: new Set() };
        break;
      }
      if (pick === undefined) {
        throw new Error(`mirror set: no wheel of ${name} fits ${interpreter.version} (${wanted.join(", ") || "any version"}); the mirror has: ${files.map((f) => f.filename).join(", ") || "nothing"}`);
      }
      chosen.set(name, pick);
    }
    const meta = await wheelMetadata(pick.file);
    const active = ["", ...(extras.get(name) ?? [])];
    for (const text of meta.requiresDist) {
      const req = parseRequirement(text);
      if (req.marker !== null && !active.some((extra) => evaluateMarker(req.marker!, { ...env, extra }))) continue;
      const dep = normalizeName(req.name);
      pick.deps.add(dep);
      const specs = specifiers.get(dep) ?? [];
      const newSpecifier = req.specifier !== "" && !specs.includes(req.specifier);
      if (newSpecifier) specs.push(req.specifier);
      specifiers.set(dep, specs);
      const depExtras = extras.get(dep) ?? new Set<string>();
      const before = depExtras.size;
      for (const e of req.extras) depExtras.add(normalizeName(e));
      extras.set(dep, depExtras);
      // (re)visit: new, newly constrained, or asked for an extra it hadn't been walked with —
      // only on a change, so cycles end
      if (!chosen.has(dep) || depExtras.size !== before || newSpecifier) queue.push(dep);
    }
  }

  return [...chosen.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, { file, version, deps }]) => ({ ...file, name, version, size: statSync(file.path).size, dependencies: [...deps].sort() }));
}

/** Hex sha256 of a file on disk (to check a page's fragment against the bytes). */
export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

const q = (s: string) => JSON.stringify(s);

/**
 * A pylock.toml (PEP 751) of the set. URLs are under a reserved `.invalid` host that never
 * resolves, so a sync must get the files from the mirror (`--mirror`) or a local directory.
 */
export function writeMirrorPylock(wheels: MirrorWheel[], file: string): void {
  const lines = ['lock-version = "1.0"', 'created-by = "wheelwright-tests"', 'requires-python = ">=3.11"', ""];
  for (const w of wheels) {
    lines.push("[[packages]]", `name = ${q(w.name)}`, `version = ${q(w.version)}`);
    if (w.dependencies.length > 0) lines.push(`dependencies = [${w.dependencies.map((d) => `{ name = ${q(d)} }`).join(", ")}]`);
    lines.push("", "[[packages.wheels]]", `name = ${q(w.filename)}`, `url = ${q(`https://files.wheelwright.invalid/packages/${w.filename}`)}`);
    lines.push(`size = ${w.size}`, `hashes = { sha256 = ${q(w.sha256)} }`, "");
  }
  writeFileSync(file, lines.join("\n"));
}

/** The directory the mirror keeps its files in (for --find-links), from a resolved wheel. */
export const mirrorFilesDir = (wheel: MirrorFile): string => dirname(resolve(wheel.path));
