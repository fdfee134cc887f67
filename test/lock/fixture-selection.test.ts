// What `readLock` selects from each real lock file, compared with a tiny walk over the raw TOML
// written here (not through the readers): uv.lock from the root project along edges whose
// markers hold, with the default `dev` group; pylock.toml as the entries whose marker holds.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "smol-toml";
import { recipesOf, withMarkers } from "../helpers/lock-builder.js";
import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { readLock, type LockedEnvironment } from "../../src/lock/index.js";
import { evaluateMarker } from "../../src/pep/pep508.js";
import { satisfies } from "../../src/pep/pep440.js";
import type { Interpreter } from "../../src/python/types.js";
import { FIXED_INTERPRETER } from "../helpers/interpreter.js";

const dir = resolve(import.meta.dirname, "../../../shared/fixtures/locks");
const present = existsSync(dir);
if (!present) console.warn(`skipping lock fixture selection tests: ${dir} is absent`);
const files = present ? readdirSync(dir).filter((f) => f.endsWith(".lock") || f.endsWith(".toml")).sort() : [];
const python = (minor: number) => withMarkers({ python_version: `3.${minor}`, python_full_version: `3.${minor}.1`, implementation_version: `3.${minor}.1` }, { version: `3.${minor}.1`, versionTuple: [3, minor, 1], soabi: `cpython-3${minor}-x86_64-linux-gnu` });
/** CPython 3.11 on Linux, else the first of 3.12 / 3.13 that the lock's requires-python admits. */
const interpreters = [FIXED_INTERPRETER, python(12), python(13)];
/** Pyodide 0.29 (CPython 3.14 on Emscripten), for the pyodide lock. */
const PYODIDE = withMarkers(
  { python_version: "3.14", python_full_version: "3.14.0", implementation_version: "3.14.0", sys_platform: "emscripten", platform_system: "Emscripten", platform_machine: "wasm32", platform_release: "4.0.9" },
  { version: "3.14.0", versionTuple: [3, 14, 0], platform: "emscripten-4.0.9-wasm32", glibc: null, soabi: "cpython-314-wasm32-emscripten", tagFacts: { emscriptenPlatformVersion: "2026_0" } as Interpreter["tagFacts"] },
);

type Raw = Record<string, any>;
const norm = (n: string) => n.toLowerCase().replace(/[-_.]+/g, "-");
const holds = (marker: string | undefined, env: object) => marker === undefined || evaluateMarker(marker, { ...env, extra: "" } as never);

/** name → version of what uv would install: root project, its deps, and its `dev` group. */
function walkUvLock(data: Raw, python: Interpreter): Map<string, string> {
  const env = python.markerEnvironment;
  const packages = data.package as Raw[];
  const atRoot = packages.find((p) => p.source.editable === "." || p.source.virtual === "." || p.source.directory === ".");
  const roots = atRoot ? [atRoot] : ((data.manifest?.members ?? []) as string[]).map((m) => packages.find((p) => norm(p.name) === norm(m))!);
  const out = new Map<string, string>();
  const seen = new Set<string>();
  const queue: [Raw, Raw[]][] = roots.map((r) => [r, [...(r["dev-dependencies"]?.dev ?? []), ...(r.dependencies ?? [])]]);
  const find = (edge: Raw) => {
    const matches = packages.filter((p) => norm(p.name) === norm(edge.name) && (edge.version === undefined || p.version === edge.version) && (edge.source === undefined || JSON.stringify(p.source) === JSON.stringify(edge.source)));
    if (matches.length !== 1) throw new Error(`edge ${JSON.stringify(edge)} matches ${matches.length} entries`);
    return matches[0]!;
  };
  for (let i = 0; i < queue.length; i++) {
    const [pkg, edges] = queue[i]!;
    out.set(norm(pkg.name), pkg.version ?? "0");
    for (const edge of edges) {
      if (!holds(edge.marker, env)) continue;
      const target = find(edge);
      for (const key of ["", ...((edge.extra as string[] | undefined) ?? [])]) {
        const id = `${norm(target.name)} ${target.version} ${key}`;
        if (seen.has(id)) continue;
        seen.add(id);
        queue.push([target, key === "" ? (target.dependencies ?? []) : (target["optional-dependencies"]?.[key] ?? [])]);
      }
    }
  }
  return out;
}

