// unpackSource with `only` (what build-system discovery uses): from an archive just the named
// files are written, and the answer is the one a full unpack gives: the same project root, the
// same pyproject.toml, the same errors, falling back to the full unpack where it must.
import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readBuildSystem } from "../../src/build/discover.js";
import { unpackSource } from "../../src/build/unpack.js";
import type { Source } from "../../src/scope/source.js";
import { makeSdist } from "../helpers/projects.js";

const base = mkdtempSync(join(tmpdir(), "ww-unpack-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let counter = 0;
const fresh = (label: string) => join(base, `${label}-${++counter}`);

const PYPROJECT = '[build-system]\nrequires = ["setuptools>=61", "wheel"]\nbuild-backend = "setuptools.build_meta"\n';

/** A project directory with `files` (path → text), plus some bulk that `only` must not write. */
function project(files: Record<string, string>): string {
  const dir = fresh("proj");
  for (const [path, text] of Object.entries({ ...files, "pkg/__init__.py": "", "pkg/a.py": "A = 1\n", "pkg/sub/b.py": "B = 2\n", "README.md": "readme\n" })) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function sdistOf(dir: string): { source: Source; file: string } {
  const f = makeSdist(dir, fresh("dist"), "demo", "1.0");
  return { source: { kind: "sdist", file: { filename: f.filename, sha256: f.sha256 } }, file: f.path };
}

function regularFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else out.push(relative(root, join(dir, e.name)));
    }
  };
  walk(root);
  return out.sort();
}

/** Unpacks twice, with and without `only`; returns both roots (relative to their dests) and dests. */
async function both(source: Source, file: string) {
  const fullDest = fresh("full");
  const onlyDest = fresh("only");
  const full = await unpackSource({ source, file, dest: fullDest, package: "demo" });
  const only = await unpackSource({ source, file, dest: onlyDest, package: "demo", only: ["pyproject.toml"] });
  return { full, only, fullDest, onlyDest, fullRel: relative(fullDest, full), onlyRel: relative(onlyDest, only) };
}

