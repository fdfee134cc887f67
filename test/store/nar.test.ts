import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { encodeNixBase32 } from "../../src/store/nix-base32.js";
import { narChunks, narHash, writeNar } from "../../src/store/nar.js";

// ---- an independent NAR reader, written from the format description ----
type Node =
  | { type: "regular"; executable: boolean; contents: Buffer }
  | { type: "symlink"; target: string }
  | { type: "directory"; entries: [Buffer, Node][] };

function parseNar(nar: Buffer): Node {
  let pos = 0;
  const readInt = (): number => {
    const value = Number(nar.readBigUInt64LE(pos));
    pos += 8;
    return value;
  };
  const readBytes = (): Buffer => {
    const length = readInt();
    const bytes = nar.subarray(pos, pos + length);
    pos += length;
    const pad = (8 - (length % 8)) % 8;
    for (let i = 0; i < pad; i++) if (nar[pos + i] !== 0) throw new Error("non-zero padding");
    pos += pad;
    return bytes;
  };
  const readStr = (): string => readBytes().toString("utf8");
  const expectStr = (want: string): void => {
    const got = readStr();
    if (got !== want) throw new Error(`expected ${want} got ${got} at ${pos}`);
  };
  const readNode = (): Node => {
    expectStr("(");
    expectStr("type");
    const type = readStr();
    if (type === "regular") {
      let tag = readStr();
      let executable = false;
      if (tag === "executable") {
        expectStr("");
        executable = true;
        tag = readStr();
      }
      if (tag !== "contents") throw new Error("no contents");
      const contents = Buffer.from(readBytes());
      expectStr(")");
      return { type, executable, contents };
    }
    if (type === "symlink") {
      expectStr("target");
      const target = readStr();
      expectStr(")");
      return { type, target };
    }
    if (type === "directory") {
      const entries: [Buffer, Node][] = [];
      for (;;) {
        const tag = readStr();
        if (tag === ")") return { type, entries };
        if (tag !== "entry") throw new Error(`unexpected ${tag}`);
        expectStr("(");
        expectStr("name");
        const name = Buffer.from(readBytes());
        expectStr("node");
        const node = readNode();
        expectStr(")");
        entries.push([name, node]);
      }
    }
    throw new Error(`unknown type ${type}`);
  };
  expectStr("nix-archive-1");
  const node = readNode();
  if (pos !== nar.length) throw new Error("trailing bytes");
  return node;
}

async function collect(path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of narChunks(path)) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

