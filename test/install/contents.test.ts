// installWheel's keepContents: the bytes it hands the store are exactly the bytes on disk, so
// the NAR hash the store takes from memory equals the hash of a fresh re-read of the path.
// Real wheels from the repacked corpus (entry points, vendored trees, large native files) and
// a synthetic one with rewritten .data scripts, a shipped pyc that compilation replaces and
// a file too big to keep.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installWheel } from "../../src/install/index.js";
import { makeStorePath, narHash, type StorePath } from "../../src/store/index.js";
import { corpusSkipReason, ensureRepackedCorpus } from "../helpers/repack.js";
import { makeTempStore, type TempStore } from "../helpers/temp-store.js";
import { makeWheel, tempDir, testInterpreter } from "./fixtures.js";

const PY = "/root/.pyenv/versions/3.11.7/bin/python";
const skip = existsSync(PY) ? undefined : `no ${PY}`;
if (skip) console.warn(`skipping keepContents tests: ${skip}`);
const corpusSkip = skip ?? corpusSkipReason();
if (corpusSkip !== undefined && skip === undefined) console.warn(`skipping keepContents corpus test: ${corpusSkip}`);

const stores: TempStore[] = [];
afterAll(() => {
  for (const s of stores.splice(0)) s.cleanup();
});

/** Realises one wheel install through the store with known contents; checks it against a re-read. */
async function realiseAndCheck(temp: TempStore, wheel: string, name: string): Promise<{ known: number; files: number }> {
  const interpreter = await testInterpreter();
  const path = makeStorePath(`test-keep-contents:${wheel}`, name) as StorePath;
  const finalPrefix = temp.store.toRealPath(path);
  let contents: Map<string, Buffer> | undefined;
  let files = 0;
  const info = await temp.store.realise(path, async (tmp) => {
    const result = await installWheel(wheel, tmp, { interpreter, keepContents: true, finalPrefix });
    contents = result.contents;
    files = result.files;
    return { contents: result.contents! };
  });
  const fresh = await narHash(finalPrefix);
  expect(info.narHash).toBe(fresh.nixHash);
  expect(info.narSize).toBe(fresh.size);
  // Every byte handed over is the byte on disk.
  for (const [rel, data] of contents!) expect(readFileSync(join(finalPrefix, rel)).equals(data), rel).toBe(true);
  return { known: contents!.size, files };
}

describe.skipIf(skip !== undefined)("installWheel keepContents", () => {
  it("hands over rewritten scripts, generated files and compiled pycs exactly as written", async () => {
    const temp = await makeTempStore();
    stores.push(temp);
    const dir = tempDir();
    const big = randomBytes(100 * 1024);
    const wheel = await makeWheel(dir, {
      entryPoints: "[console_scripts]\ndemo = demo_pkg.cli:main\n",
      files: {
        "demo_pkg/__init__.py": "VALUE = {'a', 'b'}\n",
        "demo_pkg/cli.py": "def main():\n    return 0\n",
        // A stale pyc shipped in the wheel, replaced by the compiled one.
        "demo_pkg/__pycache__/cli.cpython-311.pyc": Buffer.from("stale pyc"),
        "demo_pkg/big.bin": big,
        "demo_pkg-1.0.data/scripts/run-me": "#!python\nprint('ran')\n",
        "demo_pkg-1.0.data/scripts/plain": { data: "#!/bin/sh\necho plain\n", mode: 0o755 },
      },
    });
    const { known, files } = await realiseAndCheck(temp, wheel, "demo-pkg-1.0");
    expect(known).toBeGreaterThan(5);
    expect(known).toBeLessThan(files); // big.bin is read back
  });

  it.skipIf(corpusSkip !== undefined)("gives the re-read NAR hash for real wheels", async () => {
    const corpus = (await ensureRepackedCorpus())!;
    const temp = await makeTempStore();
    stores.push(temp);
    let known = 0;
    let files = 0;
    for (const name of ["pip", "flask", "numpy", "pyyaml", "six"]) {
      const wheel = corpus.wheels.find((w) => w.name.toLowerCase() === name);
      expect(wheel, name).toBeDefined();
      const counts = await realiseAndCheck(temp, wheel!.path, `${name}-${wheel!.version}`);
      known += counts.known;
      files += counts.files;
    }
    // Most files are hashed from memory (RECORD counts itself, so files > known).
    expect(known / files).toBeGreaterThan(0.8);
  }, 300_000);
});
