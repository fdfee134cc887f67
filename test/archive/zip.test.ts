import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { lstat, mkdtemp, readFile, readlink, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { extractArchive, extractZip, listZip, openZip, readZipEntry } from "../../src/archive/index.js";
import { isWheelwrightError } from "../../src/errors.js";
import { makeZip } from "../helpers/archive-builder.js";
import { havePython, python, warnSkip } from "./oracle.js";

const tmp = await mkdtemp(join(tmpdir(), "ww-zip-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));
let counter = 0;
const fresh = (): string => join(tmp, `t${++counter}`);
const sha = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

const INIT = "from .core import main\n";
const CORE = "def main():\n    return 42\n".repeat(50);
const SCRIPT = "#!python\nimport sys\n";

async function wheelLike(): Promise<string> {
  return makeZip(join(tmp, `demo-${++counter}.whl`), [
    { name: "demo/", dir: true },
    { name: "demo/__init__.py", data: INIT, method: "deflate" },
    { name: "demo/core.py", data: CORE, method: "deflate" },
    { name: "demo/sub/deep/data.bin", data: Buffer.from([0, 1, 2, 255]) }, // no directory entries for its parents
    { name: "demo-1.0.data/scripts/demo", data: SCRIPT, mode: 0o755 },
    { name: "demo-1.0.dist-info/METADATA", data: "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", method: "deflate" },
    { name: "demo-1.0.dist-info/RECORD", data: "" },
  ]);
}

describe("extractZip on legitimate archives", () => {
  it("extracts a wheel-like zip with nested directories, hashes and the exec bit", async () => {
    const dest = fresh();
    const files = await extractZip(await wheelLike(), dest);
    expect(files.map((f) => f.name).sort()).toEqual([
      "demo-1.0.data/scripts/demo",
      "demo-1.0.dist-info/METADATA",
      "demo-1.0.dist-info/RECORD",
      "demo/__init__.py",
      "demo/core.py",
      "demo/sub/deep/data.bin",
    ]);
    const byName = new Map(files.map((f) => [f.name, f]));
    expect(await readFile(join(dest, "demo/core.py"), "utf8")).toBe(CORE);
    expect(byName.get("demo/core.py")!.sha256.toString("hex")).toBe(sha(CORE));
    expect(byName.get("demo/core.py")!.size).toBe(Buffer.byteLength(CORE));
    expect(byName.get("demo/core.py")!.dest).toBe(join(dest, "demo/core.py"));
    expect(byName.get("demo/sub/deep/data.bin")!.sha256.toString("hex")).toBe(sha(Buffer.from([0, 1, 2, 255])));
    expect(byName.get("demo-1.0.data/scripts/demo")!.executable).toBe(true);
    expect(byName.get("demo/__init__.py")!.executable).toBe(false);
    expect((await stat(join(dest, "demo-1.0.data/scripts/demo"))).mode & 0o111).not.toBe(0);
    expect((await stat(join(dest, "demo/core.py"))).mode & 0o111).toBe(0);
    expect((await stat(join(dest, "demo/sub/deep"))).isDirectory()).toBe(true);
  });

  it("lists entries with types, sizes and modes", async () => {
    const entries = await listZip(await wheelLike());
    expect(entries.find((e) => e.name === "demo")).toMatchObject({ type: "directory", size: 0 });
    expect(entries.find((e) => e.name === "demo/core.py")).toMatchObject({ type: "file", size: Buffer.byteLength(CORE), mode: 0o644, executable: false });
    expect(entries.find((e) => e.name === "demo-1.0.data/scripts/demo")).toMatchObject({ mode: 0o755, executable: true });
  });

  it("reads one entry, and says clearly when it is missing or too big", async () => {
    const wheel = await wheelLike();
    expect((await readZipEntry(wheel, "demo-1.0.dist-info/METADATA")).toString()).toContain("Name: demo");
    expect((await readZipEntry(wheel, "./demo/core.py")).toString()).toBe(CORE);
    const missing = await readZipEntry(wheel, "demo-1.0.dist-info/WHEEL").catch((e: unknown) => e);
    expect(isWheelwrightError(missing, "ERR_WW_ARCHIVE_ENTRY_MISSING")).toBe(true);
    expect((missing as Error).message).toContain(wheel);
    const big = await readZipEntry(wheel, "demo/core.py", 10).catch((e: unknown) => e);
    expect(isWheelwrightError(big, "ERR_WW_ARCHIVE_LIMIT")).toBe(true);
  });

  it("opens once to list, read and extract (openZip)", async () => {
    const wheel = await wheelLike();
    const archive = await openZip(wheel);
    try {
      expect(archive.entries.map((e) => e.name)).toEqual((await listZip(wheel)).map((e) => e.name));
      expect((await archive.read("demo-1.0.dist-info/METADATA")).toString()).toContain("Version: 1.0");
      expect((await archive.read("demo/core.py")).toString()).toBe(CORE);
      const missing = await archive.read("demo/nope.py").catch((e: unknown) => e);
      expect(isWheelwrightError(missing, "ERR_WW_ARCHIVE_ENTRY_MISSING")).toBe(true);
      const dest = fresh();
      const files = await archive.extract(dest, { map: (e) => (e.name.startsWith("demo/") ? e.name : null) });
      expect(files.map((f) => f.name).sort()).toEqual(["demo/__init__.py", "demo/core.py", "demo/sub/deep/data.bin"]);
      expect(await readFile(join(dest, "demo/core.py"), "utf8")).toBe(CORE);
    } finally {
      archive.close();
    }
  });

  it("applies stripComponents and map (skip and rename)", async () => {
    const dest = fresh();
    const files = await extractZip(await wheelLike(), dest, {
      map: (entry) => (entry.name.endsWith("RECORD") ? null : entry.name === "demo" || entry.name.startsWith("demo/") ? `site/${entry.name}` : entry.name),
    });
    expect(files.map((f) => f.name)).not.toContain("demo-1.0.dist-info/RECORD");
    expect(existsSync(join(dest, "site/demo/core.py"))).toBe(true);
    expect(existsSync(join(dest, "demo"))).toBe(false);
    const stripped = fresh();
    await extractZip(await wheelLike(), stripped, { stripComponents: 1 });
    expect(readdirSync(stripped).sort()).toEqual(["METADATA", "RECORD", "__init__.py", "core.py", "scripts", "sub"]);
  });

  it("creates symlinks pointing inside only when allowed", async () => {
    const zip = await makeZip(join(tmp, "links.zip"), [
      { name: "pkg/real.py", data: "x = 1\n" },
      { name: "pkg/alias.py", symlink: "real.py" },
    ]);
    const refused = await extractArchive(zip, fresh()).catch((e: unknown) => e);
    expect(isWheelwrightError(refused, "ERR_WW_UNSAFE_ARCHIVE")).toBe(true);
    const dest = fresh();
    const files = await extractZip(zip, dest, { allowSymlinks: true });
    expect(files.map((f) => f.name)).toEqual(["pkg/real.py"]);
    expect(await readlink(join(dest, "pkg/alias.py"))).toBe("real.py");
    expect((await lstat(join(dest, "pkg/alias.py"))).isSymbolicLink()).toBe(true);
    expect((await listZip(zip)).find((e) => e.name === "pkg/alias.py")).toMatchObject({ type: "symlink", linkTarget: "real.py" });
  });

  it("treats entries without unix attributes (made on DOS/Windows) as plain files and directories", async () => {
    const zip = await makeZip(join(tmp, "dos.zip"), [
      { name: "pkg", dir: true, madeBy: "dos" },
      { name: "pkg/tool.exe", data: "MZ", madeBy: "dos" },
    ]);
    const entries = await listZip(zip);
    expect(entries).toEqual([
      { name: "pkg", type: "directory", size: 0, mode: 0, executable: false },
      { name: "pkg/tool.exe", type: "file", size: 2, mode: 0, executable: false },
    ]);
    const dest = fresh();
    await extractZip(zip, dest);
    expect((await stat(join(dest, "pkg/tool.exe"))).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it("extracts into an existing, non-empty destination without touching other files", async () => {
    const dest = fresh();
    await extractZip(await makeZip(join(tmp, "one.zip"), [{ name: "a.txt", data: "a" }]), dest);
    await extractZip(await makeZip(join(tmp, "two.zip"), [{ name: "b/b.txt", data: "b" }]), dest);
    expect(readdirSync(dest).sort()).toEqual(["a.txt", "b"]);
  });
});

describe("zip64", () => {
  it("extracts a zip that uses zip64 end records and extra fields (checked against the reference zipfile)", async () => {
    const zip = await makeZip(join(tmp, "z64.zip"), [
      { name: "a.txt", data: "hello zip64", method: "deflate" },
      { name: "b/", dir: true },
      { name: "b/c.txt", data: "c" },
    ], { zip64: true });
    if (havePython) {
      const names = python<string[]>("import sys, json, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps(z.namelist()))", zip);
      expect(names).toEqual(["a.txt", "b/", "b/c.txt"]);
    }
    const dest = fresh();
    const files = await extractZip(zip, dest);
    expect(files.map((f) => f.name)).toEqual(["a.txt", "b/c.txt"]);
    expect(await readFile(join(dest, "a.txt"), "utf8")).toBe("hello zip64");
  });

  it("lists a central directory with more than 65535 entries", async () => {
    const count = 66_000; // just past the 65,535 a plain end record can count
    const zip = await makeZip(join(tmp, "many.zip"), Array.from({ length: count }, (_, i) => ({ name: `d${i % 100}/f${i}.py` })));
    const entries = await listZip(zip);
    expect(entries.length).toBe(count);
    expect(entries[count - 1]!.name).toBe(`d${(count - 1) % 100}/f${count - 1}.py`);
  });
});

describe("against independent zip writers", () => {
  it.skipIf(warnSkip(!havePython, "python3 with zipfile is not available"))("extracts what Python's zipfile wrote, byte for byte", async () => {
    const zip = join(tmp, "py.zip");
    const expected = python<Record<string, { sha256: string; exec: boolean }>>(
      `
import sys, json, zipfile, hashlib
files = {"pkg/__init__.py": b"", "pkg/mod.py": b"x = 1\\n" * 1000, "pkg/ünïcode.txt": "é".encode(), "bin/run": b"#!/bin/sh\\n", "big.bin": bytes(range(256)) * 4096}
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr(zipfile.ZipInfo("pkg/"), b"")
    for i, (name, data) in enumerate(sorted(files.items())):
        info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if i % 2 else zipfile.ZIP_STORED
        info.external_attr = (0o100755 if name == "bin/run" else 0o100644) << 16
        z.writestr(info, data)
print(json.dumps({n: {"sha256": hashlib.sha256(d).hexdigest(), "exec": n == "bin/run"} for n, d in files.items()}))
`,
      zip,
    );
    const files = await extractZip(zip, fresh());
    expect(Object.fromEntries(files.map((f) => [f.name, { sha256: f.sha256.toString("hex"), exec: f.executable }]))).toEqual(expected);
  });

  const bundled = havePython ? python<string[]>("import json, ensurepip, glob, os; print(json.dumps(sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', '*.whl')))))") : [];
  it.skipIf(warnSkip(bundled.length === 0, "no interpreter-bundled wheels (ensurepip/_bundled) to test with"))("extracts the interpreter's bundled wheels exactly as zipfile reads them", async () => {
    for (const wheel of bundled) {
      const expected = python<Record<string, string>>(
        "import sys, json, zipfile, hashlib; z = zipfile.ZipFile(sys.argv[1]); print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist() if not i.is_dir()}))",
        wheel,
      );
      const files = await extractZip(wheel, fresh());
      expect(Object.fromEntries(files.map((f) => [f.name, f.sha256.toString("hex")]))).toEqual(expected);
    }
  });
});
