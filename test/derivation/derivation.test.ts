import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/derivation/canonical.js";
import { Instantiator } from "../../src/derivation/instantiate.js";
import type { PackageSet } from "../../src/scope/package-set.js";
import { mkRecipe } from "../../src/scope/recipe.js";
import { fakeRecipe, fakeSet } from "../helpers/recipes.js";
import { FIXED_INTERPRETER } from "../helpers/interpreter.js";

const storeDir = "/ww/store";
const goldenDir = join(import.meta.dirname, "golden");

function sdist(name: string, version: string, buildSystem: Record<string, string[]>, deps: Record<string, string[]> = {}) {
  return mkRecipe({ name, version, source: { kind: "sdist", file: { filename: `${name}-${version}.tar.gz`, sha256: "ab".repeat(32) } }, dependencies: deps, buildSystem });
}

function baseSet(): PackageSet {
  return fakeSet({
    app: { deps: { requests: [], mylib: [] } },
    requests: { deps: { urllib3: [], idna: [] }, version: "2.31.0" },
    urllib3: { version: "2.0.7" },
    idna: { version: "3.6" },
    setuptools: { version: "69.0.0" },
    wheel: { version: "0.42.0" },
    certifi: { version: "2024.2.2" },
  }).overrideScope(() => ({ mylib: sdist("mylib", "1.0", { setuptools: [], wheel: [] }, { requests: [] }), other: sdist("other", "0.1", { setuptools: [] }) }));
}

/** Store path of every package, the build envs and the venv of `app` (+ other). */
function paths(set: PackageSet): Record<string, string> {
  const inst = new Instantiator({ set, python: FIXED_INTERPRETER, storeDir });
  const out: Record<string, string> = {};
  for (const name of set.names()) out[name] = inst.package(set.get(name))!.path;
  out["venv"] = inst.venv("app-env", set.resolveVirtualEnv({ app: [], other: [] })).path;
  return out;
}

describe("derivations", () => {
  it("pin their canonical form in golden files (WW_ACCEPT=1 regenerates)", () => {
    const set = baseSet();
    const inst = new Instantiator({ set, python: FIXED_INTERPRETER, storeDir });
    const samples = {
      "wheel.json": inst.package(set.get("urllib3"))!,
      "sdist.json": inst.package(set.get("mylib"))!,
      "build-env.json": inst.buildEnv({ setuptools: [], wheel: [] }),
      "venv.json": inst.venv("app-env", set.resolveVirtualEnv({ app: [] }), { ignoreCollisions: ["LICENSE"] }),
    };
    mkdirSync(goldenDir, { recursive: true });
    for (const [file, drv] of Object.entries(samples)) {
      const actual = `${JSON.stringify(JSON.parse(drv.canonical), null, 2)}\n// path: ${drv.path}\n`;
      const golden = join(goldenDir, file);
      if (process.env.WW_ACCEPT === "1") writeFileSync(golden, actual);
      expect(actual, `${file} differs from its golden file; if intended, rerun with WW_ACCEPT=1`).toBe(readFileSync(golden, "utf8"));
    }
  });

  it("canonical JSON sorts keys, drops undefined and has no whitespace", () => {
    expect(canonicalJson({ b: 1, a: [true, null, "x"], c: undefined, d: { z: 1, y: "é" } })).toBe('{"a":[true,null,"x"],"b":1,"d":{"y":"é","z":1}}');
  });

  it("keep runtime dependencies out: changing them moves only the venv", () => {
    const before = paths(baseSet());
    const after = paths(
      baseSet().overrideScope((_final, prev) => ({
        // add a runtime dependency to requests, and to the source-built mylib
        requests: prev.requests!.override((a) => ({ dependencies: { ...a.dependencies, certifi: [] } })),
        mylib: prev.mylib!.override((a) => ({ dependencies: { ...a.dependencies, certifi: [] } })),
        // bump a dependency's version
        urllib3: prev.urllib3!.override({ version: "2.1.0" }),
      })),
    );
    const changed = Object.keys(before).filter((name) => before[name] !== after[name]).sort();
    // urllib3 itself is a different package now; nothing that depends on it changes.
    expect(changed).toEqual(["urllib3", "venv"]);
  });

  it("change exactly the dependents of a build-system input", () => {
    const before = paths(baseSet());
    const after = paths(baseSet().overrideScope((_f, prev) => ({ wheel: prev.wheel!.override({ version: "0.43.0" }) })));
    const changed = Object.keys(before).filter((name) => before[name] !== after[name]).sort();
    // wheel itself, mylib (built with setuptools+wheel) and the venv; `other` (setuptools only) stays.
    expect(changed).toEqual(["mylib", "venv", "wheel"]);
  });

  it("share one build environment between packages with the same closure", () => {
    const set = baseSet().overrideScope(() => ({ third: sdist("third", "2", { wheel: [], setuptools: [] }) }));
    const inst = new Instantiator({ set, python: FIXED_INTERPRETER, storeDir });
    const a = inst.package(set.get("mylib"))!.inputs[0]!;
    const b = inst.package(set.get("third"))!.inputs[0]!;
    expect(a).toBe(b);
    expect(inst.package(set.get("other"))!.inputs[0]!.path).not.toBe(a.path);
  });

  it("depend on the interpreter and the store directory", () => {
    const set = baseSet();
    const p = (python = FIXED_INTERPRETER, dir = storeDir) => new Instantiator({ set, python, storeDir: dir }).package(set.get("idna"))!.path;
    expect(p({ ...FIXED_INTERPRETER, version: "3.11.8" })).not.toBe(p());
    expect(p(FIXED_INTERPRETER, "/elsewhere/store")).not.toBe(p());
    expect(p()).toBe(p());
  });

  it("give virtual packages no derivation and keep them out of venvs", () => {
    const set = fakeSet({ lib: {} }).overrideScope(() => ({ root: mkRecipe({ name: "root", version: "0", source: { kind: "virtual" }, dependencies: { lib: [] } }) }));
    const inst = new Instantiator({ set, python: FIXED_INTERPRETER, storeDir });
    expect(inst.package(set.get("root"))).toBeNull();
    expect(inst.venv("env", set.resolveVirtualEnv({ root: [] })).inputs.map((d) => d.name)).toEqual(["lib"]);
    expect(fakeRecipe).toBeTypeOf("function");
  });
});
