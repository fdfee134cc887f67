// compile.py run by every pyenv interpreter on this machine (2.7 … 3.13): pyc placement and
// header kind per version, py2-only files skipped on py3, and one process for many targets;
// and the long-lived workers' output is independent of what they compiled before.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { compileAll, shutdownCompileWorkers } from "../../src/install/bytecode.js";
import type { Interpreter } from "../../src/python/types.js";
import { tempDir } from "./fixtures.js";

const VERSIONS = "/root/.pyenv/versions";
const pythons = existsSync(VERSIONS) ? readdirSync(VERSIONS).map((v) => ({ version: v, exe: join(VERSIONS, v, "bin/python") })).filter((p) => existsSync(p.exe)) : [];
if (pythons.length === 0) console.warn(`skipping compileAll tests: no interpreters under ${VERSIONS}`);

describe.skipIf(pythons.length === 0)("compileAll", () => {
  for (const { version, exe } of pythons) {
    it(`compiles with Python ${version}`, async () => {
      const [major, minor] = version.split(".").map(Number) as [number, number];
      const dir = tempDir("ww-bytecode-");
      mkdirSync(join(dir, "pkg/sub"), { recursive: true });
      writeFileSync(join(dir, "pkg/a.py"), "X = {'a', 'b'}\n");
      writeFileSync(join(dir, "pkg/sub/b.py"), "def f():\n    return 1\n");
      writeFileSync(join(dir, "pkg/py2.py"), "print 'x'\n");
      writeFileSync(join(dir, "single.py"), "Y = 2\n");
      // Only the executable is used to run compile.py.
      const interpreter = { executable: exe } as Interpreter;
      const result = await compileAll(interpreter, [{ path: join(dir, "pkg"), displayPath: "/final/pkg" }, { path: join(dir, "single.py") }], { legacyMtime: 315532800 });
      const compiled = result.compiled.map((c) => relative(dir, c.source)).sort();
      const failed = result.failed.map((f) => relative(dir, f.source));
      if (major === 2) {
        expect(compiled).toEqual(["pkg/a.py", "pkg/py2.py", "pkg/sub/b.py", "single.py"]);
        expect(result.compiled.find((c) => c.source.endsWith("a.py"))!.pyc).toBe(join(dir, "pkg/a.pyc"));
      } else {
        expect(compiled).toEqual(["pkg/a.py", "pkg/sub/b.py", "single.py"]);
        expect(failed).toEqual(["pkg/py2.py"]);
        expect(relative(dir, result.compiled.find((c) => c.source.endsWith("a.py"))!.pyc)).toMatch(/^pkg\/__pycache__\/a\.[a-z]+-\d+\.pyc$/);
      }
      const pyc = readFileSync(result.compiled.find((c) => c.source.endsWith("b.py"))!.pyc);
      if (major > 3 || (major === 3 && minor >= 7)) {
        expect(pyc.readUInt32LE(4)).toBe(1); // unchecked hash
      } else {
        // mtime pycs: the header's mtime is the normalized source mtime.
        expect(pyc.readUInt32LE(4)).toBe(315532800);
        expect(statSync(join(dir, "pkg/sub/b.py")).mtimeMs).toBe(315532800_000);
      }
      expect(pyc.includes(Buffer.from("/final/pkg/sub/b.py"))).toBe(true);
    });
  }
});

