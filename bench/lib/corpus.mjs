// The repacked-wheel corpus (test/helpers/repack.ts builds it from the pyenv 3.11.7
// site-packages and caches it under $TMPDIR/wheelwright-fixtures/corpus-<key>), subsets of it
// closed under runtime dependencies, and pylock.toml files describing a set of wheels.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

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
 * A pylock.toml for `wheels` whose URLs never resolve (a reserved `.invalid` host): a sync
 * must find the files locally (--find-links) and run --offline.
 */
export function writePylock(file, wheels, normalizeName) {
  const lines = ['lock-version = "1.0"', 'created-by = "wheelwright-bench"', 'requires-python = ">=3.11"', ""];
  for (const w of [...wheels].sort((a, b) => normalizeName(a.name).localeCompare(normalizeName(b.name)))) {
    const file = basename(w.path);
    lines.push("[[packages]]", `name = ${q(normalizeName(w.name))}`, `version = ${q(w.version)}`, "", "[[packages.wheels]]");
    lines.push(`name = ${q(file)}`, `url = ${q(`https://files.wheelwright.invalid/packages/${file}`)}`, `size = ${w.size}`, `hashes = { sha256 = ${q(w.sha256)} }`, "");
  }
  writeFileSync(file, lines.join("\n"));
}