// Hand-built token encoding, for the single-file case.
function token(value: Buffer | string): Buffer {
  const bytes = Buffer.from(value);
  const header = Buffer.alloc(8);
  header.writeUInt32LE(bytes.length, 0);
  return Buffer.concat([header, bytes, Buffer.alloc((8 - (bytes.length % 8)) % 8)]);
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ww-nar-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("NAR", () => {
  it("serialises a single file byte for byte and hashes it", async () => {
    const dir = tempDir();
    const file = join(dir, "hello.txt");
    writeFileSync(file, "hello world\n");
    const expected = Buffer.concat(["nix-archive-1", "(", "type", "regular", "contents", "hello world\n", ")"].map(token));
    const nar = await collect(file);
    expect(nar.equals(expected)).toBe(true);
    const digest = createHash("sha256").update(expected).digest();
    expect(await narHash(file)).toEqual({
      sha256: digest.toString("hex"),
      nixHash: `sha256:${encodeNixBase32(digest)}`,
      size: expected.length,
    });
  });

  it("marks owner-executable files and ignores other mode bits and mtimes", async () => {
    const dir = tempDir();
    const file = join(dir, "run");
    writeFileSync(file, "#!/bin/sh\n");
    chmodSync(file, 0o755);
    const exec = await collect(file);
    expect(exec.equals(Buffer.concat(["nix-archive-1", "(", "type", "regular", "executable", "", "contents", "#!/bin/sh\n", ")"].map(token)))).toBe(true);
    chmodSync(file, 0o754);
    expect((await narHash(file)).sha256).toBe(createHash("sha256").update(exec).digest("hex"));
    chmodSync(file, 0o644);
    const plain = parseNar(await collect(file));
    expect(plain).toMatchObject({ type: "regular", executable: false });
    chmodSync(file, 0o011); // group/other execute alone do not count
    expect(parseNar(await collect(file))).toMatchObject({ executable: false });
  });

  it("reconstructs a tree: sorted entries by name bytes, symlinks, empty dirs, large files", async () => {
    const dir = tempDir();
    const root = join(dir, "tree");
    mkdirSync(join(root, "empty"), { recursive: true });
    mkdirSync(join(root, "sub", "deeper"), { recursive: true });
    const big = randomBytes(3 * 1024 * 1024 + 13); // spans several read chunks, odd length
    writeFileSync(join(root, "sub", "big.bin"), big);
    writeFileSync(join(root, "sub", "deeper", "x"), "");
    const names = ["zeta", "Zeta", "alpha", "é-accent", "e", "日本", "a.b", "a-b", "a_b"];
    for (const name of names) writeFileSync(join(root, name), `content of ${name}`);
    symlinkSync("../elsewhere/target", join(root, "link"));
    writeFileSync(join(root, "tool"), "x");
    chmodSync(join(root, "tool"), 0o700);

    const tree = parseNar(await collect(root));
    if (tree.type !== "directory") throw new Error("not a directory");
    const entryNames = tree.entries.map(([name]) => name);
    const sorted = [...entryNames].sort(Buffer.compare);
    expect(entryNames).toEqual(sorted);
    expect(entryNames.map((n) => n.toString())).toEqual(
      [...names, "empty", "sub", "link", "tool"].map((n) => Buffer.from(n)).sort(Buffer.compare).map((b) => b.toString()),
    );
    // Byte order puts "Zeta" before "a…" and multi-byte UTF-8 after ASCII.
    expect(entryNames[0]!.toString()).toBe("Zeta");
    expect(entryNames.at(-1)!.toString()).toBe("日本");
    const byName = new Map(tree.entries.map(([name, node]) => [name.toString(), node]));
    expect(byName.get("empty")).toEqual({ type: "directory", entries: [] });
    expect(byName.get("link")).toEqual({ type: "symlink", target: "../elsewhere/target" });
    expect(byName.get("tool")).toMatchObject({ type: "regular", executable: true });
    expect(byName.get("é-accent")).toMatchObject({ contents: Buffer.from("content of é-accent") });
    const sub = byName.get("sub");
    if (sub?.type !== "directory") throw new Error("sub");
    const [bigEntry, deeper] = sub.entries;
    expect(bigEntry![0].toString()).toBe("big.bin");
    expect(bigEntry![1].type === "regular" && bigEntry![1].contents.equals(big)).toBe(true);
    expect(deeper![1]).toEqual({ type: "directory", entries: [[Buffer.from("x"), { type: "regular", executable: false, contents: Buffer.alloc(0) }]] });

    // The streaming hash equals the hash of the collected bytes, and writeNar writes the same.
    const nar = await collect(root);
    const hash = await narHash(root);
    expect(hash.sha256).toBe(createHash("sha256").update(nar).digest("hex"));
    expect(hash.size).toBe(nar.length);
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on("data", (chunk: Buffer) => parts.push(chunk));
    expect(await writeNar(root, sink)).toBe(nar.length);
    expect(Buffer.concat(parts).equals(nar)).toBe(true);
  });

  it("handles non-UTF-8 file names as raw bytes", async () => {
    const dir = tempDir();
    const root = join(dir, "raw");
    mkdirSync(root);
    const rawName = Buffer.from([0x66, 0xff, 0x01]);
    writeFileSync(Buffer.concat([Buffer.from(root + "/"), rawName]), "raw");
    const tree = parseNar(await collect(root));
    expect(tree).toEqual({ type: "directory", entries: [[rawName, { type: "regular", executable: false, contents: Buffer.from("raw") }]] });
  });

  it("closes every file it opens", async () => {
    const dir = tempDir();
    const root = join(dir, "many");
    mkdirSync(root);
    for (let i = 0; i < 300; i++) writeFileSync(join(root, `f${i}`), `file ${i}`);
    writeFileSync(join(root, "large"), randomBytes(2 * 1024 * 1024));
    const before = readdirSync("/proc/self/fd").length;
    const hash = await narHash(root);
    expect(hash.size).toBeGreaterThan(2 * 1024 * 1024);
    expect(readdirSync("/proc/self/fd").length).toBeLessThanOrEqual(before);
  });

  it("takes known contents from memory, byte for byte the same archive as a re-read", async () => {
    const dir = tempDir();
    const root = join(dir, "tree");
    mkdirSync(join(root, "pkg", "__pycache__"), { recursive: true });
    const files: Record<string, Buffer> = {
      "pkg/__init__.py": Buffer.from("x = 1\n"),
      "pkg/__pycache__/m.pyc": randomBytes(1001),
      "pkg/empty": Buffer.alloc(0),
      "big.bin": randomBytes(2 * 1024 * 1024 + 5),
      "tool": Buffer.from("#!/bin/sh\n"),
    };
    for (const [rel, data] of Object.entries(files)) writeFileSync(join(root, rel), data);
    chmodSync(join(root, "tool"), 0o755);
    const reread = await narHash(root);
    const all = new Map(Object.entries(files));
    expect(await narHash(root, { known: all })).toEqual(reread);
    expect(await narHash(root, { known: new Map([["pkg/__init__.py", files["pkg/__init__.py"]!]]) })).toEqual(reread);
    // A known buffer whose size differs from the file on disk is ignored: the file is read.
    expect(await narHash(root, { known: new Map([["tool", Buffer.from("other")]]) })).toEqual(reread);
    // Same size, other bytes: the caller vouches for known contents, so they are what is hashed
    // (which shows the file was not read).
    const forged = new Map([["pkg/__init__.py", Buffer.from("y = 2\n")]]);
    expect((await narHash(root, { known: forged })).sha256).not.toBe(reread.sha256);
    writeFileSync(join(root, "pkg/__init__.py"), "y = 2\n");
    expect(await narHash(root, { known: forged })).toEqual(await narHash(root));
    // A root that is itself a file is known under "".
    const single = join(root, "big.bin");
    expect(await narHash(single, { known: new Map([["", files["big.bin"]!]]) })).toEqual(await narHash(single));
  });

  it("serialises a symlink at the top", async () => {
    const dir = tempDir();
    symlinkSync("/nowhere", join(dir, "l"));
    const nar = await collect(join(dir, "l"));
    expect(nar.equals(Buffer.concat(["nix-archive-1", "(", "type", "symlink", "target", "/nowhere", ")"].map(token)))).toBe(true);
  });
});
