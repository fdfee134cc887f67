import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import type { Interpreter } from "../../src/python/types.js";
import { assembleVenv, type VenvMember } from "../../src/venv/assemble.js";
import { hasPython311, realInterpreter } from "../helpers/interpreter.js";

if (!hasPython311) console.warn("skipping venv assembly tests: /root/.pyenv/versions/3.11.7 is absent");

describe.skipIf(!hasPython311)("venv assembly", () => {
  let python: Interpreter;
  let work: string;
  const site = "lib/python3.11/site-packages";

  /** A member prefix with the given files (relative path → content). */
  function member(name: string, files: Record<string, string>): VenvMember {
    const root = join(work, "members", name);
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), content.replaceAll("@PYTHON@", python.executable));
      if (rel.startsWith("bin/")) chmodSync(join(root, rel), 0o755);
    }
    return { name, path: root };
  }

  function distInfo(name: string, version: string): Record<string, string> {
    const d = `${site}/${name}-${version}.dist-info`;
    return { [`${d}/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`, [`${d}/RECORD`]: "", [`${d}/INSTALLER`]: "wheelwright\n" };
  }

  beforeAll(async () => {
    python = await realInterpreter();
    work = mkdtempSync(join(tmpdir(), "ww-venv-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function build(members: VenvMember[], extra: Partial<Parameters<typeof assembleVenv>[0]> = {}): Promise<string> {
    const out = mkdtempSync(join(work, "venv-"));
    rmSync(out, { recursive: true });
    await assembleVenv({ out, finalPath: out, python, members, ...extra });
    return out;
  }

  it("is a standard venv: sys.prefix, child interpreters, metadata, scripts, no PYTHONPATH", async () => {
    const alpha = member("alpha", {
      ...distInfo("alpha", "1.0"),
      [`${site}/alpha/__init__.py`]: "VALUE = 'alpha'\n",
      "bin/alpha-tool": "#!@PYTHON@\nimport sys, alpha\nprint(sys.executable, alpha.VALUE)\n",
    });
    const beta = member("beta", { ...distInfo("beta", "2.0"), [`${site}/beta.py`]: "import alpha\n" });
    const venv = await build([alpha, beta]);
    const py = join(venv, "bin", "python");
    const env = { PATH: "/usr/bin:/bin" };
    const run = (code: string) => execFileSync(py, ["-c", code], { env, encoding: "utf8" }).trim();
    expect(run("import sys; print(sys.prefix)")).toBe(venv);
    expect(run("import sys, subprocess; print(subprocess.check_output([sys.executable, '-c', 'import beta, alpha; print(alpha.VALUE)'], text=True).strip())")).toBe("alpha");
    expect(run("import importlib.metadata as m; print(sorted((d.metadata['Name'], d.version) for d in m.distributions()))")).toBe("[('alpha', '1.0'), ('beta', '2.0')]");
    expect(run("import os; print(os.environ.get('PYTHONPATH'))")).toBe("None");
    const tool = execFileSync(join(venv, "bin", "alpha-tool"), { env, encoding: "utf8" }).trim();
    expect(tool).toBe(`${py} alpha`);
    // one member owns site-packages/alpha: it is linked as a whole
    expect(lstatSync(join(venv, site, "alpha")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(venv, "pyvenv.cfg"), "utf8")).toContain("include-system-site-packages = false");
    for (const link of ["python3", "python3.11"]) expect(readlinkSync(join(venv, "bin", link))).toBe("python");
  });

  it("merges shared directories (namespace packages) and accepts identical files", async () => {
    const a = member("ns-a", { [`${site}/ns/a/__init__.py`]: "A = 1\n", [`${site}/README.txt`]: "same\n" });
    const b = member("ns-b", { [`${site}/ns/b/__init__.py`]: "B = 2\n", [`${site}/README.txt`]: "same\n" });
    const venv = await build([a, b]);
    expect(lstatSync(join(venv, site, "ns")).isDirectory()).toBe(true);
    expect(lstatSync(join(venv, site, "ns/a")).isSymbolicLink()).toBe(true);
    const out = execFileSync(join(venv, "bin/python"), ["-c", "import ns.a, ns.b; print(ns.a.A + ns.b.B)"], { encoding: "utf8" }).trim();
    expect(out).toBe("3");
  });

  it("refuses files with different bytes, naming both packages, unless ignored or skipped", async () => {
    const a = member("lic-a", { [`${site}/LICENSE`]: "MIT\n", [`${site}/__pycache__/x.cpython-311.pyc`]: "one" });
    const b = member("lic-b", { [`${site}/LICENSE`]: "BSD\n", [`${site}/__pycache__/x.cpython-311.pyc`]: "two" });
    try {
      await build([a, b]);
      expect.unreachable();
    } catch (error) {
      expect(isWheelwrightError(error, "ERR_WW_VENV_COLLISION")).toBe(true);
      expect((error as Error).message).toMatch(/LICENSE.*lic-a.*lic-b/);
    }
    const ignored = await build([a, b], { ignoreCollisions: ["LICENSE"] });
    expect(readFileSync(join(ignored, site, "LICENSE"), "utf8")).toBe("MIT\n"); // first wins
    const skipped = await build([a, b], { skip: ["**/LICENSE"] });
    expect(existsSync(join(skipped, site, "LICENSE"))).toBe(false);
  });

  it("activate scripts put the venv first on PATH", async () => {
    const venv = await build([member("solo", { [`${site}/solo.py`]: "" })]);
    const out = execFileSync("bash", ["-c", `. '${venv}/bin/activate' && command -v python && echo "$VIRTUAL_ENV" && deactivate && echo "\${VIRTUAL_ENV:-unset}"`], { encoding: "utf8" });
    expect(out.trim().split("\n")).toEqual([join(venv, "bin/python"), venv, "unset"]);
    expect(readFileSync(join(venv, "bin/activate.fish"), "utf8")).toContain(`set -gx VIRTUAL_ENV '${venv}'`);
    expect(readFileSync(join(venv, "bin/activate.csh"), "utf8")).toContain(`setenv VIRTUAL_ENV '${venv}'`);
  });

  it("copy mode writes a real, writable tree with no links into members", async () => {
    const m = member("copied", { [`${site}/copied/__init__.py`]: "X = 1\n", "bin/copied": "#!@PYTHON@\nprint('hi')\n" });
    const venv = await build([m], { mode: "copy" });
    expect(lstatSync(join(venv, site, "copied")).isDirectory()).toBe(true);
    expect(lstatSync(join(venv, site, "copied/__init__.py")).isFile()).toBe(true);
    writeFileSync(join(venv, site, "copied/__init__.py"), "X = 2\n");
    expect(readFileSync(join(m.path, site, "copied/__init__.py"), "utf8")).toBe("X = 1\n");
    expect(execFileSync(join(venv, "bin/copied"), { encoding: "utf8" }).trim()).toBe("hi");
  });
});
