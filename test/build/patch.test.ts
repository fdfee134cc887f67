// Patches: our unified-diff applier against real diffs made by `diff -u` and `git diff` (the
// oracle: applying the diff of A→B to A must give B exactly), its strictness (no fuzz, no
// escapes, all or nothing), and a patch given in [tool.wheelwright.packages.X] reaching a build.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPatchFile } from "../../src/build/patch.js";
import { isWheelwrightError, WheelwrightError } from "../../src/errors.js";
import { sync } from "../../src/sync/index.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { makeSdist, writeProject } from "../helpers/projects.js";
import { buildLockFor, makeWorkspace, syncFlags, writeProjectLock, type Workspace } from "./fixtures.js";

const hasDiff = spawnSync("diff", ["--version"]).status === 0;
const hasGit = spawnSync("git", ["--version"]).status === 0;
if (!hasDiff) console.warn("skipping the diff -u oracle: diff (diffutils) is not installed");
if (!hasGit) console.warn("skipping the git diff oracle: git is not installed");

/** A deterministic pseudo-random generator (xorshift), so a failure reproduces. */
function random(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** A file of `n` lines with repeats (so context alone can match in several places). */
function original(n: number, rnd: () => number, newline: boolean): string {
  const lines = Array.from({ length: n }, (_, i) => (rnd() < 0.2 ? "    pass" : `line ${i} ${Math.floor(rnd() * 1000)}`));
  return lines.join("\n") + (newline && n > 0 ? "\n" : "");
}

function mutate(text: string, rnd: () => number, newline: boolean): string {
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  const edits = 1 + Math.floor(rnd() * 5);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (lines.length + 1));
    const kind = rnd();
    if (kind < 0.35) lines.splice(at, 0, `inserted ${e} ${Math.floor(rnd() * 1e6)}`);
    else if (kind < 0.7 && lines.length > 0) lines.splice(Math.min(at, lines.length - 1), 1 + Math.floor(rnd() * 3));
    else if (lines.length > 0) lines[Math.min(at, lines.length - 1)] = `changed ${e}`;
  }
  return lines.join("\n") + (newline && lines.length > 0 ? "\n" : "");
}

