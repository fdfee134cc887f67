// Lock files describing the repacked wheel corpus, written the way uv and PEP 751 tools write
// them. URLs point at a host that never resolves: syncs must take the files from the local
// wheelhouse (--find-links) and run --offline.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeName } from "../../src/pep/names.js";
import { parseMetadata } from "../../src/pep/metadata.js";
import { evaluateMarker, parseRequirement } from "../../src/pep/pep508.js";
import type { MarkerEnvironment } from "../../src/python/types.js";
import { CORPUS_SITE_PACKAGES, type RepackedWheel } from "./repack.js";

const BASE_URL = "https://files.wheelwright.invalid/packages";
const q = (s: string) => JSON.stringify(s);
const fileName = (w: RepackedWheel) => w.path.slice(w.path.lastIndexOf("/") + 1);

export function writeCorpusPylock(wheels: RepackedWheel[], file: string): void {
  const lines = ['lock-version = "1.0"', 'created-by = "wheelwright-tests"', 'requires-python = ">=3.11"', ""];
  for (const w of [...wheels].sort((a, b) => normalizeName(a.name).localeCompare(normalizeName(b.name)))) {
    lines.push("[[packages]]", `name = ${q(normalizeName(w.name))}`, `version = ${q(w.version)}`, "", "[[packages.wheels]]");
    lines.push(`name = ${q(fileName(w))}`, `url = ${q(`${BASE_URL}/${fileName(w)}`)}`, `size = ${w.size}`, `hashes = { sha256 = ${q(w.sha256)} }`, "");
  }
  writeFileSync(file, lines.join("\n"));
}

/** Runtime dependency edges among corpus members, from each distribution's METADATA. */
export function corpusEdges(wheels: RepackedWheel[], env: MarkerEnvironment): Map<string, string[]> {
  const names = new Set(wheels.map((w) => normalizeName(w.name)));
  const edges = new Map<string, string[]>();
  for (const entry of readdirSync(CORPUS_SITE_PACKAGES).filter((d) => d.endsWith(".dist-info"))) {
    const meta = parseMetadata(readFileSync(join(CORPUS_SITE_PACKAGES, entry, "METADATA"), "utf8"));
    const name = normalizeName(meta.name);
    if (!names.has(name)) continue;
    const deps = new Set<string>();
    for (const text of meta.requiresDist) {
      const req = parseRequirement(text);
      const dep = normalizeName(req.name);
      if (dep === name || !names.has(dep)) continue;
      if (req.marker !== null && !evaluateMarker(req.marker, { ...env, extra: "" })) continue;
      deps.add(dep);
    }
    edges.set(name, [...deps].sort());
  }
  return edges;
}

/** A uv.lock (version 1, revision 3) with a virtual root project depending on every member. */
export function writeCorpusUvLock(wheels: RepackedWheel[], env: MarkerEnvironment, file: string): void {
  const edges = corpusEdges(wheels, env);
  const sorted = [...wheels].sort((a, b) => normalizeName(a.name).localeCompare(normalizeName(b.name)));
  const lines = ["version = 1", "revision = 3", 'requires-python = ">=3.11"', ""];
  lines.push("[[package]]", 'name = "corpus"', 'version = "0.1.0"', 'source = { virtual = "." }', "dependencies = [");
  for (const w of sorted) lines.push(`    { name = ${q(normalizeName(w.name))} },`);
  lines.push("]", "");
  for (const w of sorted) {
    const name = normalizeName(w.name);
    lines.push("[[package]]", `name = ${q(name)}`, `version = ${q(w.version)}`, 'source = { registry = "https://index.wheelwright.invalid/simple" }');
    const deps = edges.get(name) ?? [];
    if (deps.length > 0) lines.push(`dependencies = [${deps.map((d) => `{ name = ${q(d)} }`).join(", ")}]`);
    lines.push(`wheels = [{ url = ${q(`${BASE_URL}/${fileName(w)}`)}, hash = "sha256:${w.sha256}", size = ${w.size} }]`, "");
  }
  writeFileSync(file, lines.join("\n"));
}
