// The repacked-wheel corpus (test/helpers/repack.ts builds it from the pyenv 3.11.7
// site-packages and caches it under $TMPDIR/wheelwright-fixtures/corpus-<key>), subsets of it
// closed under runtime dependencies, and pylock.toml files describing a set of wheels.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readWheelMetadata } from "./index-server.mjs";

function candidates() {
  const found = [];
  if (process.env.WHEELWRIGHT_REPACKED_CORPUS) found.push(process.env.WHEELWRIGHT_REPACKED_CORPUS);
  const cache = join(tmpdir(), "wheelwright-fixtures");
  if (existsSync(cache)) for (const d of readdirSync(cache)) if (d.startsWith("corpus-")) found.push(join(cache, d));
  return found.filter((d) => existsSync(join(d, "manifest.json"))).sort((a, b) => statSync(join(b, "manifest.json")).mtimeMs - statSync(join(a, "manifest.json")).mtimeMs);
}

/**
 * The newest cached corpus as `{ dir, wheels: [{name, version, path, sha256, size}] }`. When
 * none is cached, builds it by running the repack test once (the builder is TypeScript and
 * lives with the test helpers).
 */
export function findRepackedCorpus(root) {
  let dirs = candidates();
  if (dirs.length === 0) {
    const r = spawnSync(process.execPath, [join(root, "node_modules/vitest/vitest.mjs"), "run", "test/install/repack.test.ts"], { cwd: root, stdio: "inherit" });
    if (r.status !== 0) throw new Error("building the repacked corpus failed (npx vitest run test/install/repack.test.ts)");
    dirs = candidates();
    if (dirs.length === 0) throw new Error("no repacked corpus: is /root/.pyenv/versions/3.11.7 installed?");
  }
  return { dir: dirs[0], wheels: JSON.parse(readFileSync(join(dirs[0], "manifest.json"), "utf8")) };
}

/**
 * The members of `wheels` reachable from `roots` through runtime dependencies (Requires-Dist
 * evaluated for `markers`, extras off). `readMetadata(wheel)` returns the METADATA text;
 * `pep` carries the project's own parsers (dist/pep/*) so the bench reads metadata the way
 * the product does.
 */
export function closeOver(wheels, roots, { readMetadata, markers, pep }) {
  const byName = new Map(wheels.map((w) => [pep.normalizeName(w.name), w]));
  const seen = new Set();
  const queue = roots.map((r) => pep.normalizeName(r));
  while (queue.length > 0) {
    const name = queue.shift();
    if (seen.has(name)) continue;
    const wheel = byName.get(name);
    if (!wheel) throw new Error(`${name} is not in the corpus`);
    seen.add(name);
    for (const text of pep.parseMetadata(readMetadata(wheel)).requiresDist) {
      const req = pep.parseRequirement(text);
      if (req.marker !== null && !pep.evaluateMarker(req.marker, { ...markers, extra: "" })) continue;
      const dep = pep.normalizeName(req.name);
      if (byName.has(dep)) queue.push(dep);
      else throw new Error(`${name} needs ${dep}, which the corpus lacks`);
    }
  }
  return wheels.filter((w) => seen.has(pep.normalizeName(w.name)));
}

const q = (s) => JSON.stringify(s);

/**
 * A pylock.toml for `wheels` (`{name, version, path, sha256, size}`). By default its URLs never
 * resolve (a reserved `.invalid` host): a sync must find the files locally (--find-links) and run
 * --offline. `urlOf(filename)` gives real URLs instead (e.g. the bench's loopback index).
 */
