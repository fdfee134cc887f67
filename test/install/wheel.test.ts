// installWheel on small synthetic wheels: layout, scripts, metadata files, RECORD, bytecode,
// determinism. Expected values come from the specs / pip's documented behaviour and are
// checked with independent means (node crypto, Python itself running the results).
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, mkdirSync, symlinkSync } from "node:fs";
import { join, relative } from "node:path";
import { installWheel } from "../../src/install/index.js";
import { Events } from "../../src/events/emitter.js";
import type { WheelwrightEvent } from "../../src/events/types.js";
import { makeWheel, tempDir, testInterpreter } from "./fixtures.js";

const SP = "lib/python3.11/site-packages";
const PY = "/root/.pyenv/versions/3.11.7/bin/python";
const skip = existsSync(PY) ? undefined : `no ${PY}`;
if (skip) console.warn(`skipping installer tests: ${skip}`);

/** Every file under dir: relative path → [mode, sha256]. */
function snapshot(dir: string): Record<string, [number, string]> {
  const out: Record<string, [number, string]> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = [statSync(p).mode & 0o7777, createHash("sha256").update(readFileSync(p)).digest("hex")];
    }
  };
  walk(dir);
  return out;
}

const richWheel = {
  entryPoints: "[console_scripts]\ndemo = demo_pkg.cli:main\ndemo-obj = demo_pkg.cli:Obj.run [extra]\n\n[gui_scripts]\ndemo-gui = demo_pkg.cli:main\n\n[other]\nx = y:z\n",
  files: {
    "demo_pkg/__init__.py": "VALUE = {'a', 'b', 'c'}\n",
    "demo_pkg/cli.py": "import sys\ndef main():\n    print('hello from', sys.argv[0])\n    return 3\nclass Obj:\n    @staticmethod\n    def run():\n        return 0\n",
    "demo_pkg/py2only.py": "print 'old'\n",
    "demo_pkg/data.bin": Buffer.from([0, 1, 2, 255]),
    "demo_pkg/tool.sh": { data: "#!/bin/sh\necho tool\n", mode: 0o755 },
    "demo_pkg-1.0.dist-info/licenses/LICENSE": "MIT\n",
    "demo_pkg-1.0.dist-info/sboms/bom.json": "{}\n",
    "demo_pkg-1.0.data/scripts/run-me": "#!python\nprint('ran')\n",
    "demo_pkg-1.0.data/scripts/keep-shebang": "#!/usr/bin/env python3\nprint('x')\n",
    "demo_pkg-1.0.data/scripts/demo.exe": "MZ fake wrapper\n",
    "demo_pkg-1.0.data/headers/demo.h": "#define DEMO 1\n",
    "demo_pkg-1.0.data/data/share/demo/readme.txt": "data file\n",
    "demo_pkg-1.0.data/purelib/demo_extra.py": "X = 1\n",
    "demo_pkg-1.0.data/platlib/demo_plat.py": "Y = 2\n",
  },
};

