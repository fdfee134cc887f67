import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { extractArchive, extractTar } from "../../src/archive/index.js";
import { isWheelwrightError } from "../../src/errors.js";
import { makeTar, makeZip, type TarEntrySpec } from "../helpers/archive-builder.js";
import { haveGnuTar, warnSkip } from "./oracle.js";

const tmp = await mkdtemp(join(tmpdir(), "ww-tar-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));
let counter = 0;
const fresh = (): string => join(tmp, `t${++counter}`);
const sha = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

const LONG_DIR = "src/" + "a_rather_long_directory_name/".repeat(5);
const SETUP = "from setuptools import setup\nsetup()\n";

function sdistEntries(): TarEntrySpec[] {
  return [
    { name: "demo-1.0/", type: "dir" },
    { name: "demo-1.0/setup.py", data: SETUP },
    { name: "demo-1.0/README", data: "read me\n" },
    { name: "demo-1.0/scripts/run.sh", data: "#!/bin/sh\necho hi\n", mode: 0o755 },
    { name: `demo-1.0/${LONG_DIR}module_with_a_long_name.py`, data: "x = 1\n" }, // > 100 bytes: pax path
    { name: "demo-1.0/docs/README", type: "symlink", linkname: "../README" },
    { name: "demo-1.0/COPY", type: "hardlink", linkname: "demo-1.0/README" },
  ];
}

describe("extractTar on legitimate sdists", () => {
  it("strips the top-level directory and handles pax long names, exec bits, symlinks and hard links", async () => {
    const archive = await makeTar(join(tmp, "demo-1.0.tar.gz"), sdistEntries(), { gzip: true });
    expect(`demo-1.0/${LONG_DIR}module_with_a_long_name.py`.length).toBeGreaterThan(100);
    const dest = fresh();
    const files = await extractTar(archive, dest, { stripComponents: 1 });
    expect(files.map((f) => f.name).sort()).toEqual([
      "demo-1.0/COPY",
      "demo-1.0/README",
      `demo-1.0/${LONG_DIR}module_with_a_long_name.py`,
      "demo-1.0/scripts/run.sh",
      "demo-1.0/setup.py",
    ].sort());
    expect((await readdir(dest)).sort()).toEqual(["COPY", "README", "docs", "scripts", "setup.py", "src"]);
    expect(await readFile(join(dest, "setup.py"), "utf8")).toBe(SETUP);
    expect(files.find((f) => f.name === "demo-1.0/setup.py")!.sha256.toString("hex")).toBe(sha(SETUP));
    expect(await readFile(join(dest, LONG_DIR, "module_with_a_long_name.py"), "utf8")).toBe("x = 1\n");
    expect((await stat(join(dest, "scripts/run.sh"))).mode & 0o111).not.toBe(0);
    expect(files.find((f) => f.name === "demo-1.0/scripts/run.sh")!.executable).toBe(true);
    expect(await readlink(join(dest, "docs/README"))).toBe("../README");
    expect(await readFile(join(dest, "docs/README"), "utf8")).toBe("read me\n");
    // The hard link is a copy (store paths share no inodes) with the same content.
    expect(await readFile(join(dest, "COPY"), "utf8")).toBe("read me\n");
    expect((await stat(join(dest, "COPY"))).ino).not.toBe((await stat(join(dest, "README"))).ino);
    expect(files.find((f) => f.name === "demo-1.0/COPY")!.dest).toBe(join(dest, "COPY"));
  });

  it("refuses the same sdist's symlink when symlinks are not allowed", async () => {
    const archive = await makeTar(join(tmp, "demo-nolinks.tar.gz"), sdistEntries(), { gzip: true });
    const error = await extractTar(archive, fresh(), { allowSymlinks: false }).catch((e: unknown) => e);
    expect(isWheelwrightError(error, "ERR_WW_UNSAFE_ARCHIVE")).toBe(true);
    expect((error as Error).message).toContain("demo-1.0/docs/README");
  });

  it("extracts an uncompressed tar and dispatches zip vs tar by content, not by name", async () => {
    const tar = await makeTar(join(tmp, "looks-like.whl"), [{ name: "a.txt", data: "tar!" }]);
    const zip = await makeZip(join(tmp, "looks-like.tar.gz"), [{ name: "a.txt", data: "zip!" }]);
    const d1 = fresh();
    const d2 = fresh();
    await extractArchive(tar, d1);
    await extractArchive(zip, d2);
    expect(await readFile(join(d1, "a.txt"), "utf8")).toBe("tar!");
    expect(await readFile(join(d2, "a.txt"), "utf8")).toBe("zip!");
    const wrong = await extractTar(zip, fresh()).catch((e: unknown) => e);
    expect(isWheelwrightError(wrong, "ERR_WW_ARCHIVE_FORMAT")).toBe(true);
  });

  it("skips entries that stripComponents consumes entirely, and applies map", async () => {
    const archive = await makeTar(join(tmp, "strip.tar"), [
      { name: "top-level-file", data: "dropped" },
      { name: "pkg/", type: "dir" },
      { name: "pkg/a.py", data: "a" },
      { name: "pkg/tests/t.py", data: "t" },
    ]);
    const dest = fresh();
    const files = await extractTar(archive, dest, { stripComponents: 1, map: (e) => (e.name.startsWith("tests/") ? null : e.name) });
    expect(files.map((f) => f.name)).toEqual(["pkg/a.py"]);
    expect(await readdir(dest)).toEqual(["a.py"]);
  });
});

async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(root, { recursive: true })).map(String).sort()) {
    const path = join(root, name);
    const info = await lstat(path);
    if (info.isSymbolicLink()) out[name] = `link:${await readlink(path)}`;
    else if (info.isDirectory()) out[name] = "dir";
    else out[name] = `file:${sha(await readFile(path))}:${info.mode & 0o100 ? "x" : "-"}`;
  }
  return out;
}

