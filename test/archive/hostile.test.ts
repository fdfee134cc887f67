/**
 * The hostile-archive corpus. Each case builds an evil archive byte by byte, extracts it into
 * <tmp>/target, and asserts: it is refused with the expected code; the message names the
 * archive and (where there is one) the offending entry; <tmp> holds nothing but `target`;
 * and the place the archive aimed at does not exist.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, mkdir, readdir, rm, symlink, lstat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { extractArchive, extractTar, extractZip, listZip } from "../../src/archive/index.js";
import type { ExtractOptions } from "../../src/archive/index.js";
import { isWheelwrightError, type ErrorCode } from "../../src/errors.js";
import { buildTar, makeTar, makeZip, type TarEntrySpec, type ZipEntrySpec } from "../helpers/archive-builder.js";

const archives = await mkdtemp(join(tmpdir(), "ww-hostile-archives-"));
afterAll(() => rm(archives, { recursive: true, force: true }));

interface Context {
  tmp: string;
  /** A unique name that must never appear anywhere on disk. */
  marker: string;
}

interface HostileCase {
  title: string;
  code: ErrorCode;
  /** Text the message must contain to name the offending entry (undefined: whole-archive problem). */
  entry?: (ctx: Context) => string;
  zip?: (ctx: Context) => ZipEntrySpec[];
  tar?: (ctx: Context) => TarEntrySpec[];
  /** Raw archive bytes, when neither builder fits. */
  raw?: (ctx: Context) => Buffer;
  gzip?: boolean;
  zip64?: boolean;
  truncateAt?: number;
  options?: ExtractOptions;
  /** Extra paths that must not exist afterwards (the marker under <tmp> and its parent are always checked). */
  escapes?: (ctx: Context) => string[];
  via?: "archive" | "list";
}

const file = (name: string | Buffer, data = "x"): ZipEntrySpec => ({ name, data });
const zeros = (n: number): Buffer => Buffer.alloc(n);

