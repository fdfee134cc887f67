// The repacked corpus must reproduce the original wheels' files: checked against genuine
// wheels from the local mirror when it exists (Debian 12 image), read with Python's zipfile.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildZip, buildZipAsync, type ZipEntrySpec } from "../helpers/archive-builder.js";
import { corpusSkipReason, ensureRepackedCorpus, repackSitePackages, CORPUS_SITE_PACKAGES } from "../helpers/repack.js";

const MIRROR = "/opt/pypi/files";
const skip = corpusSkipReason();
if (skip) console.warn(`skipping corpus tests: ${skip}`);

/** {name: sha256 hex} of every member, via Python's zipfile (an independent reader). */
function zipDigests(path: string): Record<string, string> {
  const script =
    "import hashlib,json,sys,zipfile\n" +
    "z=zipfile.ZipFile(sys.argv[1])\n" +
    "print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))";
  return JSON.parse(execFileSync("python3", ["-c", script, path], { encoding: "utf8" })) as Record<string, string>;
}

describe("the zip writer (archive-builder.ts), as the corpus uses it", () => {
  it("writes archives Python's zipfile reads back, with modes, fixed dates and auto deflate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-zip-"));
    const entries: ZipEntrySpec[] = [
      { name: "a/b.txt", data: Buffer.from("hello ".repeat(100)), method: "auto" },
      { name: "x", data: Buffer.from("#!python\n"), mode: 0o755, method: "auto" },
      { name: "empty", data: Buffer.alloc(0), method: "auto" },
    ];
    const options = { deflateLevel: 1, date: new Date(Date.UTC(1980, 0, 1)) };
    const bytes = await buildZipAsync(entries, options);
    expect(buildZip(entries, options).equals(bytes)).toBe(true);
    const script =
      "import json,sys,zipfile\n" +
      "z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None\n" +
      "print(json.dumps([[i.filename, i.date_time[0], i.external_attr>>16, i.compress_type, len(z.read(i))] for i in z.infolist()]))";
    const read = (path: string) => JSON.parse(execFileSync("python3", ["-c", script, path], { encoding: "utf8" }));
    writeFileSync(join(dir, "a.zip"), bytes);
    // Only the entry that shrinks is deflated (method 8); the others are stored (0).
    expect(read(join(dir, "a.zip"))).toEqual([["a/b.txt", 1980, 0o100644, 8, 600], ["x", 1980, 0o100755, 0, 9], ["empty", 1980, 0o100644, 0, 0]]);
    writeFileSync(join(dir, "b.zip"), buildZip(entries));
    expect(read(join(dir, "b.zip")).map((row: unknown[]) => row[1])).toEqual([2020, 2020, 2020]);
  });
});

describe.skipIf(skip !== undefined)("repacked corpus", () => {
  it("has one wheel per installed distribution, deterministically", async () => {
    const corpus = (await ensureRepackedCorpus())!;
    const distInfos = execFileSync("ls", [CORPUS_SITE_PACKAGES], { encoding: "utf8" }).split("\n").filter((n) => n.endsWith(".dist-info"));
    expect(corpus.wheels.length).toBe(distInfos.length);
    // Rebuilding some wheels gives the same bytes.
    const again = mkdtempSync(join(tmpdir(), "ww-repack-"));
    const picks = ["flask-", "jsonpatch-", "sympy-"];
    const { wheels } = await repackSitePackages({ sitePackages: CORPUS_SITE_PACKAGES, outDir: again, only: (d) => picks.some((p) => d.startsWith(p)) });
    expect(wheels.length).toBe(3);
    for (const w of wheels) {
      const same = corpus.wheels.find((c) => c.path.endsWith("/" + w.path.split("/").pop()))!;
      expect(w.sha256).toBe(same.sha256);
    }
  });

  const genuine = ["flask-3.1.3-py3-none-any.whl", "jsonpatch-1.33-py2.py3-none-any.whl", "sympy-1.14.0-py3-none-any.whl", "six-1.17.0-py2.py3-none-any.whl", "numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl"];
  for (const file of genuine) {
    it.skipIf(!existsSync(join(MIRROR, file)))(`reproduces every file of the genuine ${file} (except RECORD)`, async () => {
      const corpus = (await ensureRepackedCorpus())!;
      const project = file.split("-")[0]!;
      const ours = corpus.wheels.find((w) => w.path.split("/").pop()!.split("-")[0]!.toLowerCase() === project)!;
      const a = zipDigests(join(MIRROR, file));
      const b = zipDigests(ours.path);
      const drop = (d: Record<string, string>) => Object.fromEntries(Object.entries(d).filter(([k]) => !k.endsWith(".dist-info/RECORD") && !k.endsWith("/")));
      expect(drop(b)).toEqual(drop(a));
    });
  }
});
