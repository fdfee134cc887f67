// compile.py run by every pyenv interpreter on this machine (2.7 … 3.13): pyc placement and
// header kind per version, py2-only files skipped on py3, and one process for many targets.
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { compileAll } from "../../src/install/bytecode.js";
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