const cases: HostileCase[] = [
  // ---- names (zip) ----
  { title: "zip: leading ..", code: "ERR_WW_UNSAFE_ARCHIVE", zip: (c) => [file(`../${c.marker}`)], entry: (c) => `../${c.marker}` },
  { title: "zip: a/../../x", code: "ERR_WW_UNSAFE_ARCHIVE", zip: (c) => [file(`a/../../${c.marker}`)], entry: (c) => `a/../../${c.marker}` },
  { title: "zip: .. in the middle", code: "ERR_WW_UNSAFE_ARCHIVE", zip: (c) => [file(`a/b/../../../${c.marker}`)], entry: (c) => `a/b/../../../${c.marker}` },
  { title: "zip: harmless-looking a/../b", code: "ERR_WW_UNSAFE_ARCHIVE", zip: () => [file("a/../b")], entry: () => "a/../b" },
  { title: "zip: absolute path", code: "ERR_WW_UNSAFE_ARCHIVE", zip: (c) => [file(join(c.tmp, c.marker))], entry: (c) => join(c.tmp, c.marker) },
  { title: "zip: drive letter C:/x", code: "ERR_WW_UNSAFE_ARCHIVE", zip: (c) => [file(`C:/${c.marker}`)], entry: (c) => `C:/${c.marker}` },
  { title: "zip: drive-relative C:x", code: "ERR_WW_UNSAFE_ARCHIVE", zip: (c) => [file(`C:${c.marker}`)], entry: (c) => `C:${c.marker}` },
  { title: "zip: backslashes a\\..\\..\\x", code: "ERR_WW_UNSAFE_ARCHIVE", zip: (c) => [file(`a\\..\\..\\${c.marker}`)], entry: (c) => JSON.stringify(`a\\..\\..\\${c.marker}`).slice(1, -1) },
  { title: "zip: NUL byte in name", code: "ERR_WW_UNSAFE_ARCHIVE", zip: (c) => [file(Buffer.from(`ok.py\0/../../${c.marker}`))], entry: () => "ok.py\\u0000" },
  { title: "zip: empty name", code: "ERR_WW_UNSAFE_ARCHIVE", zip: () => [file("")], entry: () => '""' },
  { title: "zip: local header names another path than the central directory", code: "ERR_WW_UNSAFE_ARCHIVE", zip: (c) => [{ name: "pkg/ok.py", data: "x", localName: `../${c.marker}` }], entry: () => "pkg/ok.py" },
  // ---- links and special files (zip) ----
  { title: "zip: symlink in a wheel", code: "ERR_WW_UNSAFE_ARCHIVE", zip: () => [{ name: "pkg/link", symlink: "../../etc/passwd" }], entry: () => "pkg/link" },
  { title: "zip: symlink to an absolute path even when symlinks are allowed", code: "ERR_WW_UNSAFE_ARCHIVE", options: { allowSymlinks: true }, zip: (c) => [{ name: "a", symlink: c.tmp }, file(`a/${c.marker}`)], entry: () => '"a' },
  { title: "zip: character device", code: "ERR_WW_UNSAFE_ARCHIVE", zip: () => [{ name: "dev/tty", unixType: 0o020000 }], entry: () => "dev/tty" },
  { title: "zip: FIFO", code: "ERR_WW_UNSAFE_ARCHIVE", zip: () => [{ name: "pipe", unixType: 0o010000 }], entry: () => "pipe" },
  // ---- duplicates (zip) ----
  { title: "zip: same name twice", code: "ERR_WW_UNSAFE_ARCHIVE", zip: () => [file("pkg/a.py", "one"), file("pkg/a.py", "two")], entry: () => "pkg/a.py" },
  { title: "zip: same name twice after normalisation", code: "ERR_WW_UNSAFE_ARCHIVE", zip: () => [file("pkg/a.py", "one"), file("./pkg//a.py", "two")], entry: () => "pkg/a.py" },
  // ---- sizes and bombs (zip) ----
  { title: "zip: local header disagrees with central directory about the size", code: "ERR_WW_UNSAFE_ARCHIVE", zip: () => [{ name: "big.bin", data: zeros(100), method: "deflate", localSize: 1 }], entry: () => "big.bin" },
  { title: "zip: inflates to more than declared", code: "ERR_WW_UNSAFE_ARCHIVE", zip: () => [{ name: "liar.bin", data: zeros(200_000), method: "deflate", declaredSize: 10 }], entry: () => "liar.bin" },
  { title: "zip: inflates to fewer bytes than declared", code: "ERR_WW_ARCHIVE_FORMAT", zip: () => [{ name: "short.bin", data: "abc", method: "deflate", declaredSize: 10 }], entry: () => "short.bin" },
  { title: "zip: CRC mismatch", code: "ERR_WW_ARCHIVE_FORMAT", zip: () => [{ name: "crc.py", data: "print(1)", crc32: 1234 }], entry: () => "crc.py" },
  { title: "zip: two central records share one local header (overlap bomb)", code: "ERR_WW_UNSAFE_ARCHIVE", zip: () => [{ name: "a", data: zeros(1000), method: "deflate" }, { name: "b", data: zeros(1000), method: "deflate", offsetOf: 0 }], entry: () => '"a"' },
  { title: "zip: entry data spans the next local header (quoted-overlap bomb)", code: "ERR_WW_UNSAFE_ARCHIVE", zip: () => [{ name: "a", data: "x".repeat(50), method: "deflate", declaredCompressedSize: 200 }, file("b", "y".repeat(300))], entry: () => '"a"' },
  { title: "zip: compression ratio over the default limit", code: "ERR_WW_ARCHIVE_LIMIT", zip: () => [{ name: "zeros.bin", data: zeros(16 * 1024 * 1024), method: "deflate" }], entry: () => "zeros.bin" },
  { title: "zip: declared size over the default per-entry limit", code: "ERR_WW_ARCHIVE_LIMIT", zip64: true, zip: () => [{ name: "huge.bin", data: "x", method: "deflate", declaredSize: 5 * 1024 ** 3 }], entry: () => "huge.bin" },
  { title: "zip: entry count over the limit", code: "ERR_WW_ARCHIVE_LIMIT", options: { limits: { maxEntries: 5 } }, zip: () => Array.from({ length: 6 }, (_, i) => file(`f${i}`)) },
  { title: "zip: total bytes over the limit", code: "ERR_WW_ARCHIVE_LIMIT", options: { limits: { maxTotalBytes: 1000 } }, zip: () => [file("a", "x".repeat(600)), file("b", "y".repeat(600))], entry: () => '"b"' },
  { title: "zip: one entry over the per-entry limit", code: "ERR_WW_ARCHIVE_LIMIT", options: { limits: { maxEntryBytes: 100 } }, zip: () => [file("a", "x".repeat(101))], entry: () => '"a"' },
  { title: "zip: compression ratio over a configured limit", code: "ERR_WW_ARCHIVE_LIMIT", options: { limits: { maxCompressionRatio: 20 } }, zip: () => [{ name: "z.txt", data: "ab".repeat(1024 * 1024), method: "deflate" }], entry: () => "z.txt" },
  // ---- format (zip) ----
  { title: "zip: truncated", code: "ERR_WW_ARCHIVE_FORMAT", zip: () => [file("a.py", "x".repeat(1000)), file("b.py", "y".repeat(1000))], truncateAt: 1500 },
  { title: "zip: unsupported compression method (bzip2)", code: "ERR_WW_ARCHIVE_FORMAT", zip: () => [{ name: "a.py", data: "x", compressionMethod: 12 }], entry: () => "a.py" },
  { title: "zip: encrypted entry", code: "ERR_WW_ARCHIVE_FORMAT", zip: () => [{ name: "secret.py", data: "x", encrypted: true }], entry: () => "secret.py" },
  { title: "zip: map sends an entry outside", code: "ERR_WW_UNSAFE_ARCHIVE", options: { map: (e) => `../${e.name}` }, zip: (c) => [file(c.marker)], entry: (c) => c.marker },
  { title: "zip: listZip refuses the same names", code: "ERR_WW_UNSAFE_ARCHIVE", via: "list", zip: (c) => [file("ok"), file(`../${c.marker}`)], entry: (c) => `../${c.marker}` },

  // ---- names (tar) ----
  { title: "tar: leading ..", code: "ERR_WW_UNSAFE_ARCHIVE", tar: (c) => [{ name: `../${c.marker}`, data: "x" }], entry: (c) => `../${c.marker}` },
  { title: "tar: a/../../x", code: "ERR_WW_UNSAFE_ARCHIVE", gzip: true, tar: (c) => [{ name: "a/", type: "dir" }, { name: `a/../../${c.marker}`, data: "x" }], entry: (c) => `a/../../${c.marker}` },
  { title: "tar: absolute path", code: "ERR_WW_UNSAFE_ARCHIVE", tar: (c) => [{ name: join(c.tmp, c.marker), data: "x" }], entry: (c) => join(c.tmp, c.marker) },
  { title: "tar: backslashes", code: "ERR_WW_UNSAFE_ARCHIVE", tar: (c) => [{ name: `..\\${c.marker}`, data: "x" }], entry: (c) => `..\\\\${c.marker}` },
  { title: "tar: symlink with a long pax linkpath leaving the target", code: "ERR_WW_UNSAFE_ARCHIVE", tar: (c) => [{ name: "pkg/", type: "dir" }, { name: "pkg/l", type: "symlink", linkname: `${"d/".repeat(60)}${"../".repeat(62)}${c.marker}` }], entry: () => "pkg/l" },
  { title: "tar: .. smuggled through a long pax path", code: "ERR_WW_UNSAFE_ARCHIVE", gzip: true, tar: (c) => [{ name: `${"d".repeat(120)}/../../${c.marker}`, data: "x" }], entry: (c) => `../../${c.marker}` },
  // ---- links (tar) ----
  { title: "tar: symlink to an absolute path, then a file through it", code: "ERR_WW_UNSAFE_ARCHIVE", tar: (c) => [{ name: "a", type: "symlink", linkname: c.tmp }, { name: `a/${c.marker}`, data: "x" }], entry: () => '"a' },
  { title: "tar: symlink with a ../ target", code: "ERR_WW_UNSAFE_ARCHIVE", tar: (c) => [{ name: "pkg/link", type: "symlink", linkname: `../../${c.marker}` }], entry: () => "pkg/link" },
  { title: "tar: symlink inside, then a file written through it", code: "ERR_WW_UNSAFE_ARCHIVE", tar: (c) => [{ name: "sub/", type: "dir" }, { name: "a", type: "symlink", linkname: "sub" }, { name: `a/${c.marker}`, data: "x" }], entry: (c) => `a/${c.marker}` },
  { title: "tar: chained symlinks that each look inside", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "sub/", type: "dir" }, { name: "sub/l1", type: "symlink", linkname: ".." }, { name: "l2", type: "symlink", linkname: "sub/l1/.." }], entry: () => '"l2"' },
  { title: "tar: chained symlinks differing in case", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "sub/", type: "dir" }, { name: "sub/L1", type: "symlink", linkname: ".." }, { name: "l2", type: "symlink", linkname: "sub/l1/.." }], entry: () => '"l2"' },
  { title: "tar: symlink loop", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "x", type: "symlink", linkname: "y/z" }, { name: "y", type: "symlink", linkname: "x/z" }], entry: () => '"' },
  { title: "tar: symlinks refused when not allowed", code: "ERR_WW_UNSAFE_ARCHIVE", options: { allowSymlinks: false }, tar: () => [{ name: "ok", type: "symlink", linkname: "target" }], entry: () => '"ok"' },
  { title: "tar: hard link outside", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "passwd", type: "hardlink", linkname: "../../../../etc/passwd" }], entry: () => "passwd" },
  { title: "tar: hard link to an absolute path", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "passwd", type: "hardlink", linkname: "/etc/passwd" }], entry: () => "passwd" },
  { title: "tar: hard link to an entry that comes later", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "early", type: "hardlink", linkname: "late" }, { name: "late", data: "x" }], entry: () => "early" },
  { title: "tar: hard link to a nonexistent entry", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "h", type: "hardlink", linkname: "nowhere" }], entry: () => '"h"' },
  { title: "tar: hard link to a directory", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "d/", type: "dir" }, { name: "h", type: "hardlink", linkname: "d" }], entry: () => '"h"' },
  // ---- special files (tar) ----
  { title: "tar: character device", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "dev/null", type: "char" }], entry: () => "dev/null" },
  { title: "tar: block device", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "dev/sda", type: "block" }], entry: () => "dev/sda" },
  { title: "tar: FIFO", code: "ERR_WW_UNSAFE_ARCHIVE", gzip: true, tar: () => [{ name: "fifo", type: "fifo" }], entry: () => "fifo" },
  { title: "tar: unsupported entry type (GNU sparse)", code: "ERR_WW_ARCHIVE_FORMAT", tar: () => [{ name: "sparse", typeflag: "S", data: "" }], entry: () => "sparse" },
  // ---- duplicates and clashes (tar) ----
  { title: "tar: same file twice", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "setup.py", data: "good" }, { name: "setup.py", data: "evil" }], entry: () => "setup.py" },
  { title: "tar: a file, then a file under it", code: "ERR_WW_UNSAFE_ARCHIVE", tar: () => [{ name: "a", data: "x" }, { name: "a/b", data: "y" }], entry: () => "a/b" },
  // ---- sizes (tar) ----
  { title: "tar.gz: compression ratio over the limit", code: "ERR_WW_ARCHIVE_LIMIT", gzip: true, options: { limits: { maxCompressionRatio: 100 } }, tar: () => [{ name: "zeros", data: zeros(8 * 1024 * 1024) }] },
  { title: "tar: entry count over the limit", code: "ERR_WW_ARCHIVE_LIMIT", options: { limits: { maxEntries: 3 } }, tar: () => Array.from({ length: 4 }, (_, i) => ({ name: `f${i}`, data: "x" })), entry: () => "f3" },
  { title: "tar: total bytes over the limit", code: "ERR_WW_ARCHIVE_LIMIT", options: { limits: { maxTotalBytes: 1000 } }, tar: () => [{ name: "a", data: "x".repeat(600) }, { name: "b", data: "x".repeat(600) }], entry: () => '"b"' },
  { title: "tar: declared entry size over the limit", code: "ERR_WW_ARCHIVE_LIMIT", options: { limits: { maxEntryBytes: 100 } }, tar: () => [{ name: "a", data: "x".repeat(2000) }], entry: () => '"a"' },
  { title: "tar: hard-link copies count toward the total", code: "ERR_WW_ARCHIVE_LIMIT", options: { limits: { maxTotalBytes: 1000 } }, tar: () => [{ name: "a", data: "x".repeat(600) }, { name: "h", type: "hardlink", linkname: "a" }], entry: () => '"h"' },
  // ---- format (tar) ----
  { title: "tar: truncated inside a file", code: "ERR_WW_ARCHIVE_FORMAT", truncateAt: 512 + 1024, entry: () => '"a"', tar: () => [{ name: "a", data: "x".repeat(4000) }] },
  { title: "tar: truncated inside a header", code: "ERR_WW_ARCHIVE_FORMAT", truncateAt: 1024 + 300, tar: () => [{ name: "a", data: "x" }, { name: "b", data: "y" }] },
  { title: "tar: header lies about its size", code: "ERR_WW_ARCHIVE_FORMAT", entry: () => '"a"', tar: () => [{ name: "a", data: "x", declaredSize: 100_000 }] },
  { title: "tar: bad header checksum", code: "ERR_WW_ARCHIVE_FORMAT", raw: () => corruptChecksum(buildTar([{ name: "a", data: "x" }])) },
  { title: "tar.gz: truncated gzip stream", code: "ERR_WW_ARCHIVE_FORMAT", raw: () => { const gz = buildTar([{ name: "a", data: randomBytes(20_000) }], { gzip: true }); return gz.subarray(0, gz.length - 2000); } },
  { title: "tar.xz is recognised but not readable", code: "ERR_WW_ARCHIVE_FORMAT", raw: () => Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), zeros(600)]) },
  { title: "tar.bz2 is recognised but not readable", code: "ERR_WW_ARCHIVE_FORMAT", raw: () => Buffer.concat([Buffer.from("BZh91AY&SY"), zeros(600)]) },
  { title: "neither zip nor tar", code: "ERR_WW_ARCHIVE_FORMAT", raw: () => Buffer.from("#!/bin/sh\necho this is not an archive\n".repeat(20)) },
  { title: "gzip of something that is not tar", code: "ERR_WW_ARCHIVE_FORMAT", raw: () => gzipSync(Buffer.from("just text, no tar header here\n".repeat(40))) },
];