describe("unpackSource with only", () => {
  it("writes just pyproject.toml of an sdist, at the root a full unpack finds", async () => {
    const { source, file } = sdistOf(project({ "pyproject.toml": PYPROJECT, "setup.cfg": "[metadata]\nname = demo\n" }));
    const r = await both(source, file);
    expect(r.onlyRel).toBe(r.fullRel);
    expect(r.onlyRel).toBe("archive/demo-1.0");
    expect(regularFiles(r.onlyDest)).toEqual(["archive/demo-1.0/pyproject.toml"]);
    expect(regularFiles(r.fullDest).length).toBeGreaterThan(5);
    expect(readFileSync(join(r.only, "pyproject.toml"), "utf8")).toBe(PYPROJECT);
    expect(readBuildSystem(r.only)).toEqual(readBuildSystem(r.full));
    expect(readBuildSystem(r.only).backend).toBe("setuptools.build_meta");
  });

  it("gives an existing, empty root for an sdist without pyproject.toml (PEP 517's fallback applies)", async () => {
    const { source, file } = sdistOf(project({ "setup.py": "from setuptools import setup\nsetup()\n" }));
    const r = await both(source, file);
    expect(r.onlyRel).toBe(r.fullRel);
    expect(regularFiles(r.onlyDest)).toEqual([]);
    expect(readBuildSystem(r.only)).toEqual(readBuildSystem(r.full));
    expect(readBuildSystem(r.only).origin).toBe("default");
  });

  it("finds a url archive's subdirectory, with or without a pyproject.toml in it, and refuses a missing one as a full unpack does", async () => {
    const mono = fresh("mono");
    mkdirSync(join(mono, "libs/with"), { recursive: true });
    mkdirSync(join(mono, "libs/without"), { recursive: true });
    writeFileSync(join(mono, "libs/with/pyproject.toml"), PYPROJECT);
    writeFileSync(join(mono, "libs/without/setup.py"), "from setuptools import setup\nsetup()\n");
    writeFileSync(join(mono, "pyproject.toml"), "[build-system]\nrequires = []\nbuild-backend = 'wrong.one'\n");
    const f = makeSdist(mono, fresh("dist"), "mono", "1");
    const archive = (subdirectory: string): Source => ({ kind: "tree", tree: { type: "archive", file: { filename: f.filename, sha256: f.sha256 }, subdirectory } });

    const withIt = await both(archive("libs/with/"), f.path);
    expect(withIt.onlyRel).toBe("archive/mono-1/libs/with");
    expect(withIt.fullRel).toBe(withIt.onlyRel);
    expect(regularFiles(withIt.onlyDest)).toEqual(["archive/mono-1/libs/with/pyproject.toml"]);
    expect(readBuildSystem(withIt.only).backend).toBe("setuptools.build_meta");

    const without = await both(archive("libs/without"), f.path);
    expect(without.onlyRel).toBe(without.fullRel);
    expect(readBuildSystem(without.only)).toEqual(readBuildSystem(without.full));
    expect(readBuildSystem(without.only).origin).toBe("default");

    for (const sub of ["libs/absent", "../outside"]) {
      const full = unpackSource({ source: archive(sub), file: f.path, dest: fresh("full"), package: "mono" });
      const only = unpackSource({ source: archive(sub), file: f.path, dest: fresh("only"), package: "mono", only: ["pyproject.toml"] });
      const error = await full.catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "ERR_WW_BUILD_FAILED" });
      await expect(only).rejects.toMatchObject({ code: "ERR_WW_BUILD_FAILED", message: (error as Error).message });
    }
  });

  it("falls back to the full unpack when pyproject.toml is a symlink or a hard link", async () => {
    const linked = project({ "conf/pyproject.toml": PYPROJECT });
    symlinkSync("conf/pyproject.toml", join(linked, "pyproject.toml"));
    const hard = project({ "a-first.toml": PYPROJECT });
    linkSync(join(hard, "a-first.toml"), join(hard, "pyproject.toml")); // tar stores the later name as a link to the first
    for (const dir of [linked, hard]) {
      const { source, file } = sdistOf(dir);
      const r = await both(source, file);
      expect(r.onlyRel).toBe(r.fullRel);
      expect(readFileSync(join(r.only, "pyproject.toml"), "utf8")).toBe(PYPROJECT);
      expect(regularFiles(r.onlyDest)).toEqual(regularFiles(r.fullDest)); // the whole tree: the fallback ran
    }
  });

  it("reads a zip sdist the same way", async () => {
    const dir = project({ "pyproject.toml": PYPROJECT });
    const zip = join(fresh("dist"), "demo-1.0.zip");
    mkdirSync(join(zip, ".."), { recursive: true });
    execFileSync("python3", ["-c", "import os, sys, zipfile\nz = zipfile.ZipFile(sys.argv[2], 'w')\nfor d, _, fs in os.walk(sys.argv[1]):\n  for f in fs:\n    p = os.path.join(d, f); z.write(p, 'demo-1.0/' + os.path.relpath(p, sys.argv[1]))\nz.close()", dir, zip]);
    const r = await both({ kind: "sdist", file: { filename: "demo-1.0.zip", sha256: "0".repeat(64) } }, zip);
    expect(r.onlyRel).toBe("archive/demo-1.0");
    expect(r.fullRel).toBe(r.onlyRel);
    expect(regularFiles(r.onlyDest)).toEqual(["archive/demo-1.0/pyproject.toml"]);
    expect(readBuildSystem(r.only)).toEqual(readBuildSystem(r.full));
  });

  it("refuses an unsafe archive with the full unpack's error", async () => {
    const evil = fresh("evil");
    mkdirSync(join(evil, "demo-1.0"), { recursive: true });
    writeFileSync(join(evil, "demo-1.0/pyproject.toml"), PYPROJECT);
    const tarball = join(evil, "evil.tar");
    execFileSync("tar", ["-cf", tarball, "-C", evil, "demo-1.0/pyproject.toml", "--transform=s,^demo-1.0/pyproject.toml,../escape.toml,", "-P"]);
    const source: Source = { kind: "sdist", file: { filename: "evil.tar", sha256: "0".repeat(64) } };
    const full = await unpackSource({ source, file: tarball, dest: fresh("full"), package: "demo" }).catch((e: unknown) => e);
    expect(full).toMatchObject({ code: expect.stringMatching(/ARCHIVE/) });
    await expect(unpackSource({ source, file: tarball, dest: fresh("only"), package: "demo", only: ["pyproject.toml"] })).rejects.toMatchObject({
      code: (full as { code: string }).code,
      message: (full as Error).message,
    });
  });
});