describe("applying unified diffs", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ww-patch-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function tree(name: string, files: Record<string, string>): string {
    const root = join(dir, name);
    rmSync(root, { recursive: true, force: true });
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(join(root, rel, ".."), { recursive: true });
      writeFileSync(join(root, rel), content);
    }
    return root;
  }

  it.skipIf(!hasDiff)("turns A into B for 120 random edits diffed by diff -u (moves, end-of-file newlines, repeats)", () => {
    const rnd = random(20261202);
    for (let round = 0; round < 120; round++) {
      const a = original(Math.floor(rnd() * 40), rnd, rnd() < 0.8);
      const b = mutate(a, rnd, rnd() < 0.8);
      const root = tree("oracle", { "pkg/mod.py": a });
      writeFileSync(join(dir, "b.py"), b);
      const context = String(Math.floor(rnd() * 4));
      const made = spawnSync("diff", [`-U${context}`, "--label", "a/pkg/mod.py", "--label", "b/pkg/mod.py", join(root, "pkg/mod.py"), join(dir, "b.py")], { encoding: "utf8" });
      if (made.status === 0) continue; // no difference
      writeFileSync(join(dir, "p.diff"), made.stdout);
      applyPatchFile(root, join(dir, "p.diff"));
      expect(readFileSync(join(root, "pkg/mod.py"), "utf8"), `round ${round}, -U${context}\n${made.stdout}`).toBe(b);
    }
  });

  it.skipIf(!hasGit)("applies a git diff that changes, creates, deletes and makes a file executable", () => {
    const before = { "setup.py": "from setuptools import setup\nsetup()\n", "pkg/__init__.py": "VALUE = 1\n", "pkg/old.py": "gone = True\n" };
    const after = { "setup.py": "from setuptools import setup\n\nsetup(name='x')\n", "pkg/__init__.py": "VALUE = 2\n", "pkg/new.py": "fresh = True\n", "tool.sh": "#!/bin/sh\necho hi\n" };
    const a = tree("git", before);
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.fileMode=true", ...args], { cwd: a, encoding: "utf8" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "before");
    rmSync(join(a, "pkg/old.py"));
    for (const [rel, content] of Object.entries(after)) writeFileSync(join(a, rel), content);
    execFileSync("chmod", ["+x", join(a, "tool.sh")]);
    git("add", "-A");
    const diff = git("diff", "--cached", "--no-renames", "--no-color");
    git("reset", "-q", "--hard", "HEAD");
    rmSync(join(a, "tool.sh"), { force: true });
    rmSync(join(a, "pkg/new.py"), { force: true });
    expect(readFileSync(join(a, "pkg/__init__.py"), "utf8")).toBe("VALUE = 1\n");
    writeFileSync(join(dir, "git.diff"), diff);
    const changed = applyPatchFile(a, join(dir, "git.diff"));
    expect(changed.sort()).toEqual(["pkg/__init__.py", "pkg/new.py", "pkg/old.py", "setup.py", "tool.sh"]);
    for (const [rel, content] of Object.entries(after)) expect(readFileSync(join(a, rel), "utf8")).toBe(content);
    expect(existsSync(join(a, "pkg/old.py"))).toBe(false);
    expect(execFileSync("stat", ["-c", "%a", join(a, "tool.sh")], { encoding: "utf8" }).trim()).toBe("755");
  });

  it("refuses a hunk whose context does not match, naming the patch line and file, and changes nothing", () => {
    const root = tree("strict", { "a.py": "one\ntwo\nthree\n", "b.py": "alpha\nbeta\n" });
    writeFileSync(
      join(dir, "bad.diff"),
      ["--- a/a.py", "+++ b/a.py", "@@ -1,3 +1,3 @@", " one", "-two", "+TWO", " three", "--- a/b.py", "+++ b/b.py", "@@ -1,2 +1,2 @@", " alpha", "-gamma", "+GAMMA", ""].join("\n"),
    );
    let error: unknown;
    try {
      applyPatchFile(root, join(dir, "bad.diff"), { package: "demo" });
    } catch (e) {
      error = e;
    }
    expect(isWheelwrightError(error, "ERR_WW_PATCH")).toBe(true);
    const e = error as WheelwrightError;
    expect(e.message).toContain("does not apply to b.py");
    expect(e.location).toEqual({ file: join(dir, "bad.diff"), line: 10, package: "demo" });
    expect(e.hint).toContain("[tool.wheelwright.packages.demo] patches");
    // all or nothing: the first file, whose hunk did apply, is untouched
    expect(readFileSync(join(root, "a.py"), "utf8")).toBe("one\ntwo\nthree\n");
  });

  it("finds a hunk that moved (lines added above it), the nearest match first, but never fuzzes", () => {
    const root = tree("moved", { "m.py": "header\nx = 1\nend\n" });
    writeFileSync(join(dir, "moved.diff"), "--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,3 @@\n header\n-x = 1\n+x = 2\n end\n");
    writeFileSync(join(root, "m.py"), "# added\n# lines\nheader\nx = 1\nend\nheader\nx = 1\nend\n");
    applyPatchFile(root, join(dir, "moved.diff"));
    expect(readFileSync(join(root, "m.py"), "utf8")).toBe("# added\n# lines\nheader\nx = 2\nend\nheader\nx = 1\nend\n");
    writeFileSync(join(root, "m.py"), "header\nx  = 1\nend\n");
    expect(() => applyPatchFile(root, join(dir, "moved.diff"))).toThrowError(/does not apply to m\.py/);
  });

  it("refuses paths that leave the tree, and text that is no diff", () => {
    const root = tree("escape", { "a.py": "x\n" });
    writeFileSync(join(dir, "escape.diff"), "--- a/../outside.py\n+++ b/../outside.py\n@@ -0,0 +1 @@\n+evil\n");
    expect(() => applyPatchFile(root, join(dir, "escape.diff"))).toThrowError(/leaves the source tree/);
    expect(existsSync(join(dir, "outside.py"))).toBe(false);
    writeFileSync(join(dir, "empty.diff"), "just some text\n");
    expect(() => applyPatchFile(root, join(dir, "empty.diff"))).toThrowError(/no file changes/);
  });
});

