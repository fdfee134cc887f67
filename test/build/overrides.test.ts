// Per-package overrides reach the build: `[tool.wheelwright.packages.<name>]` env and
// config-settings are what the backend sees, next to the fixed build environment (private
// HOME/TMPDIR, SOURCE_DATE_EPOCH, PYTHONHASHSEED, no inherited PYTHON* variables).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sync } from "../../src/sync/index.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { makeSdist, writeProject } from "../helpers/projects.js";
import { buildLockFor, makeWorkspace, syncFlags, writeProjectLock, type Workspace } from "./fixtures.js";

const skipReason = hasPython311 ? undefined : "pyenv 3.11.7 is not installed";
if (skipReason) console.warn(`skipping override tests: ${skipReason}`);

// An in-tree backend that writes what it saw into the package before setuptools builds it.
const RECORDING_BACKEND = `import json, os
from setuptools import build_meta as _setuptools
get_requires_for_build_wheel = _setuptools.get_requires_for_build_wheel

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    seen = {k: os.environ.get(k) for k in ("WW_MARK", "HOME", "TMPDIR", "SOURCE_DATE_EPOCH", "PYTHONHASHSEED", "PYTHONPATH", "WW_LEAK")}
    seen["config"] = config_settings
    with open(os.path.join("seen_pkg", "seen.json"), "w") as f:
        json.dump(seen, f)
    return _setuptools.build_wheel(wheel_directory, {}, metadata_directory)
`;

describe.skipIf(skipReason !== undefined)("package overrides in builds", () => {
  let ws: Workspace;
  let project: string;
  let missing: string | undefined;

  beforeAll(async () => {
    ws = makeWorkspace("overrides");
    const lock = buildLockFor(ws.dir, ["setuptools"]);
    if ("missing" in lock) {
      missing = lock.missing;
      return;
    }
    const src = writeProject(join(ws.dir, "src"), {
      name: "seen-pkg",
      version: "1.0",
      backend: "setuptools",
      files: {
        "_backend/recording.py": RECORDING_BACKEND,
        "MANIFEST.in": "include seen_pkg/seen.json\n",
        "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "recording"\nbackend-path = ["_backend"]\n\n[project]\nname = "seen-pkg"\nversion = "1.0"\n\n[tool.setuptools]\npackages = ["seen_pkg"]\n\n[tool.setuptools.package-data]\nseen_pkg = ["seen.json"]\n',
      },
    });
    project = join(ws.dir, "project");
    mkdirSync(project);
    writeProjectLock(project, [{ name: "seen-pkg", version: "1.0", source: { sdist: makeSdist(src, join(ws.dir, "dist"), "seen-pkg", "1.0") } }]);
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "consumer"\nversion = "0"\n\n[tool.wheelwright.packages.seen-pkg]\nenv = { WW_MARK = "from-override" }\nconfig-settings = { "--quiet" = "yes", "--flags" = ["a", "b"] }\n');
    const saved = { PYTHONPATH: process.env.PYTHONPATH, WW_LEAK: process.env.WW_LEAK };
    process.env.PYTHONPATH = "/should/not/leak";
    process.env.WW_LEAK = "leaked";
    try {
      await sync({ dir: project, flags: syncFlags(ws, lock.file) });
    } finally {
      for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    }
  }, 240_000);
  afterAll(() => ws?.cleanup());

  it("passes the override's env and config settings, and nothing of the caller's environment", (ctx) => {
    if (missing) return ctx.skip(missing);
    const text = execFileSync(join(project, ".venv/bin/python"), ["-c", "import importlib.resources as r; print(r.files('seen_pkg').joinpath('seen.json').read_text())"], { encoding: "utf8" });
    const seen = JSON.parse(text) as Record<string, unknown>;
    expect(seen.WW_MARK).toBe("from-override");
    expect(seen.config).toEqual({ "--quiet": "yes", "--flags": ["a", "b"] });
    expect(seen.SOURCE_DATE_EPOCH).toBe("315532800");
    expect(seen.PYTHONHASHSEED).toBe("0");
    expect(seen.PYTHONPATH).toBeNull();
    expect(seen.WW_LEAK).toBeNull();
    expect(seen.HOME).toMatch(/\/scratch\/home$/);
    expect(seen.TMPDIR).toMatch(/\/scratch\/tmp$/);
    expect(seen.HOME).not.toBe(process.env.HOME);
  });
});
