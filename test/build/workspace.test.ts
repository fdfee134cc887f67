// A uv workspace lock with editable members (the root project and a library under libs/)
// and a git dependency pinned to a commit of a local repository: sync builds all three
// (editables through PEP 660 in their working trees) and the environment imports them.
import { execFileSync } from "node:child_process";
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sync } from "../../src/sync/index.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { makeGitRepo, writeProject } from "../helpers/projects.js";
import { buildLockFor, makeWorkspace, syncFlags, type Workspace } from "./fixtures.js";

const skipReason = hasPython311 ? undefined : "pyenv 3.11.7 is not installed";
if (skipReason) console.warn(`skipping workspace tests: ${skipReason}`);

describe.skipIf(skipReason !== undefined)("uv workspace with editable members and a git source", () => {
  let ws: Workspace;
  let app: string;
  let missing: string | undefined;
  let buildLock: string;

  beforeAll(async () => {
    ws = makeWorkspace("workspace");
    const lock = buildLockFor(ws.dir, ["setuptools"]);
    if ("missing" in lock) {
      missing = lock.missing;
      return;
    }
    const repo = writeProject(ws.dir, { name: "git-dep", version: "0.3.0", backend: "setuptools" });
    const commit = makeGitRepo(repo);
    app = writeProject(ws.dir, { name: "ws-app", version: "0.1.0", backend: "setuptools", dependencies: ["ws-lib", "git-dep"], modules: { "__init__.py": "import ws_lib, git_dep\nVALUE = (ws_lib.VALUE, git_dep.VALUE)\n" } });
    writeProject(join(app, "libs"), { name: "ws-lib", version: "0.2.0", backend: "setuptools" });
    writeFileSync(
      join(app, "uv.lock"),
      [
        "version = 1",
        "revision = 3",
        'requires-python = ">=3.11"',
        "",
        "[manifest]",
        'members = ["ws-app", "ws-lib"]',
        "",
        "[[package]]",
        'name = "git-dep"',
        'version = "0.3.0"',
        `source = { git = "file://${repo}?rev=main#${commit}" }`,
        "",
        "[[package]]",
        'name = "ws-app"',
        'version = "0.1.0"',
        'source = { editable = "." }',
        'dependencies = [{ name = "git-dep" }, { name = "ws-lib" }]',
        "",
        "[[package]]",
        'name = "ws-lib"',
        'version = "0.2.0"',
        'source = { editable = "libs/ws-lib" }',
        "",
      ].join("\n"),
    );
    buildLock = lock.file;
    await sync({ dir: app, flags: syncFlags(ws, lock.file) });
  }, 300_000);
  afterAll(() => ws?.cleanup());

  it("imports the members from their working trees and the git dependency from the store", (ctx) => {
    if (missing) return ctx.skip(missing);
    const out = execFileSync(join(app, ".venv/bin/python"), ["-c", "import ws_app, ws_lib, git_dep; print(ws_app.VALUE); print(ws_lib.__file__); print(git_dep.__file__)"], { encoding: "utf8" }).trim().split("\n");
    expect(out[0]).toBe("('ws-lib 0.2.0', 'git-dep 0.3.0')");
    expect(realpathSync(out[1]!)).toBe(realpathSync(join(app, "libs/ws-lib/ws_lib/__init__.py")));
    expect(realpathSync(out[2]!).startsWith(join(realpathSync(ws.store), "store") + "/")).toBe(true);
  });

  it("rebuilds an editable when its metadata changes, not when a module does", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const lib = join(app, "libs/ws-lib");
    writeFileSync(join(lib, "ws_lib/__init__.py"), 'VALUE = "edited in place"\n');
    const edited = await sync({ dir: app, flags: syncFlags(ws, buildLock) });
    expect(edited.built).toBe(0);
    expect(execFileSync(join(app, ".venv/bin/python"), ["-c", "import ws_lib; print(ws_lib.VALUE)"], { encoding: "utf8" }).trim()).toBe("edited in place");

    // a new entry point is metadata: the editable wheel is built again and the script appears
    const pyproject = join(lib, "pyproject.toml");
    writeFileSync(pyproject, readFileSync(pyproject, "utf8").replace("[tool.setuptools]", '[project.scripts]\nws-lib-hello = "ws_lib:hello"\n\n[tool.setuptools]'));
    writeFileSync(join(lib, "ws_lib/__init__.py"), 'VALUE = "edited in place"\n\ndef hello():\n    print("hello from ws-lib")\n');
    const rebuilt = await sync({ dir: app, flags: syncFlags(ws, buildLock) });
    expect(rebuilt.built).toBe(1);
    expect(execFileSync(join(app, ".venv/bin/ws-lib-hello"), { encoding: "utf8" }).trim()).toBe("hello from ws-lib");
  }, 240_000);
});
