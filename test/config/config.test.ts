import { describe, expect, it } from "vitest";
import { loadSettings } from "../../src/config/load.js";
import { overridesOverlay } from "../../src/config/overrides.js";
import { isWheelwrightError, type WheelwrightError } from "../../src/errors.js";
import { supportedTags } from "../../src/pep/tags.js";
import { readPyproject, toolTable } from "../../src/pep/pyproject.js";
import { mkRecipe } from "../../src/scope/recipe.js";
import { fakeSet } from "../helpers/recipes.js";
import { FIXED_INTERPRETER } from "../helpers/interpreter.js";

const PYPROJECT = `[project]
name = "demo"
version = "1"

[tool.wheelwright]
jobs = 3
find-links = ["./wheels"]

[tool.wheelwright.venv]
ignore-collisions = ["LICENSE"]
skip = ["**/tests/**"]

[tool.wheelwright.packages.numpy]
source-preference = "sdist"
dependencies = ["setuptools", "colorama ; sys_platform == 'win32'", "typing-extensions[x]"]
config-settings = { "setup-args" = ["-Dblas=openblas"] }
env = { NPY_NUM_BUILD_JOBS = "2" }
verify-record = false
`;

function settingsOf(text: string, env: NodeJS.ProcessEnv = {}, flags: Record<string, unknown> = {}) {
  const pyproject = readPyproject(text, "/p/pyproject.toml");
  return loadSettings({ tool: toolTable(pyproject, "wheelwright")!, pyprojectFile: "/p/pyproject.toml", pyprojectText: text, env, flags });
}

describe("settings", () => {
  it("reads [tool.wheelwright], then environment variables, then flags", () => {
    const s = settingsOf(PYPROJECT, { WHEELWRIGHT_JOBS: "5", WHEELWRIGHT_OFFLINE: "yes" }, { jobs: 7 });
    expect(s.values.jobs).toBe(7);
    expect(s.origins.jobs).toBe("flag");
    expect(s.values.offline).toBe(true);
    expect(s.origins.offline).toBe("env");
    expect(s.values["find-links"]).toEqual(["./wheels"]);
    expect(s.origins["find-links"]).toBe("pyproject");
    expect(s.values["venv.skip"]).toEqual(["**/tests/**"]);
    expect(s.values["source-preference"]).toBe("wheel");
    expect(s.origins["source-preference"]).toBe("default");
    expect(s.packages.numpy!.configSettings).toEqual({ "setup-args": ["-Dblas=openblas"] });
  });

  it("rejects an unknown key with file, line and the nearest valid key", () => {
    const text = `[tool.wheelwright]\noflline = true\n`;
    try {
      settingsOf(text);
      expect.unreachable();
    } catch (error) {
      expect(isWheelwrightError(error, "ERR_WW_CONFIG")).toBe(true);
      const e = error as { location: { file: string; line: number }; hint: string };
      expect(e.location).toMatchObject({ file: "/p/pyproject.toml", line: 2 });
      expect(e.hint).toContain("'offline'");
    }
    expect(() => settingsOf(`[tool.wheelwright.venv]\nskipp = []\n`)).toThrowError(/venv.skipp/);
    expect(() => settingsOf(`[tool.wheelwright.packages.x]\nsource-preferenc = "wheel"\n`)).toThrowError(/source-preferenc/);
  });

  it("rejects wrong types and bad environment values", () => {
    expect(() => settingsOf(`[tool.wheelwright]\njobs = "many"\n`)).toThrowError(/jobs must be a non-negative integer/);
    expect(() => settingsOf(`[tool.wheelwright]\nsource-preference = "egg"\n`)).toThrowError(/one of "wheel", "sdist"/);
    expect(() => settingsOf("", { WHEELWRIGHT_OFFLINE: "maybe" })).toThrowError(/WHEELWRIGHT_OFFLINE=maybe/);
  });
});

describe("overrides overlay", () => {
  const tags = supportedTags(FIXED_INTERPRETER);
  const prefs = { preference: "wheel" as const, noBuild: false, noBinary: false };
  const numpy = mkRecipe({
    name: "numpy",
    version: "2.0",
    source: { kind: "wheel", file: { filename: "numpy-2.0-cp311-cp311-manylinux_2_17_x86_64.whl", sha256: "1".repeat(64) } },
    candidates: { wheels: [{ filename: "numpy-2.0-cp311-cp311-manylinux_2_17_x86_64.whl", sha256: "1".repeat(64) }], sdist: { filename: "numpy-2.0.tar.gz", sha256: "2".repeat(64) } },
    dependencies: {},
  });
  const base = fakeSet({ setuptools: {}, "typing-extensions": {} }).overrideScope(() => ({ numpy }));

  it("change source preference, add dependencies (markers evaluated), settings and record checks", () => {
    const s = settingsOf(PYPROJECT);
    const set = base.overrideScope(overridesOverlay(s.packages, { environment: FIXED_INTERPRETER.markerEnvironment, tags, prefs }));
    const r = set.get("numpy");
    expect(r.source).toEqual({ kind: "sdist", file: numpy.candidates!.sdist });
    expect(r.dependencies).toEqual({ setuptools: [], "typing-extensions": ["x"] }); // colorama is win32-only
    expect(r.env).toEqual({ NPY_NUM_BUILD_JOBS: "2" });
    expect(r.verifyRecord).toBe(false);
    expect(set.get("setuptools").version).toBe(base.get("setuptools").version);
  });

  it("refuses an override table whose name is no package name, at its line", () => {
    let error: unknown;
    try {
      settingsOf(`[tool.wheelwright]\noffline = true\n\n[tool.wheelwright.packages."num py"]\nverify-record = false\n`);
    } catch (e) {
      error = e;
    }
    expect(isWheelwrightError(error, "ERR_WW_INVALID_NAME")).toBe(true);
    expect((error as WheelwrightError).location).toEqual({ file: "/p/pyproject.toml", line: 4 });
  });

  it("names an override of a package that is not in the lock", () => {
    const s = settingsOf(`[tool.wheelwright]\noffline = true\n\n[tool.wheelwright.packages.nmupy]\nverify-record = false\n\n[tool.wheelwright.packages]\nsetuptool = { verify-record = false }\n`);
    const set = base.overrideScope(overridesOverlay(s.packages, { environment: FIXED_INTERPRETER.markerEnvironment, tags, prefs, file: "/p/pyproject.toml" }));
    const failure = (name: string): WheelwrightError => {
      try {
        set.get(name);
      } catch (error) {
        return error as WheelwrightError;
      }
      throw new Error(`${name}: no error`);
    };
    const nmupy = failure("nmupy");
    expect(nmupy.message).toMatch(/packages\.nmupy\] overrides a package that is not in the lock/);
    expect(nmupy.location).toEqual({ file: "/p/pyproject.toml", line: 4, package: "nmupy" });
    expect(nmupy.hint).toBe("did you mean 'numpy'?");
    // an inline table under [tool.wheelwright.packages] is located by its key's line
    expect(failure("setuptool").location).toMatchObject({ line: 8, package: "setuptool" });
  });
});