export function writePylock(file, wheels, normalizeName, urlOf = (name) => `https://files.wheelwright.invalid/packages/${name}`) {
  const lines = ['lock-version = "1.0"', 'created-by = "wheelwright-bench"', 'requires-python = ">=3.11"', ""];
  for (const w of [...wheels].sort((a, b) => normalizeName(a.name).localeCompare(normalizeName(b.name)))) {
    const file = basename(w.path);
    lines.push("[[packages]]", `name = ${q(normalizeName(w.name))}`, `version = ${q(w.version)}`, "", "[[packages.wheels]]");
    lines.push(`name = ${q(file)}`, `url = ${q(urlOf(file))}`, `size = ${w.size}`, `hashes = { sha256 = ${q(w.sha256)} }`, "");
  }
  writeFileSync(file, lines.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The machine's local simple-index mirror (genuine published wheels; some images only).

/** Simple-index roots of the local mirror, in the order pip's configuration lists them. */
export const MIRROR_INDEXES = ["/opt/pypi/simple", "/opt/pypi-more/simple"];
export const hasMirror = () => existsSync(MIRROR_INDEXES[0]);

/** The wheel links of one project's page: `[{ filename, path, sha256 }]`. */
function readProjectPage(name) {
  const files = [];
  for (const index of MIRROR_INDEXES) {
    const page = join(index, name, "index.html");
    if (!existsSync(page)) continue;
    for (const match of readFileSync(page, "utf8").matchAll(/<a\s[^>]*href="([^"]+)"/gi)) {
      const url = new URL(match[1].replaceAll("&amp;", "&"), pathToFileURL(page));
      const sha = /(?:^|&)sha256=([0-9a-f]{64})/.exec(url.hash.slice(1));
      if (url.protocol !== "file:" || sha === null || !url.pathname.endsWith(".whl")) continue;
      url.hash = "";
      files.push({ filename: decodeURIComponent(basename(url.pathname)), path: fileURLToPath(url), sha256: sha[1] });
    }
  }
  return files;
}

/**
 * A greedy walk of runtime dependencies from `roots` over the local mirror: for each project the
 * newest wheel the interpreter supports (by tag priority) that satisfies every specifier seen so
 * far and the wheel's Requires-Python; extras are followed. No backtracking: it throws naming
 * the project when a later requirement excludes an earlier choice. `pep` carries the product's
 * parsers (dist/pep/*); `readMetadata(path)` returns a wheel's METADATA text (a promise).
 * Returns `[{ name, version, path, filename, sha256, size, dependencies }]` sorted by name.
 */
export async function resolveFromMirror(roots, { interpreter, pep, readMetadata }) {
  const tags = pep.supportedTags(interpreter);
  const env = interpreter.markerEnvironment;
  const metaCache = new Map();
  const metadataOf = async (file) => {
    if (!metaCache.has(file.path)) metaCache.set(file.path, pep.parseMetadata(await readMetadata(file.path)));
    return metaCache.get(file.path);
  };
  const specifiers = new Map(roots.map((r) => [pep.normalizeName(r), []]));
  const extras = new Map();
  const chosen = new Map();
  const queue = roots.map((r) => pep.normalizeName(r));
  while (queue.length > 0) {
    const name = queue.shift();
    const wanted = specifiers.get(name) ?? [];
    let pick = chosen.get(name);
    if (pick !== undefined && !wanted.every((s) => pep.satisfies(pick.version, s))) throw new Error(`mirror set: ${name} ${pick.version} was chosen before ${wanted.join(", ")} excluded it`);
    if (pick === undefined) {
      const files = readProjectPage(name);
      const ranked = pep.rankWheels(files.map((f) => f.filename), tags).map((r) => files.find((f) => f.filename === r.filename));
      ranked.sort((a, b) => pep.compare(pep.tryParseWheelFilename(b.filename).version, pep.tryParseWheelFilename(a.filename).version));
      for (const file of ranked) {
        const version = pep.tryParseWheelFilename(file.filename).version;
        if (!wanted.every((s) => pep.satisfies(version, s))) continue;
        const meta = await metadataOf(file);
        if (meta.requiresPython !== null && !pep.satisfies(interpreter.version, meta.requiresPython)) continue;
        pick = { file, version, deps: new Set() };
        break;
      }
      if (pick === undefined) throw new Error(`mirror set: no wheel of ${name} fits ${interpreter.version} (${wanted.join(", ") || "any version"})`);
      chosen.set(name, pick);
    }
    const meta = await metadataOf(pick.file);
    const active = ["", ...(extras.get(name) ?? [])];
    for (const text of meta.requiresDist) {
      const req = pep.parseRequirement(text);
      if (req.marker !== null && !active.some((extra) => pep.evaluateMarker(req.marker, { ...env, extra }))) continue;
      const dep = pep.normalizeName(req.name);
      pick.deps.add(dep);
      const specs = specifiers.get(dep) ?? [];
      const added = req.specifier !== "" && !specs.includes(req.specifier);
      if (added) specs.push(req.specifier);
      specifiers.set(dep, specs);
      const depExtras = extras.get(dep) ?? new Set();
      const before = depExtras.size;
      for (const e of req.extras) depExtras.add(pep.normalizeName(e));
      extras.set(dep, depExtras);
      if (!chosen.has(dep) || depExtras.size !== before || added) queue.push(dep);
    }
  }
  return [...chosen.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, { file, version, deps }]) => ({ ...file, name, version, size: statSync(file.path).size, dependencies: [...deps].sort() }));
}

