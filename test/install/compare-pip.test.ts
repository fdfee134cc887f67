// The whole repacked corpus installed by wheelwright and by pip (one pip process, the
// interpreter's own pip, no index, no deps) into two prefixes, then compared file by file.
// wheelwright is told the final prefix is pip's, so the source paths inside bytecode match.
//
// Allowed differences, each with its reason:
// - INSTALLER: "pip\n" vs "wheelwright\n" (by definition).
// pip writes REQUESTED and a PEP 610 direct_url.json (archive_info with the wheel's sha256) for
// a wheel given by path; wheelwright is given the same facts (requested, directUrl), so those
// files must come out byte-identical too.
// - RECORD: compared row by row instead of as bytes: same paths, same hash and size for every
//   file except INSTALLER (above) and .pyc (header differs, below).
// - .pyc headers (first 16 bytes): pip writes mtime-stamped pycs, wheelwright unchecked-hash
//   ones (reproducible, never re-validated). The marshalled code after the header must match
//   byte for byte, or else load as equal code objects with the same co_filename: marshal
//   writes a string as "interned" or not depending on whether the compiling process happened
//   to have interned it already (e.g. "{" in pip's own process), which changes a type byte
//   but not the code.
// - bin/__pycache__/*.pyc: pip byte-compiles every installed .py, even scripts in bin/, which
//   are run as __main__ and never imported from there; wheelwright compiles site-packages only.
// Everything else — file set, contents (generated console scripts included, since both use
// the same interpreter path), executable bits — must be identical.
//
// Then a handful of console scripts are run. To make sure they import the installed copies
// and not the interpreter's own site-packages (which hold the same distributions), the prefix
// is turned into a venv (bin/python symlink + pyvenv.cfg with include-system-site-packages =
// false) and each script file is run with that python: this tests what the venv step will do.
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { installWheel } from "../../src/install/index.js";
import { parseRecord } from "../../src/install/record.js";
import { corpusSkipReason, ensureRepackedCorpus, CORPUS_PYTHON } from "../helpers/repack.js";
import { tempDir, testInterpreter } from "./fixtures.js";

const skip = corpusSkipReason();
if (skip) console.warn(`skipping pip comparison: ${skip}`);

function walk(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const go = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) go(p);
      else out.set(relative(root, p), p);
    }
  };
  go(root);
  return out;
}

function runPip(prefix: string, home: string, wheels: string[]): Promise<{ code: number | null; stderr: string; end: number }> {
  return new Promise((resolve) => {
    const child = spawn(
      CORPUS_PYTHON,
      ["-m", "pip", "install", "--isolated", "--no-deps", "--no-index", "--ignore-installed", "--no-warn-script-location", "--disable-pip-version-check", "-q", "--prefix", prefix, ...wheels],
      { env: { PATH: process.env.PATH, PYTHONHASHSEED: "0", HOME: home }, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code, stderr, end: Date.now() }));
  });
}