describe.skipIf(warnSkip(!haveGnuTar, "GNU tar is not installed"))("against GNU tar", () => {
  const formats = ["gnu", "pax", "ustar"] as const;
  for (const format of formats) {
    it(`extracts a ${format}-format tar.gz made by GNU tar to the same tree`, async () => {
      const src = join(tmp, `src-${format}`);
      const top = join(src, "proj-2.0");
      // ustar can only hold names up to 255 bytes (prefix + name), so keep the deep path within that.
      const deep = join(top, "pkg", "deeply", "nested_directory_name_".repeat(3), "leaf_module_name_is_long_too.py");
      await mkdir(join(deep, ".."), { recursive: true });
      await writeFile(deep, "deep = True\n");
      await writeFile(join(top, "pkg", "__init__.py"), "");
      await writeFile(join(top, "pkg", "ünïcode.txt"), "é\n");
      await writeFile(join(top, "build.sh"), "#!/bin/sh\n");
      await chmod(join(top, "build.sh"), 0o755);
      await mkdir(join(top, "empty-dir"));
      await symlink("pkg/__init__.py", join(top, "alias.py"));
      await symlink("../build.sh", join(top, "pkg", "up.sh"));
      expect(relative(src, deep).length).toBeGreaterThan(100);
      const archive = join(tmp, `proj-${format}.tar.gz`);
      execFileSync("tar", [`--format=${format}`, "-czf", archive, "-C", src, "proj-2.0"]);
      const dest = fresh();
      await extractTar(archive, dest);
      expect(await snapshot(dest)).toEqual(await snapshot(src));
    });
  }

  it("skips the ./ root entry GNU tar writes for `-C dir .`", async () => {
    const src = join(tmp, "src-dot");
    await mkdir(join(src, "pkg"), { recursive: true });
    await writeFile(join(src, "pkg", "m.py"), "m\n");
    const archive = join(tmp, "dot.tar");
    execFileSync("tar", ["-cf", archive, "-C", src, "."]);
    expect(execFileSync("tar", ["-tf", archive], { encoding: "utf8" })).toContain("./\n");
    const dest = fresh();
    await extractArchive(archive, dest);
    expect(await snapshot(dest)).toEqual(await snapshot(src));
  });

  it("extracts a 5,000-file sdist in reasonable time", async () => {
    const src = join(tmp, "src-big");
    for (let d = 0; d < 50; d++) {
      await mkdir(join(src, "big-1.0", `d${d}`), { recursive: true });
      await Promise.all(Array.from({ length: 100 }, (_, f) => writeFile(join(src, "big-1.0", `d${d}`, `f${f}.py`), `# ${d}/${f}\n`)));
    }
    const archive = join(tmp, "big.tar.gz");
    execFileSync("tar", ["-czf", archive, "-C", src, "big-1.0"]);
    const started = Date.now();
    const files = await extractTar(archive, fresh(), { stripComponents: 1 });
    const seconds = (Date.now() - started) / 1000;
    expect(files.length).toBe(5000);
    // Generous: the tar package's own extractor takes 3-4 s here; ours should stay well below.
    expect(seconds).toBeLessThan(20);
  });
});
