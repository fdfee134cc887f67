// Offline build backends for tests: genuine wheels from the machine's local mirror (Debian 12
// image) or the interpreters' bundled copies, and a pylock.toml (`--build-lock`) listing a
// backend's whole runtime closure, read from the wheels' own metadata.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface BackendWheel {
  /** Normalized name. */
  name: string;
  version: string;
  filename: string;
  path: string;
  sha256: string;
}

export const MIRRORS = ["/opt/pypi/simple", "/opt/pypi-more/simple"];
const BUNDLED = [
  "/root/.pyenv/versions/3.11.7/lib/python3.11/ensurepip/_bundled",
  "/root/.pyenv/versions/3.12.1/lib/python3.12/test",
  "/root/.pyenv/versions/3.13.0/lib/python3.13/test/wheeldata",
];

export const normalize = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");

function versionKey(version: string): number[] {
  return version.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
}

/** Whether version `a` is newer than `b` (numeric parts only: enough for the offline wheels). */
export function newer(a: string, b: string): boolean {
  const x = versionKey(a);
  const y = versionKey(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
}

const cache = new Map<string, BackendWheel | undefined>();

/** The newest pure-Python wheel of `name` on this machine, or undefined. */
export function findWheel(name: string): BackendWheel | undefined {
  const key = normalize(name);
  if (cache.has(key)) return cache.get(key);
  const found: BackendWheel[] = [];
  for (const mirror of MIRRORS) {
    const index = join(mirror, key, "index.html");
    if (!existsSync(index)) continue;
    for (const match of readFileSync(index, "utf8").matchAll(/href="([^"#]+\.whl)#sha256=([0-9a-f]{64})"/g)) {
      const path = join(mirror, key, match[1]!);
      const filename = path.split("/").pop()!;
      if (!/-py3-none-any\.whl$|-py2\.py3-none-any\.whl$/.test(filename) || !existsSync(path)) continue;
      found.push({ name: key, version: filename.split("-")[1]!, filename, path, sha256: match[2]! });
    }
  }
  if (found.length === 0) {
    for (const dir of BUNDLED) {
      if (!existsSync(dir)) continue;
      for (const filename of readdirSync(dir)) {
        if (!filename.endsWith(".whl") || normalize(filename.split("-")[0]!) !== key) continue;
        const path = join(dir, filename);
        found.push({ name: key, version: filename.split("-")[1]!, filename, path, sha256: createHash("sha256").update(readFileSync(path)).digest("hex") });
      }
    }
  }
  const best = found.reduce<BackendWheel | undefined>((a, b) => (a === undefined || newer(b.version, a.version) ? b : a), undefined);
  cache.set(key, best);
  return best;
}

const REQUIRES_SCRIPT = `
import json, sys, zipfile
from email.parser import HeaderParser
from packaging.requirements import Requirement
out = {}
for path in sys.argv[1:]:
    z = zipfile.ZipFile(path)
    meta = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")][0]
    # a real header parser: multi-line fields (License texts) must not end the headers early
    headers = HeaderParser().parsestr(z.read(meta).decode("utf-8"))
    reqs = []
    for text in headers.get_all("Requires-Dist") or []:
        req = Requirement(text.strip())
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            reqs.append(req.name)
    out[path] = reqs
print(json.dumps(out))
`;

export interface BackendClosure {
  wheels: BackendWheel[];
  /** Normalized name → normalized runtime dependency names. */
  dependencies: Record<string, string[]>;
}

/** Every wheel `names` need at run time (for python3.11), or the reason one is missing. */
export function backendClosure(names: string[]): BackendClosure | { missing: string } {
  return wheelClosure(names, findWheel, [...MIRRORS, ...BUNDLED].join(", "));
}

/**
 * The runtime closure of `names`, each wheel found by `find` (`lookedIn` says where, for the
 * message when one is missing); dependencies read from each wheel's METADATA.
 */
export function wheelClosure(names: string[], find: (name: string) => BackendWheel | undefined, lookedIn: string): BackendClosure | { missing: string } {
  const wheels = new Map<string, BackendWheel>();
  const dependencies: Record<string, string[]> = {};
  let todo = names.map(normalize);
  while (todo.length > 0) {
    const batch: BackendWheel[] = [];
    for (const name of todo) {
      if (wheels.has(name)) continue;
      const wheel = find(name);
      if (wheel === undefined) return { missing: `no offline wheel of ${name} on this machine (looked in ${lookedIn})` };
      wheels.set(name, wheel);
      batch.push(wheel);
    }
    if (batch.length === 0) break;
    const result = spawnSync("python3", ["-c", REQUIRES_SCRIPT, ...batch.map((w) => w.path)], { encoding: "utf8" });
    if (result.status !== 0) return { missing: `cannot read wheel metadata with python3 + packaging: ${result.stderr}` };
    const reqs = JSON.parse(result.stdout) as Record<string, string[]>;
    todo = [];
    for (const wheel of batch) {
      dependencies[wheel.name] = [...new Set(reqs[wheel.path]!.map(normalize))].sort();
      todo.push(...dependencies[wheel.name]!);
    }
  }
  return { wheels: [...wheels.values()].sort((a, b) => a.name.localeCompare(b.name)), dependencies };
}

/** A pylock.toml listing `closure`'s wheels (by local path) and their dependency edges. */
export function buildLockText(closure: BackendClosure): string {
  const out = ['lock-version = "1.0"', 'created-by = "wheelwright-tests"', ""];
  for (const wheel of closure.wheels) {
    out.push("[[packages]]", `name = "${wheel.name}"`, `version = "${wheel.version}"`);
    out.push(`dependencies = [${(closure.dependencies[wheel.name] ?? []).map((d) => `{ name = "${d}" }`).join(", ")}]`);
    out.push("", "[[packages.wheels]]", `name = "${wheel.filename}"`, `path = ${JSON.stringify(wheel.path)}`, `hashes = { sha256 = "${wheel.sha256}" }`, "");
  }
  return out.join("\n");
}

/** Writes a build lock for `names` at `file`; returns the closure, or the reason it can't. */
export function writeBuildLock(file: string, names: string[]): BackendClosure | { missing: string } {
  const closure = backendClosure(names);
  if ("missing" in closure) return closure;
  writeFileSync(file, buildLockText(closure));
  return closure;
}