describe.skipIf(skip !== undefined)("installWheel", () => {
  it("installs into the prefix layout with scripts, data, headers and metadata files", async () => {
    const interpreter = await testInterpreter();
    const dir = tempDir();
    const wheel = await makeWheel(dir, richWheel);
    const out = join(dir, "out");
    const result = await installWheel(wheel, out, { interpreter, compileBytecode: false });
    expect(result).toMatchObject({ name: "demo-pkg", version: "1.0", distInfo: `${SP}/demo_pkg-1.0.dist-info` });
    expect(result.scripts).toEqual(["bin/demo", "bin/demo-gui", "bin/demo-obj", "bin/keep-shebang", "bin/run-me"]);
    const snap = snapshot(out);
    expect(Object.keys(snap).sort()).toEqual(
      [
        "bin/demo", "bin/demo-gui", "bin/demo-obj", "bin/keep-shebang", "bin/run-me",
        "include/python3.11/demo-pkg/demo.h",
        "share/demo/readme.txt",
        `${SP}/demo_extra.py`, `${SP}/demo_plat.py`,
        `${SP}/demo_pkg/__init__.py`, `${SP}/demo_pkg/cli.py`, `${SP}/demo_pkg/data.bin`, `${SP}/demo_pkg/py2only.py`, `${SP}/demo_pkg/tool.sh`,
        ...["INSTALLER", "METADATA", "RECORD", "WHEEL", "entry_points.txt", "licenses/LICENSE", "sboms/bom.json"].map((f) => `${SP}/demo_pkg-1.0.dist-info/${f}`),
      ].sort(),
    );
    // Modes are explicit, independent of the umask.
    expect(snap["bin/run-me"]![0]).toBe(0o755);
    expect(snap["bin/demo"]![0]).toBe(0o755);
    expect(snap[`${SP}/demo_pkg/tool.sh`]![0]).toBe(0o755);
    expect(snap[`${SP}/demo_pkg/cli.py`]![0]).toBe(0o644);
    const read = (p: string) => readFileSync(join(out, p), "utf8");
    expect(read("bin/run-me")).toBe(`#!${interpreter.executable}\nprint('ran')\n`);
    expect(read("bin/keep-shebang")).toBe("#!/usr/bin/env python3\nprint('x')\n");
    expect(read("bin/demo-obj")).toBe(
      `#!${interpreter.executable}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom demo_pkg.cli import Obj\nif __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(Obj.run())\n`,
    );
    expect(read(`${SP}/demo_pkg-1.0.dist-info/INSTALLER`)).toBe("wheelwright\n");
    expect(existsSync(join(out, SP, "demo_pkg-1.0.dist-info/REQUESTED"))).toBe(false);
    expect(existsSync(join(out, SP, "demo_pkg-1.0.dist-info/direct_url.json"))).toBe(false);
    expect(existsSync(join(out, SP, "demo_pkg-1.0.data"))).toBe(false);

    // RECORD lists exactly the installed files, with their real hashes, relative to site-packages.
    const record = read(`${SP}/demo_pkg-1.0.dist-info/RECORD`);
    expect(record.endsWith("\r\n")).toBe(true);
    const rows = record.trim().split("\r\n").map((l) => l.split(","));
    const listed = rows.map((r) => relative(".", join(SP, r[0]!)));
    expect(listed.sort()).toEqual(Object.keys(snap).sort());
    for (const [path, hash, size] of rows) {
      const abs = join(out, SP, path!);
      if (path!.endsWith("/RECORD")) {
        expect([hash, size]).toEqual(["", ""]);
        continue;
      }
      const data = readFileSync(abs);
      expect(hash).toBe(`sha256=${createHash("sha256").update(data).digest("base64url")}`);
      expect(Number(size)).toBe(data.length);
    }
    expect(rows.map((r) => r[0])).toContain("../../../bin/demo");
  });

  it("runs generated entry-point scripts", async () => {
    const interpreter = await testInterpreter();
    const dir = tempDir();
    const out = join(dir, "out");
    await installWheel(await makeWheel(dir, richWheel), out, { interpreter });
    const run = spawnSync(join(out, "bin/demo"), [], { env: { PYTHONPATH: join(out, SP) }, encoding: "utf8" });
    expect(run.status).toBe(3);
    expect(run.stdout).toBe(`hello from ${join(out, "bin/demo")}\n`);
  });

  it("writes REQUESTED and direct_url.json only when asked", async () => {
    const interpreter = await testInterpreter();
    const dir = tempDir();
    const out = join(dir, "out");
    await installWheel(await makeWheel(dir), out, {
      interpreter,
      requested: true,
      directUrl: { url: "file:///x/demo_pkg-1.0-py3-none-any.whl", archive_info: { hashes: { sha256: "ab" } } },
    });
    const info = join(out, SP, "demo_pkg-1.0.dist-info");
    expect(readFileSync(join(info, "REQUESTED"), "utf8")).toBe("");
    const json = readFileSync(join(info, "direct_url.json"), "utf8");
    // What Python's json.dumps(sort_keys=True) makes of the same dict.
    const py = execFileSync(PY, ["-c", "import json,sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True), end='')", json], { encoding: "utf8" });
    expect(json).toBe(py);
    await expect(installWheel(await makeWheel(tempDir()), join(tempDir(), "o"), { interpreter, directUrl: { url: "x" } })).rejects.toThrow(/exactly one of/);
  });

  it("byte-compiles site-packages with unchecked-hash pycs recording the final path, skipping what doesn't compile", async () => {
    const interpreter = await testInterpreter();
    const dir = tempDir();
    const out = join(dir, "out");
    const finalPrefix = "/store/abc-demo-pkg-1.0";
    const result = await installWheel(await makeWheel(dir, richWheel), out, { interpreter, finalPrefix });
    expect(result.bytecode!.failed.map((f) => relative(out, f.source))).toEqual([`${SP}/demo_pkg/py2only.py`]);
    const pyc = join(out, SP, "demo_pkg/__pycache__/cli.cpython-311.pyc");
    const header = readFileSync(pyc).subarray(0, 16);
    expect(header.readUInt32LE(4)).toBe(0b01); // hash-based, check_source off (PEP 552)
    expect(existsSync(join(out, "bin/__pycache__"))).toBe(false);
    expect(existsSync(join(out, SP, "demo_pkg/__pycache__/py2only.cpython-311.pyc"))).toBe(false);
    // The code object names the final location; and RECORD lists the pyc.
    const script = "import marshal,sys; f=open(sys.argv[1],'rb'); f.read(16); print(marshal.load(f).co_filename, end='')";
    expect(execFileSync(PY, ["-c", script, pyc], { encoding: "utf8" })).toBe(`${finalPrefix}/${SP}/demo_pkg/cli.py`);
    expect(readFileSync(join(out, SP, "demo_pkg-1.0.dist-info/RECORD"), "utf8")).toContain("demo_pkg/__pycache__/cli.cpython-311.pyc,sha256=");
    // Python uses it as is: importing from a read-only copy doesn't try to rewrite it.
    const imported = spawnSync(PY, ["-c", "import demo_pkg.cli as m; print(m.__cached__)"], { env: { PYTHONPATH: join(out, SP), PYTHONDONTWRITEBYTECODE: "1" }, encoding: "utf8" });
    expect(imported.stdout.trim()).toBe(pyc);
  });

  it("gives byte-identical trees when the same wheel is installed twice", async () => {
    const interpreter = await testInterpreter();
    const dir = tempDir();
    const wheel = await makeWheel(dir, richWheel);
    const a = join(dir, "a");
    const b = join(dir, "b");
    await installWheel(wheel, a, { interpreter, finalPrefix: "/final", requested: true });
    await installWheel(wheel, b, { interpreter, finalPrefix: "/final", requested: true });
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  it("uses the /bin/sh trampoline when the interpreter path is too long for a shebang", async () => {
    const base = await testInterpreter();
    const dir = tempDir();
    const deep = join(dir, "x".repeat(60), "y".repeat(60), "bin");
    mkdirSync(deep, { recursive: true });
    symlinkSync(PY, join(deep, "python"));
    const interpreter = { ...base, executable: join(deep, "python") };
    const out = join(dir, "out");
    await installWheel(await makeWheel(dir, richWheel), out, { interpreter, compileBytecode: false });
    const text = readFileSync(join(out, "bin/demo"), "utf8");
    expect(text.startsWith(`#!/bin/sh\n'''exec' ${interpreter.executable} "$0" "$@"\n' '''\n# -*- coding`)).toBe(true);
    const run = spawnSync(join(out, "bin/demo"), [], { env: { PYTHONPATH: join(out, SP) }, encoding: "utf8" });
    expect(run.status).toBe(3);
    expect(readFileSync(join(out, "bin/run-me"), "utf8").startsWith("#!/bin/sh\n'''exec'")).toBe(true);
    expect(spawnSync(join(out, "bin/run-me"), [], { encoding: "utf8" }).stdout).toBe("ran\n");
  });
});

describe.skipIf(skip !== undefined)("installWheel rejects broken wheels", () => {
  async function attempt(spec: Parameters<typeof makeWheel>[1], extra: { verifyRecord?: boolean } = {}) {
    const interpreter = await testInterpreter();
    const dir = tempDir();
    return installWheel(await makeWheel(dir, spec), join(dir, "out"), { interpreter, compileBytecode: false, ...extra });
  }
  const mod = { files: { "m.py": "x = 1\n" } };

  it("fails on a newer major Wheel-Version and warns on a newer minor", async () => {
    await expect(attempt({ wheelVersion: "2.0" })).rejects.toMatchObject({ code: "ERR_WW_WHEEL_INVALID", message: expect.stringMatching(/Wheel-Version 2\.0/) });
    const events = new Events();
    const seen: WheelwrightEvent[] = [];
    events.on((e) => seen.push(e));
    const interpreter = await testInterpreter();
    const dir = tempDir();
    await installWheel(await makeWheel(dir, { wheelVersion: "1.9" }), join(dir, "out"), { interpreter, events, compileBytecode: false });
    expect(seen.filter((e) => e.type === "log" && e.level === "warn").map((e) => (e as { message: string }).message)).toEqual([expect.stringMatching(/Wheel-Version 1\.9 is newer/)]);
    expect(seen.some((e) => e.type === "install")).toBe(true);
  });

  it("checks METADATA name and version against the file name (normalized)", async () => {
    await expect(attempt({ metadataName: "other" })).rejects.toMatchObject({ code: "ERR_WW_WHEEL_INVALID", message: expect.stringMatching(/names project "other"/) });
    await expect(attempt({ metadataVersion: "1.1" })).rejects.toMatchObject({ code: "ERR_WW_WHEEL_INVALID", message: expect.stringMatching(/version "1\.1"/) });
    await expect(attempt({ metadataName: "Demo.Pkg", metadataVersion: "1.0.0" })).rejects.toMatchObject({ message: expect.stringMatching(/version/) });
    await expect(attempt({ metadataName: "Demo.Pkg", metadataVersion: "v1.0" })).resolves.toMatchObject({ name: "Demo.Pkg" });
  });

  it("verifies RECORD both ways, with hashes and sizes", async () => {
    const code = "ERR_WW_WHEEL_RECORD";
    await expect(attempt({ ...mod, unlisted: [{ name: "extra.py", data: Buffer.from("x") }] })).rejects.toMatchObject({ code, message: expect.stringMatching(/not listed.*extra\.py/) });
    await expect(attempt({ ...mod, record: (r) => [...r, "gone.py,sha256=AAAA,1"] })).rejects.toMatchObject({ code, message: expect.stringMatching(/does not contain: gone\.py/) });
    const badHash = (r: string[]) => r.map((l) => (l.startsWith("m.py,") ? `m.py,sha256=${"A".repeat(43)},6` : l));
    await expect(attempt({ ...mod, record: badHash })).rejects.toMatchObject({ code, message: expect.stringMatching(/m\.py does not match its RECORD hash/) });
    const badSize = (r: string[]) => r.map((l) => (l.startsWith("m.py,") ? l.replace(/,6$/, ",7") : l));
    await expect(attempt({ ...mod, record: badSize })).rejects.toMatchObject({ code, message: expect.stringMatching(/6 bytes, but RECORD says 7/) });
    const noHash = (r: string[]) => r.map((l) => (l.startsWith("m.py,") ? "m.py,," : l));
    await expect(attempt({ ...mod, record: noHash })).rejects.toMatchObject({ code, message: expect.stringMatching(/m\.py without a hash/) });
    const md5 = (r: string[]) => r.map((l) => (l.startsWith("m.py,") ? "m.py,md5=AAAA,6" : l));
    await expect(attempt({ ...mod, record: md5 })).rejects.toMatchObject({ code, message: expect.stringMatching(/unusable hash/) });
    // The opt-out installs the broken wheel anyway.
    await expect(attempt({ ...mod, record: badHash }, { verifyRecord: false })).resolves.toMatchObject({ name: "demo-pkg" });
    // A .pyc may be unhashed; sha512 is accepted and checked.
    const pyc = { files: { "m.py": "x = 1\n", "__pycache__/m.cpython-311.pyc": Buffer.from("fake") } };
    await expect(attempt({ ...pyc, record: (r) => r.map((l) => (l.startsWith("__pycache__") ? "__pycache__/m.cpython-311.pyc,," : l)) })).resolves.toBeDefined();
    const sha512 = (r: string[]) => r.map((l) => (l.startsWith("m.py,") ? `m.py,sha512=${createHash("sha512").update("x = 1\n").digest("base64url")},6` : l));
    await expect(attempt({ ...mod, record: sha512 })).resolves.toBeDefined();
  });

  it("rejects unknown .data keys, escaping entries, symlinks and bad entry points", async () => {
    await expect(attempt({ files: { "demo_pkg-1.0.data/bogus/x": "x" } })).rejects.toMatchObject({ code: "ERR_WW_WHEEL_INVALID", message: expect.stringMatching(/unknown \.data scheme key "bogus"/) });
    await expect(attempt({ files: { "demo_pkg-1.0.data/scripts": "x" } })).rejects.toMatchObject({ code: "ERR_WW_WHEEL_INVALID" });
    await expect(attempt({ files: { "../evil.py": "x" } })).rejects.toMatchObject({ code: "ERR_WW_UNSAFE_ARCHIVE" });
    await expect(attempt({ files: { "/abs.py": "x" } })).rejects.toMatchObject({ code: "ERR_WW_UNSAFE_ARCHIVE" });
    await expect(attempt({ unlisted: [{ name: "link", symlink: "m.py" }], ...mod }, { verifyRecord: false })).rejects.toMatchObject({ code: "ERR_WW_UNSAFE_ARCHIVE", message: expect.stringMatching(/symlink/) });
    await expect(attempt({ entryPoints: "[console_scripts]\nnocall = demo_pkg\n" })).rejects.toMatchObject({ code: "ERR_WW_WHEEL_INVALID", message: expect.stringMatching(/no single ":callable"/) });
    await expect(attempt({ entryPoints: "[console_scripts]\n.. = a:b\n" })).rejects.toMatchObject({ code: "ERR_WW_WHEEL_INVALID" });
    await expect(attempt({ filename: "other-1.0-py3-none-any.whl" })).rejects.toMatchObject({ code: "ERR_WW_WHEEL_INVALID", message: expect.stringMatching(/does not belong to project other/) });
  });
});