const skipReason = hasPython311 ? undefined : "pyenv 3.11.7 is not installed";
if (skipReason) console.warn(`skipping the patched build: ${skipReason}`);

describe.skipIf(skipReason !== undefined)("a patch in [tool.wheelwright.packages]", () => {
  let ws: Workspace;
  let missing: string | undefined;
  let buildLock: string | undefined;
  let project: string;

  beforeAll(() => {
    ws = makeWorkspace("patched");
    const lock = buildLockFor(ws.dir, ["setuptools"]);
    if ("missing" in lock) missing = lock.missing;
    else buildLock = lock.file;
    const src = writeProject(join(ws.dir, "src"), { name: "patched-pkg", version: "1.0", backend: "setuptools", modules: { "__init__.py": 'VALUE = "upstream"\n' } });
    project = join(ws.dir, "project");
    mkdirSync(join(project, "patches"), { recursive: true });
    writeProjectLock(project, [{ name: "patched-pkg", version: "1.0", source: { sdist: makeSdist(src, join(ws.dir, "dist"), "patched-pkg", "1.0") } }]);
  });
  afterAll(() => ws?.cleanup());

  const value = () => execFileSync(join(project, ".venv/bin/python"), ["-c", "import patched_pkg; print(patched_pkg.VALUE)"], { encoding: "utf8" }).trim();

  it("is applied before the build, enters the derivation, and a stale one fails naming its line", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const pyproject = (patch: string) => `[project]\nname = "consumer"\nversion = "0"\n\n[tool.wheelwright.packages.patched-pkg]\npatches = ["${patch}"]\n`;
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "consumer"\nversion = "0"\n');
    const plain = await sync({ dir: project, flags: syncFlags(ws, buildLock) });
    expect(value()).toBe("upstream");

    writeFileSync(join(project, "patches/value.diff"), '--- a/patched_pkg/__init__.py\n+++ b/patched_pkg/__init__.py\n@@ -1 +1 @@\n-VALUE = "upstream"\n+VALUE = "patched"\n');
    writeFileSync(join(project, "pyproject.toml"), pyproject("patches/value.diff"));
    const patched = await sync({ dir: project, flags: syncFlags(ws, buildLock) });
    expect(value()).toBe("patched");
    expect(patched.venv).not.toBe(plain.venv);

    // the same patch content under another name is the same derivation: nothing to build
    writeFileSync(join(project, "patches/renamed.diff"), readFileSync(join(project, "patches/value.diff")));
    writeFileSync(join(project, "pyproject.toml"), pyproject("patches/renamed.diff"));
    const renamed = await sync({ dir: project, flags: syncFlags(ws, buildLock) });
    expect(renamed.built).toBe(0);

    writeFileSync(join(project, "patches/stale.diff"), '--- a/patched_pkg/__init__.py\n+++ b/patched_pkg/__init__.py\n@@ -1 +1 @@\n-VALUE = "something else"\n+VALUE = "patched"\n');
    writeFileSync(join(project, "pyproject.toml"), pyproject("patches/stale.diff"));
    const stale = await sync({ dir: project, flags: syncFlags(ws, buildLock) }).then(() => undefined, (e: unknown) => e);
    expect(isWheelwrightError(stale, "ERR_WW_PATCH")).toBe(true);
    expect((stale as WheelwrightError).location).toMatchObject({ file: join(project, "patches/stale.diff"), line: 3, package: "patched-pkg" });

    writeFileSync(join(project, "pyproject.toml"), pyproject("patches/absent.diff"));
    const absent = await sync({ dir: project, flags: syncFlags(ws, buildLock) }).then(() => undefined, (e: unknown) => e);
    expect(isWheelwrightError(absent, "ERR_WW_CONFIG")).toBe(true);
    expect((absent as WheelwrightError).message).toContain("patches/absent.diff does not exist");
    expect((absent as WheelwrightError).location.line).toBe(6);
  }, 240_000);
});