function corruptChecksum(tar: Buffer): Buffer {
  const copy = Buffer.from(tar);
  copy.write("0000001\0", 148, "latin1");
  return copy;
}

async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

describe("hostile archives are refused and write nothing outside the target", () => {
  it("has at least 20 distinct hostile archives", () => {
    expect(new Set(cases.map((c) => c.title)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const hostile of cases) {
    it(hostile.title, async () => {
      const tmp = await mkdtemp(join(tmpdir(), "ww-hostile-"));
      try {
        const ctx: Context = { tmp, marker: `ww-escape-${randomBytes(6).toString("hex")}` };
        const ext = hostile.zip !== undefined ? "zip" : hostile.gzip === true ? "tar.gz" : "tar";
        const archive = join(archives, `${ctx.marker}.${ext}`);
        if (hostile.zip !== undefined) await makeZip(archive, hostile.zip(ctx), { truncateAt: hostile.truncateAt, zip64: hostile.zip64 });
        else if (hostile.tar !== undefined) await makeTar(archive, hostile.tar(ctx), { gzip: hostile.gzip, truncateAt: hostile.truncateAt });
        else {
          const { writeFile } = await import("node:fs/promises");
          await writeFile(archive, hostile.raw!(ctx));
        }
        const target = join(tmp, "target");
        const run =
          hostile.via === "list" ? listZip(archive)
          : hostile.raw !== undefined ? extractArchive(archive, target, hostile.options)
          : hostile.zip !== undefined ? extractZip(archive, target, hostile.options)
          : extractTar(archive, target, hostile.options);
        const error = await run.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, "the archive must be refused").toBeDefined();
        if (!isWheelwrightError(error)) throw error;
        expect(error.code).toBe(hostile.code);
        expect(error.message).toContain(archive);
        expect(error.location.file).toBe(archive);
        if (hostile.entry !== undefined) expect(error.message).toContain(hostile.entry(ctx));
        // Nothing but the target directory (if extraction got that far) exists in <tmp> ...
        expect((await readdir(tmp)).filter((name) => name !== "target")).toEqual([]);
        // ... and the marker the archive aimed at exists nowhere it could have reached.
        for (const place of [join(tmp, ctx.marker), join(dirname(tmp), ctx.marker), join(tmpdir(), ctx.marker), ...(hostile.escapes?.(ctx) ?? [])]) {
          expect(await exists(place), place).toBe(false);
        }
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }

  it("a NUL in a pax path ends the name there (tar's pax reader), so nothing escapes", async () => {
    const tmp = await mkdtemp(join(tmpdir(), "ww-hostile-"));
    try {
      const marker = `ww-escape-${randomBytes(6).toString("hex")}`;
      const tar = await makeTar(join(archives, `${marker}.tar`), [{ name: `ok\0/../../${marker}`, data: "x" }]);
      const files = await extractTar(tar, join(tmp, "target"));
      expect(files.map((f) => f.name)).toEqual(["ok"]);
      expect(await readdir(tmp)).toEqual(["target"]);
      expect(await listTree(join(tmp, "target"))).toEqual(["ok"]);
      expect(await exists(join(dirname(tmp), marker))).toBe(false);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("never writes through a symlink already present in the destination", async () => {
    const tmp = await mkdtemp(join(tmpdir(), "ww-hostile-"));
    try {
      const outside = join(tmp, "outside");
      const target = join(tmp, "target");
      await mkdir(outside);
      await mkdir(target);
      await symlink(outside, join(target, "a"));
      await symlink(join(outside, "planted"), join(target, "file.py"));
      const zip = await makeZip(join(archives, "through-existing.zip"), [file("a/evil.py")]);
      const error = await extractZip(zip, target).catch((e: unknown) => e);
      expect(isWheelwrightError(error, "ERR_WW_UNSAFE_ARCHIVE")).toBe(true);
      expect((error as Error).message).toContain("a/evil.py");
      const tar = await makeTar(join(archives, "through-existing.tar"), [{ name: "file.py", data: "evil" }]);
      const error2 = await extractTar(tar, target).catch((e: unknown) => e);
      expect(isWheelwrightError(error2, "ERR_WW_UNSAFE_ARCHIVE")).toBe(true);
      expect(await readdir(outside)).toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
