// Interpreter discovery and selection against the interpreters installed on this machine.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isWheelwrightError, type WheelwrightError } from "../../src/errors.js";
import { findInterpreter, findInterpreters, listInterpreterCandidates, parseInterpreterRequest } from "../../src/python/discover.js";

const PYENV = process.env.PYENV_ROOT || join(process.env.HOME ?? "/root", ".pyenv");
const versionsDir = join(PYENV, "versions");
const installed = existsSync(versionsDir) ? execFileSync("ls", [versionsDir], { encoding: "utf8" }).split("\n").filter(Boolean) : [];
const has = (v: string): boolean => installed.includes(v);
const cacheDir = mkdtempSync(join(tmpdir(), "ww-discover-cache-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
// Only pyenv's versions, so the answers do not depend on what else PATH holds.
const pyenvOnly = { cacheDir, path: "", pyenvRoot: PYENV };

function skipUnless(ok: boolean, reason: string): boolean {
  if (!ok) console.warn(`skipped: ${reason}`);
  return !ok;
}

describe("parseInterpreterRequest", () => {
  it("classifies requests", () => {
    expect(parseInterpreterRequest(undefined)).toEqual({ kind: "default" });
    expect(parseInterpreterRequest("./venv/bin/python")).toEqual({ kind: "path", path: "./venv/bin/python" });
    expect(parseInterpreterRequest("/usr/bin/python3")).toEqual({ kind: "path", path: "/usr/bin/python3" });
    expect(parseInterpreterRequest("3.12")).toMatchObject({ kind: "version", implementation: null, specifier: "==3.12.*" });
    expect(parseInterpreterRequest("3.12.1")).toMatchObject({ kind: "version", specifier: "==3.12.1" });
    expect(parseInterpreterRequest("3")).toMatchObject({ kind: "version", specifier: "==3.*" });
    expect(parseInterpreterRequest(">=3.10, <3.13")).toMatchObject({ kind: "version", specifier: ">=3.10,<3.13" });
    expect(parseInterpreterRequest("cpython3.12")).toMatchObject({ kind: "version", implementation: "cpython", specifier: "==3.12.*" });
    expect(parseInterpreterRequest("pypy3.10")).toMatchObject({ kind: "version", implementation: "pypy", specifier: "==3.10.*" });
    expect(parseInterpreterRequest("python3.11")).toMatchObject({ kind: "version", implementation: null, specifier: "==3.11.*" });
    expect(parseInterpreterRequest("3.13t")).toMatchObject({ kind: "version", specifier: "==3.13.*", freeThreaded: true });
    expect(parseInterpreterRequest("3.13.0rc1")).toMatchObject({ kind: "version", specifier: "==3.13.0rc1" });
    expect(parseInterpreterRequest("python")).toEqual({ kind: "name", name: "python" });
    expect(parseInterpreterRequest("my-python")).toEqual({ kind: "name", name: "my-python" });
  });
});

describe("findInterpreters", () => {
  it.skipIf(skipUnless(installed.length >= 3, "fewer than three pyenv interpreters installed"))(
    "lists every pyenv version once, with its real version",
    async () => {
      const found = await findInterpreters(pyenvOnly);
      const versions = found.map((i) => i.version).sort();
      expect(versions).toEqual([...installed].sort());
    },
  );

  it.skipIf(skipUnless(has("3.12.1"), "pyenv 3.12.1 not installed"))("deduplicates by realpath across PATH and pyenv", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-discover-path-"));
    try {
      symlinkSync(join(versionsDir, "3.12.1", "bin", "python3.12"), join(dir, "python3"));
      const options = { ...pyenvOnly, path: `${dir}:${join(versionsDir, "3.12.1", "bin")}` };
      const candidates = listInterpreterCandidates(options);
      expect(candidates[0]).toBe(join(dir, "python3")); // PATH before pyenv
      const found = await findInterpreters(options);
      const twelve = found.filter((i) => i.version === "3.12.1");
      expect(twelve).toHaveLength(1);
      expect(twelve[0]!.executable).toBe(join(dir, "python3"));
      expect(new Set(found.map((i) => i.realpath)).size).toBe(found.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(skipUnless(has("3.12.1"), "pyenv 3.12.1 not installed"))("keeps a venv's python apart from its base interpreter", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-discover-venv-"));
    try {
      const base = join(versionsDir, "3.12.1", "bin", "python");
      execFileSync(base, ["-m", "venv", "--without-pip", join(dir, "venv")]);
      const found = await findInterpreters({ cacheDir, pyenvRoot: null, path: `${join(dir, "venv", "bin")}:${join(versionsDir, "3.12.1", "bin")}` });
      const prefixes = found.filter((i) => i.version === "3.12.1").map((i) => i.prefix);
      expect(prefixes).toEqual([join(dir, "venv"), join(versionsDir, "3.12.1")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(skipUnless(existsSync(join(PYENV, "shims", "python3")), "no pyenv shims"))("skips pyenv shims (their targets are listed from versions/)", () => {
    const candidates = listInterpreterCandidates({ path: join(PYENV, "shims"), pyenvRoot: PYENV });
    expect(candidates.some((c) => c.includes(`${join(PYENV, "shims")}/`))).toBe(false);
  });
});

describe("findInterpreter", () => {
  it.skipIf(skipUnless(has("3.12.1"), "pyenv 3.12.1 not installed"))('picks 3.12.x for "3.12"', async () => {
    const interp = await findInterpreter("3.12", pyenvOnly);
    expect(interp.version).toMatch(/^3\.12\./);
    expect(interp.realpath).toBe(realpathSync(join(versionsDir, "3.12.1", "bin", "python")));
  });

  it.skipIf(skipUnless(installed.filter((v) => v.startsWith("3.")).length >= 3, "need three Python 3 versions"))(
    "picks the highest match for broad requests and specifiers",
    async () => {
      const threes = installed.filter((v) => v.startsWith("3.")).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
      expect((await findInterpreter("3", pyenvOnly)).version).toBe(threes.at(-1));
      const below = threes.filter((v) => Number(v.split(".")[1]) < 12);
      expect((await findInterpreter(">=3.8,<3.12", pyenvOnly)).version).toBe(below.at(-1));
      expect((await findInterpreter("cpython3.9", pyenvOnly)).version).toMatch(/^3\.9\./);
      expect((await findInterpreter("python3.13", pyenvOnly)).version).toMatch(/^3\.13\./);
    },
  );

  it("an unsatisfiable request fails with ERR_WW_PYTHON_NOT_FOUND listing what was found", async () => {
    const error = (await findInterpreter("3.99", pyenvOnly).catch((e: unknown) => e)) as WheelwrightError;
    expect(isWheelwrightError(error, "ERR_WW_PYTHON_NOT_FOUND")).toBe(true);
    expect(error.message).toContain('"3.99"');
    expect(error.hint).toBeTruthy();
    for (const v of installed) expect(error.message).toContain(v);
    expect((error.details?.found as unknown[]).length).toBe(installed.length);
    const free = (await findInterpreter("3.13t", pyenvOnly).catch((e: unknown) => e)) as WheelwrightError;
    // No free-threaded build is installed here (pyenv's 3.13.0 is the default build).
    expect(isWheelwrightError(free, "ERR_WW_PYTHON_NOT_FOUND")).toBe(true);
  });

  it("a missing path or name fails with ERR_WW_PYTHON_NOT_FOUND", async () => {
    await expect(findInterpreter("/nonexistent/bin/python3", pyenvOnly)).rejects.toSatisfy((e) => isWheelwrightError(e, "ERR_WW_PYTHON_NOT_FOUND"));
    await expect(findInterpreter("no-such-python-here", pyenvOnly)).rejects.toSatisfy((e) => isWheelwrightError(e, "ERR_WW_PYTHON_NOT_FOUND"));
  });

  it.skipIf(skipUnless(process.env.PATH?.split(":").some((d) => existsSync(join(d, "python3"))) ?? false, "no python3 on PATH"))(
    "defaults to python3 on PATH, resolving shims to the binary they run",
    async () => {
      const interp = await findInterpreter(undefined, { cacheDir });
      const expected = execFileSync("python3", ["-c", "import sys, platform; print(platform.python_version()); print(sys.executable)"], {
        encoding: "utf8",
      })
        .trim()
        .split("\n");
      expect(interp.version).toBe(expected[0]);
      expect(interp.realpath).toBe(realpathSync(expected[1]!));
    },
  );
});
