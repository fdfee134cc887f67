// Every kind of source a lock can name, built in one sync: git (local repository, pinned
// commit, subdirectory), a plain directory, an editable working tree, a url archive with a
// subdirectory, a project with no [build-system] (PEP 517 fallback), an in-tree backend
// (backend-path) whose get_requires_for_build_wheel asks for another package of the lock.
import { execFileSync } from "node:child_process";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sync } from "../../src/sync/index.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { makeGitRepo, makeSdist, writeProject } from "../helpers/projects.js";
import { buildLockFor, makeWorkspace, syncFlags, writeProjectLock, type Workspace } from "./fixtures.js";

const skipReason = hasPython311 ? undefined : "pyenv 3.11.7 is not installed";
if (skipReason) console.warn(`skipping source-kind tests: ${skipReason}`);

const DYNAMIC_BACKEND = `from setuptools import build_meta as _setuptools

def get_requires_for_build_wheel(config_settings=None):
    return ["helper-pkg"]

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    import helper_pkg  # only importable when the backend's extra requirement is in the build env
    assert helper_pkg.VALUE == "helper-pkg 1.0"
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
`;

describe.skipIf(skipReason !== undefined)("source kinds", () => {
  let ws: Workspace;
  let project: string;
  let editableDir: string;
  let missing: string | undefined;
  const py = (code: string) => execFileSync(join(project, ".venv/bin/python"), ["-c", code], { encoding: "utf8" }).trim();

  beforeAll(async () => {
    ws = makeWorkspace("sources");
    const lock = buildLockFor(ws.dir, ["setuptools"]);
    if ("missing" in lock) {
      missing = lock.missing;
      return;
    }
    const src = join(ws.dir, "src");
    // git: a repository whose project lives in a subdirectory
    const repo = join(ws.dir, "repo");
    writeProject(join(repo, "pkgs"), { name: "git-pkg", version: "0.3", backend: "setuptools" });
    const commit = makeGitRepo(repo);
    writeFileSync(join(repo, "pkgs/git-pkg/git_pkg/__init__.py"), "VALUE = 'uncommitted'\n"); // must not be seen
    // url archive: a monorepo tarball with the project in a subdirectory
    const mono = join(ws.dir, "monorepo");
    writeProject(join(mono, "libs"), { name: "arc-pkg", version: "0.4", backend: "setuptools" });
    const archive = makeSdist(mono, join(ws.dir, "dist"), "monorepo", "1");
    const dirPkg = writeProject(src, { name: "dir-pkg", version: "0.5", backend: "setuptools" });
    editableDir = writeProject(src, { name: "edit-pkg", version: "0.6", backend: "setuptools" });
    const legacy = writeProject(src, { name: "legacy-pkg", version: "0.7", backend: "setuptools", noBuildSystem: true, files: { "setup.py": "from setuptools import setup\nsetup(name='legacy-pkg', version='0.7', packages=['legacy_pkg'])\n" } });
    const helper = writeProject(src, { name: "helper-pkg", version: "1.0", backend: "setuptools" });
    const dynamic = writeProject(src, {
      name: "dyn-pkg",
      version: "0.8",
      backend: "setuptools",
      files: {
        "_backend/dynback.py": DYNAMIC_BACKEND,
        "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "dynback"\nbackend-path = ["_backend"]\n\n[project]\nname = "dyn-pkg"\nversion = "0.8"\n\n[tool.setuptools]\npackages = ["dyn_pkg"]\n',
      },
    });
    project = join(ws.dir, "project");
    mkdirSync(project);
    writeProjectLock(project, [
      { name: "git-pkg", version: "0.3", source: { git: repo, commit, subdirectory: "pkgs/git-pkg" } },
      { name: "arc-pkg", version: "0.4", source: { archive, subdirectory: "libs/arc-pkg" } },
      { name: "dir-pkg", version: "0.5", source: { directory: dirPkg } },
      { name: "edit-pkg", version: "0.6", source: { directory: editableDir, editable: true } },
      { name: "legacy-pkg", version: "0.7", source: { sdist: makeSdist(legacy, join(ws.dir, "dist"), "legacy-pkg", "0.7") } },
      { name: "helper-pkg", version: "1.0", source: { sdist: makeSdist(helper, join(ws.dir, "dist"), "helper-pkg", "1.0") } },
      { name: "dyn-pkg", version: "0.8", source: { sdist: makeSdist(dynamic, join(ws.dir, "dist"), "dyn-pkg", "0.8") } },
    ]);
    await sync({ dir: project, flags: syncFlags(ws, lock.file) });
  }, 300_000);
  afterAll(() => ws?.cleanup());

  it("builds a git source at its pinned commit, from its subdirectory", (ctx) => {
    if (missing) return ctx.skip(missing);
    expect(py("import git_pkg; print(git_pkg.VALUE)")).toBe("git-pkg 0.3");
  });

  it("builds a url archive from its subdirectory", (ctx) => {
    if (missing) return ctx.skip(missing);
    expect(py("import arc_pkg; print(arc_pkg.VALUE)")).toBe("arc-pkg 0.4");
  });

  it("builds a directory source", (ctx) => {
    if (missing) return ctx.skip(missing);
    expect(py("import dir_pkg; print(dir_pkg.VALUE)")).toBe("dir-pkg 0.5");
  });

  it("installs an editable project pointing at its working tree, with its build system in the venv", (ctx) => {
    if (missing) return ctx.skip(missing);
    const file = py("import edit_pkg; print(edit_pkg.__file__)");
    expect(realpathSync(file)).toBe(realpathSync(join(editableDir, "edit_pkg/__init__.py")));
    writeFileSync(join(editableDir, "edit_pkg/__init__.py"), "VALUE = 'edited in place'\n");
    expect(py("import edit_pkg; print(edit_pkg.VALUE)")).toBe("edited in place");
    expect(py("import importlib.metadata as m; print(m.version('setuptools'))")).toMatch(/^\d+\./);
  });

  it("builds a project without [build-system] through the PEP 517 fallback", (ctx) => {
    if (missing) return ctx.skip(missing);
    expect(py("import legacy_pkg; print(legacy_pkg.VALUE)")).toBe("legacy-pkg 0.7");
  });

  it("runs an in-tree backend (backend-path) and honours its get_requires_for_build_wheel", (ctx) => {
    if (missing) return ctx.skip(missing);
    expect(py("import dyn_pkg; print(dyn_pkg.VALUE)")).toBe("dyn-pkg 0.8");
  });
});