// ---------------------------------------------------------------------------------------------
// The benches' two sets, from the mirror when there is one, else from the repacked corpus.

export const SMALL_ROOTS = ["flask", "requests"];
/** Roots of LARGE on the mirror: ~100 wheels with numpy/scipy/pandas/pydantic-class packages. */
export const LARGE_ROOTS = [
  ...SMALL_ROOTS, "numpy", "pydantic", "pandas", "scipy", "fastapi", "httpx", "sqlalchemy", "rich", "typer", "jinja2", "cryptography", "pyyaml",
  "pytest", "matplotlib", "boto3", "pillow", "click", "attrs", "jsonschema", "scikit-learn", "sympy", "networkx", "aiohttp", "uvicorn", "alembic",
  "tqdm", "tenacity", "orjson", "lxml", "beautifulsoup4", "psutil", "redis", "openpyxl", "tabulate", "black", "pytz", "coverage", "wrapt",
];

/**
 * `{ source, description, small, large }` where each set is `[{ name, version, path, sha256, size }]`.
 * `source`: "auto" (mirror when present), "mirror" or "repacked". `pep` carries dist/pep/*
 * (names, metadata, pep508, pep440, tags, filenames); `interpreter` is a probed interpreter;
 * `readMetadata(path)` resolves to a wheel's METADATA bytes.
 */
export async function loadCorpora({ root, source = "auto", pep, interpreter, readMetadata }) {
  const text = async (path) => (await readMetadata(path)).toString("utf8");
  if (source === "mirror" || (source === "auto" && hasMirror())) {
    if (!hasMirror()) throw new Error(`BENCH_CORPUS_SOURCE=mirror but there is no mirror at ${MIRROR_INDEXES[0]}`);
    const small = await resolveFromMirror(SMALL_ROOTS, { interpreter, pep, readMetadata: text });
    const large = await resolveFromMirror(LARGE_ROOTS, { interpreter, pep, readMetadata: text });
    return { source: "mirror", description: `genuine published wheels from the local mirror (${MIRROR_INDEXES.filter((d) => existsSync(d)).join(", ")}), resolved for ${interpreter.version}`, small, large };
  }
  const corpus = findRepackedCorpus(root);
  const metadata = new Map();
  for (const w of corpus.wheels) metadata.set(w.path, await text(w.path));
  const markers = interpreter.markerEnvironment;
  const small = closeOver(corpus.wheels, SMALL_ROOTS, { readMetadata: (w) => metadata.get(w.path), markers, pep });
  return { source: "repacked", description: `the repacked pyenv ${interpreter.version} site-packages (test/helpers/repack.ts, ${corpus.dir})`, small, large: corpus.wheels };
}

/**
 * What every corpus bench starts from, with the wheelwright build in `distDir`: its PEP helpers,
 * the probed interpreter `python`, and the SMALL/LARGE corpora (`BENCH_CORPUS_SOURCE` chooses).
 */
export async function loadBenchInputs({ distDir, python, root }) {
  const d = (m) => import(join(distDir, m));
  const pep = { ...(await d("pep/names.js")), ...(await d("pep/metadata.js")), ...(await d("pep/pep508.js")), ...(await d("pep/pep440.js")), ...(await d("pep/tags.js")), ...(await d("pep/filenames.js")) };
  const { probeInterpreter } = await d("python/probe.js");
  const interpreter = await probeInterpreter(python, { cacheDir: false });
  const corpora = await loadCorpora({ root, source: process.env.BENCH_CORPUS_SOURCE ?? "auto", pep, interpreter, readMetadata: readWheelMetadata });
  return { pep, interpreter, corpora };
}