/** name → version of the pylock entries whose marker holds with no extras and the default groups. */
function walkPylock(data: Raw, python: Interpreter): Map<string, string> {
  const env = { ...python.markerEnvironment, extras: new Set<string>(), dependency_groups: new Set<string>((data["default-groups"] ?? []).map(norm)) };
  const out = new Map<string, string>();
  for (const p of (data.packages ?? []) as Raw[]) if (p.marker === undefined || evaluateMarker(p.marker, env as never)) out.set(norm(p.name), p.version ?? "0");
  return out;
}

function selectedVersions(env: LockedEnvironment): Map<string, string> {
  return new Map(Object.entries(recipesOf(env)).map(([name, r]) => [name, r.version]));
}

describe.skipIf(!present)("fixture selection matches an independent walk of the raw TOML", () => {
  it.each(files)("%s", (file) => {
    const path = join(dir, file);
    const data = parse(readFileSync(path, "utf8")) as Raw;
    const requires = data["requires-python"] as string | undefined;
    const python = file.includes("pyodide") ? PYODIDE : (interpreters.find((i) => requires === undefined || satisfies(i.version, requires)) ?? FIXED_INTERPRETER);
    // Directory sources must exist: lay out empty ones next to a copy of the lock.
    const base = join(mkdtempSync(join(tmpdir(), "ww-fixture-")), "x", "y");
    const dirs = file.endsWith(".lock") ? (data.package as Raw[]).map((p) => p.source.directory as string | undefined) : ((data.packages ?? []) as Raw[]).map((p) => p.directory?.path as string | undefined);
    for (const d of dirs) if (d !== undefined) mkdirSync(resolve(base, d), { recursive: true });
    mkdirSync(base, { recursive: true });
    const copy = join(base, file.endsWith(".lock") ? "uv.lock" : "pylock.toml");
    copyFileSync(path, copy);
    let env: LockedEnvironment;
    try {
      env = readLock(copy, { python, sourcePreference: "wheel" });
    } catch (error) {
      // Locks made for other platforms (pyodide) or naming files only present in their own repository.
      expect(isWheelwrightError(error), String(error)).toBe(true);
      const code = (error as { code: string }).code;
      expect(["ERR_WW_REQUIRES_PYTHON", "ERR_WW_LOCK_ENVIRONMENT"], `${file}: ${(error as Error).message}`).toContain(code);
      console.warn(`${file}: not selectable here (${code}): ${(error as Error).message}`);
      return;
    }
    const expected = file.endsWith(".lock") ? walkUvLock(data, python) : walkPylock(data, python);
    expect(selectedVersions(env)).toEqual(expected);
    expect(env.summary.selected).toBe(expected.size);
  });

  it.skipIf(!files.includes("pallets__flask__uv.lock"))("flask on 3.11: runtime deps and the dev group, nothing from other groups", () => {
    const env = readLock(join(dir, "pallets__flask__uv.lock"), { python: FIXED_INTERPRETER });
    const names = Object.keys(recipesOf(env));
    for (const name of ["flask", "werkzeug", "jinja2", "itsdangerous", "click", "blinker", "markupsafe", "ruff", "tox", "tox-uv"]) expect(names).toContain(name);
    for (const name of ["sphinx", "pytest", "mypy", "asgiref", "python-dotenv"]) expect(names).not.toContain(name);
    expect(env.roots).toEqual({ flask: ["dev"] });
    expect(env.projectName).toBe("flask");
    const withDocs = Object.keys(recipesOf(readLock(join(dir, "pallets__flask__uv.lock"), { python: FIXED_INTERPRETER, groups: ["docs"], extras: ["async"] })));
    expect(withDocs).toContain("sphinx");
    expect(withDocs).toContain("asgiref");
    expect(recipesOf(readLock(join(dir, "pallets__flask__uv.lock"), { python: FIXED_INTERPRETER, groups: ["docs"] })).sphinx!.version).toBe("8.2.3");
  });
});