describe.skipIf(skip !== undefined)("wheelwright vs pip on the repacked corpus", () => {
  it("installs the same files with the same bytes, and the scripts run", { timeout: 600_000 }, async () => {
    const corpus = (await ensureRepackedCorpus())!;
    const interpreter = await testInterpreter();
    const root = tempDir("ww-compare-");
    const pipDir = join(root, "pip");
    const wwDir = join(root, "ww");
    const wheels = corpus.wheels.map((w) => w.path);
    const directUrl = (w: (typeof corpus.wheels)[number]) => ({ url: pathToFileURL(w.path).href, archive_info: { hash: `sha256=${w.sha256}`, hashes: { sha256: w.sha256 } } });

    const t0 = Date.now();
    const pip = runPip(pipDir, join(root, "home"), wheels); // runs on the other core meanwhile
    let next = 0;
    const worker = async () => {
      while (next < wheels.length) {
        const wheel = corpus.wheels[next++]!;
        await installWheel(wheel.path, wwDir, { interpreter, finalPrefix: pipDir, requested: true, directUrl: directUrl(wheel) });
      }
    };
    await Promise.all([worker(), worker()]);
    const tWw = Date.now() - t0;
    const pipResult = await pip;
    const tPip = pipResult.end - t0;
    expect(pipResult.code, pipResult.stderr).toBe(0);

    const a = walk(pipDir);
    const b = walk(wwDir);
    const differences: Record<string, string[]> = { onlyPip: [], onlyWw: [], content: [], pycBody: [], mode: [], record: [] };
    const allowed: Record<string, number> = { installer: 0, record: 0, pycHeader: 0, binPycache: 0, pycInterning: 0 };
    const pycPairs: [string, string, string][] = [];
    let compared = 0;
    for (const [rel, pathA] of a) {
      const pathB = b.get(rel);
      if (pathB === undefined) {
        if (rel.startsWith("bin/__pycache__/")) allowed.binPycache!++;
        else differences.onlyPip!.push(rel);
        continue;
      }
      compared++;
      if ((statSync(pathA).mode & 0o111) !== (statSync(pathB).mode & 0o111)) differences.mode!.push(rel);
      const bytesA = readFileSync(pathA);
      const bytesB = readFileSync(pathB);
      if (rel.endsWith(".dist-info/INSTALLER")) {
        expect([bytesA.toString(), bytesB.toString()]).toEqual(["pip\n", "wheelwright\n"]);
        allowed.installer!++;
      } else if (rel.endsWith(".dist-info/RECORD")) {
        allowed.record!++;
        const rows = (text: string) =>
          new Map(parseRecord(text, { file: rel }).filter((r) => !r.path.endsWith("/INSTALLER") && !r.path.endsWith("/RECORD") && !r.path.startsWith("../../../bin/__pycache__/")).map((r) => [r.path, r.path.endsWith(".pyc") ? "pyc" : `${r.hash},${r.size}`]));
        const ra = rows(bytesA.toString());
        const rb = rows(bytesB.toString());
        const keys = new Set([...ra.keys(), ...rb.keys()]);
        for (const k of keys) if (ra.get(k) !== rb.get(k)) differences.record!.push(`${rel}: ${k}`);
      } else if (rel.endsWith(".pyc")) {
        allowed.pycHeader!++;
        if (!bytesA.subarray(16).equals(bytesB.subarray(16))) pycPairs.push([rel, pathA, pathB]);
      } else if (!bytesA.equals(bytesB)) {
        differences.content!.push(rel);
      }
    }
    for (const rel of b.keys()) if (!a.has(rel)) differences.onlyWw!.push(rel);
    if (pycPairs.length > 0) {
      const script =
        "import json, marshal, sys\n" +
        "def files(c):\n  yield c.co_filename\n  for k in c.co_consts:\n    if hasattr(k, 'co_code'): yield from files(k)\n" +
        "bad = []\n" +
        "for rel, a, b in json.load(sys.stdin):\n" +
        "  ca = marshal.loads(open(a, 'rb').read()[16:]); cb = marshal.loads(open(b, 'rb').read()[16:])\n" +
        "  if ca != cb or list(files(ca)) != list(files(cb)): bad.append(rel)\n" +
        "print(json.dumps(bad))";
      const run = spawnSync(CORPUS_PYTHON, ["-c", script], { input: JSON.stringify(pycPairs), encoding: "utf8" });
      const bad = JSON.parse(run.stdout) as string[];
      differences.pycBody!.push(...bad);
      allowed.pycInterning = pycPairs.length - bad.length;
    }

    const summary = Object.fromEntries(Object.entries(differences).map(([k, v]) => [k, v.length]));
    console.log(
      `pip comparison: ${wheels.length} wheels, ${a.size} files from pip, ${b.size} from wheelwright, ${compared} compared; ` +
        `allowed differences ${JSON.stringify(allowed)}; unexpected ${JSON.stringify(summary)}; ` +
        `wheelwright ${(tWw / 1000).toFixed(1)} s, pip ${(tPip / 1000).toFixed(1)} s (concurrently)`,
    );
    for (const [k, v] of Object.entries(differences)) if (v.length > 0) console.log(`  ${k}: ${v.slice(0, 10).join(", ")}`);
    expect(differences).toEqual({ onlyPip: [], onlyWw: [], content: [], pycBody: [], mode: [], record: [] });
    expect(compared).toBeGreaterThan(30_000);

    // Run scripts in the wheelwright prefix made into a venv.
    symlinkSync(CORPUS_PYTHON, join(wwDir, "bin/python"));
    writeFileSync(join(wwDir, "pyvenv.cfg"), `home = ${join(CORPUS_PYTHON, "..")}\ninclude-system-site-packages = false\nversion = ${interpreter.version}\n`);
    const python = join(wwDir, "bin/python");
    const where = spawnSync(python, ["-c", "import flask, sys; print(flask.__file__); print(sys.prefix)"], { encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(where.stdout).toBe(`${join(wwDir, "lib/python3.11/site-packages/flask/__init__.py")}\n${wwDir}\n`);
    const runs: [string, string[], RegExp][] = [
      ["flask", ["--version"], /Flask 3\.1\.3/],
      ["pygmentize", ["-V"], /Pygments version 2\.20\.0/],
      ["normalizer", ["--version"], /3\.4\.7/],
      ["pytest", ["--version"], /pytest 9\.0\.3/],
      ["pip3", ["--version"], new RegExp(`pip 23\\.2\\.1 from ${wwDir}`)],
      ["docutils", ["--version"], /0\.19/],
      ["jp.py", ["--help"], /usage/], // a .data/scripts file, not a generated launcher
      ["dotenv", ["--version"], /1\.2\.2/],
    ];
    for (const [script, args, expected] of runs) {
      const run = spawnSync(python, [join(wwDir, "bin", script), ...args], { encoding: "utf8", env: { PATH: process.env.PATH, HOME: root } });
      expect(`${run.status} ${run.stdout}${run.stderr}`, script).toMatch(new RegExp(`^0 [\\s\\S]*${expected.source}`));
    }
    // ~1.4 GB: removed on success, kept for inspection on failure.
    rmSync(root, { recursive: true, force: true });
  });
});