// The compile workers live across wheels, so a pyc must not depend on what the worker compiled
// before it: the same sources compiled after different histories give the bytes a fresh
// worker writes for each file alone. (Without care they differ: a '}' constant is written as
// an interned string once something has interned that one-character singleton.)
const modern = pythons.filter((p) => {
  const [major, minor] = p.version.split(".").map(Number) as [number, number];
  return major > 3 || (major === 3 && minor >= 7);
});
describe.skipIf(modern.length === 0)("compile workers", () => {
  for (const { version, exe } of modern) {
    it(`write the same pycs whatever they compiled before (Python ${version})`, async () => {
      const dir = tempDir("ww-bytecode-history-");
      const sources: Record<string, string> = {
        "sets.py": "A = {'x', 'y', 'z', 1, 2.5}\nB = frozenset({'p', 'q'})\ndef f(v):\n    return v in {'a', 'b', 'c', '}', '{'}\n",
        "names.py": "import os\nclass K:\n    name = 'K'\n    def m(self, os=os):\n        return self.name + os.sep + '}' + ''\n",
        "unicode.py": "# -*- coding: utf-8 -*-\nnaïve = 'café'\ndef größe(ä):\n    return ä * 2\n",
        "latin.py": "# -*- coding: iso-8859-5 -*-\nX = 'abc'\n",
        "consts.py": "T = (1, 2, (3, 4), 'doc string with spaces', b'bytes', 10**20, 1.5, None, ...)\nU = T\n",
        "nested.py": "def outer():\n    def inner(a, *, b=2):\n        return lambda c: (a, b, c, [x for x in range(3)])\n    return inner\n",
        "broken.py": "def f(:\n",
      };
      for (const [name, text] of Object.entries(sources)) writeFileSync(join(dir, name), text);
      // Real modules too, from the interpreter's own standard library.
      const [major, minor] = version.split(".");
      const lib = join(VERSIONS, version, `lib/python${major}.${minor}`);
      for (const rel of ["json/decoder.py", "json/encoder.py", "dataclasses.py", "string.py"]) {
        if (existsSync(join(lib, rel))) writeFileSync(join(dir, rel.replace("/", "_")), readFileSync(join(lib, rel)));
      }
      const files = readdirSync(dir).filter((f) => f.endsWith(".py")).sort().map((f) => join(dir, f));
      const interpreter = { executable: exe } as Interpreter;
      const run = async (order: string[]) => {
        const result = await compileAll(interpreter, order.map((path) => ({ path, displayPath: `/final/${relative(dir, path)}` })), { returnBytes: true });
        return new Map(result.compiled.map((c) => [c.source, c.data!]));
      };
      shutdownCompileWorkers();
      const forward = await run(files);
      const reverse = await run([...files].reverse()); // the same worker, after all of them once
      expect(forward.size).toBe(files.length - 1); // broken.py does not compile
      for (const file of files) {
        shutdownCompileWorkers(); // a fresh worker per file: nothing compiled before it
        const [alone] = [...(await run([file])).values()];
        if (file.endsWith("broken.py")) {
          expect(alone).toBeUndefined();
          continue;
        }
        expect(forward.get(file)!.equals(alone!), `${file} after the files before it`).toBe(true);
        expect(reverse.get(file)!.equals(alone!), `${file} after all files and those after it`).toBe(true);
      }
      shutdownCompileWorkers();
    }, 120_000);
  }
});

describe.skipIf(pythons.length === 0)("shutdownCompileWorkers", () => {
  /** Live compile.py processes whose parent is this process. */
  const workers = () =>
    readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
          const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
          return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("compile.py");
        } catch {
          return false; // exited meanwhile
        }
      });

  it("settles once every worker has exited, so their CPU time is the caller's", async () => {
    const dir = tempDir("ww-bytecode-exit-");
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `m${i}.py`), `X = ${i}\n`);
    const interpreter = { executable: pythons[pythons.length - 1]!.exe } as Interpreter;
    // start from none: workers of earlier tests were shut down without waiting
    await shutdownCompileWorkers();
    for (let i = 0; i < 100 && workers().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(workers()).toEqual([]);
    // more than one request, so more than one worker on a machine with several cores
    await compileAll(interpreter, readdirSync(dir).map((f) => ({ path: join(dir, f) })));
    expect(workers().length).toBeGreaterThan(0);
    await shutdownCompileWorkers();
    expect(workers()).toEqual([]);
  }, 60_000);

  it("keeps a process that awaits it alive until the workers are gone (they don't hold the event loop otherwise)", () => {
    const dir = tempDir("ww-bytecode-exit-");
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `m${i}.py`), `X = ${i}\n`);
    const script = [
      `const { compileAll, shutdownCompileWorkers } = await import(${JSON.stringify(join(import.meta.dirname, "../../dist/install/bytecode.js"))});`,
      `const files = ${JSON.stringify(readdirSync(dir).map((f) => join(dir, f)))};`,
      `await compileAll({ executable: ${JSON.stringify(pythons[pythons.length - 1]!.exe)} }, files.map((path) => ({ path })));`,
      "await shutdownCompileWorkers();",
      "console.log('all exited');",
    ].join("\n");
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0); // 13 would mean the await was still pending when Node ran out of work
    expect(r.stdout.trim()).toBe("all exited");
  }, 60_000);
});
