/**
 * NAR ("Nix ARchive") serialisation, byte-exact with Nix's `nix-store --dump`.
 *
 * Every token is a string: an 8-byte little-endian length, the bytes, zero padding to a
 * multiple of 8. The archive is `"nix-archive-1"` then a node:
 *   ( type regular [executable ""] contents <bytes> )
 *   ( type symlink target <target> )
 *   ( type directory { entry ( name <name> node <node> ) }* )   entries sorted by name bytes
 * Only the owner-executable bit, file bytes, symlink targets and names are recorded: mtimes,
 * owners and other permission bits are not, which is what makes the hash reproducible.
 *
 * File contents are streamed in bounded chunks; names are handled as raw bytes so that
 * non-UTF-8 names hash correctly. A caller that holds the exact bytes of some files (the
 * wheel installer knows what it wrote) passes them as `known`, and those files are not read
 * again: the archive is the same byte for byte, only the source of the contents differs. Metadata calls and small files use synchronous fs calls (a
 * thread-pool hop per call would dominate for trees of many small files); large files are read
 * asynchronously, and the event loop gets a turn every few hundred entries.
 */
import { createHash } from "node:crypto";
import { closeSync, fstatSync, lstatSync, openSync, readSync, readdirSync, readlinkSync } from "node:fs";
import { open } from "node:fs/promises";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { WheelwrightError } from "../errors.js";
import { encodeNixBase32 } from "./nix-base32.js";

const CHUNK = 1 << 20;
/** Small tokens are gathered up to this size before being handed out, to keep chunks few. */
const BATCH = 64 * 1024;
const ZEROS = Buffer.alloc(8);
/** Contents from this size on are their own chunk rather than copied into a batch. */
const OWN_CHUNK = 4 * 1024;
/** Files up to this size are read in one synchronous call. */
const SMALL_FILE = 256 * 1024;
const ENTRIES_PER_TURN = 256;

export interface NarHash {
  /** Lowercase hex SHA-256 of the NAR. */
  sha256: string;
  /** Nix's notation: `sha256:<nix-base32>`. */
  nixHash: string;
  /** NAR size in bytes. */
  size: number;
}

const KEYWORDS = new Map<string, Buffer>();

/** The full token (length, bytes, padding) of a constant string such as "(" or "entry". */
function encodedKeyword(word: string): Buffer {
  let token = KEYWORDS.get(word);
  if (token === undefined) {
    const data = Buffer.from(word, "utf8");
    token = Buffer.alloc(8 + Math.ceil(data.length / 8) * 8);
    token.writeBigUInt64LE(BigInt(data.length));
    data.copy(token, 8);
    KEYWORDS.set(word, token);
  }
  return token;
}

class TokenBuffer {
  private parts: Buffer[] = [];
  private length = 0;

  add(bytes: Buffer): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  /** Adds a length-prefixed, padded string token (keywords come pre-encoded). */
  str(bytes: Buffer | string): void {
    if (typeof bytes === "string") {
      this.add(encodedKeyword(bytes));
      return;
    }
    this.int(bytes.length);
    this.add(bytes);
    this.pad(bytes.length);
  }

  int(value: number): void {
    const header = Buffer.alloc(8);
    header.writeBigUInt64LE(BigInt(value));
    this.add(header);
  }

  pad(length: number): void {
    const rest = length % 8;
    if (rest !== 0) this.add(ZEROS.subarray(0, 8 - rest));
  }

  get size(): number {
    return this.length;
  }

  take(): Buffer {
    const out = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.length);
    this.parts = [];
    this.length = 0;
    return out;
  }
}

export interface NarOptions {
  /**
   * File contents the caller already holds: path relative to the archived root (posix
   * separators; "" for a root that is itself a file) → exactly the bytes in that file now.
   * Such a file is not read when its size on disk matches; the caller vouches for the
   * bytes. Any other file is read from disk.
   */
  known?: ReadonlyMap<string, Buffer>;
}

/**
 * Yields the NAR of `path` (a file, directory or symlink) as a sequence of buffers. Buffers
 * holding file contents may be reused after the consumer returns control, so a consumer that
 * keeps them must copy.
 */
export async function* narChunks(path: string, options: NarOptions = {}): AsyncGenerator<Buffer> {
  const tokens = new TokenBuffer();
  const root = Buffer.from(path);
  const state: DumpState = { tokens, readBuffer: Buffer.allocUnsafe(CHUNK), entries: 0, rootLength: root.length, known: options.known };
  tokens.str("nix-archive-1");
  yield* dumpNode(root, state);
  if (tokens.size > 0) yield tokens.take();
}

interface DumpState {
  tokens: TokenBuffer;
  readBuffer: Buffer;
  entries: number;
  /** Byte length of the root path (to name files relative to it for `known`). */
  rootLength: number;
  known: ReadonlyMap<string, Buffer> | undefined;
}

async function* dumpNode(path: Buffer, state: DumpState): AsyncGenerator<Buffer> {
  const { tokens } = state;
  if (++state.entries % ENTRIES_PER_TURN === 0) await yieldToEventLoop();
  const stat = lstatSync(path);
  tokens.str("(");
  tokens.str("type");
  if (stat.isFile()) {
    tokens.str("regular");
    if (stat.mode & 0o100) {
      tokens.str("executable");
      tokens.str("");
    }
    tokens.str("contents");
    const known = state.known?.get(path.length === state.rootLength ? "" : path.subarray(state.rootLength + 1).toString("utf8"));
    if (known !== undefined && known.length === stat.size) {
      yield* contentsToken(tokens, known);
    } else {
      yield* dumpContents(path, state);
    }
  } else if (stat.isSymbolicLink()) {
    tokens.str("symlink");
    tokens.str("target");
    tokens.str(readlinkSync(path, { encoding: "buffer" }));
  } else if (stat.isDirectory()) {
    tokens.str("directory");
    const names = readdirSync(path, { encoding: "buffer" });
    names.sort(Buffer.compare);
    for (const name of names) {
      tokens.str("entry");
      tokens.str("(");
      tokens.str("name");
      tokens.str(name);
      tokens.str("node");
      yield* dumpNode(Buffer.concat([path, SLASH, name]), state);
      tokens.str(")");
      if (tokens.size >= BATCH) yield tokens.take();
    }
  } else {
    throw new WheelwrightError("ERR_WW_STORE_OUTPUT", `cannot archive ${path.toString()}: not a regular file, directory or symlink`, {
      file: path.toString(),
      hint: "Store paths may hold only regular files, directories and symlinks.",
    });
  }
  tokens.str(")");
}

const SLASH = Buffer.from("/");

async function* dumpContents(path: Buffer, state: DumpState): AsyncGenerator<Buffer> {
  const { tokens, readBuffer } = state;
  const fd = openSync(path, "r");
  let size: number;
  let small: Buffer | undefined;
  try {
    size = fstatSync(fd).size;
    if (size <= SMALL_FILE) {
      small = Buffer.allocUnsafe(size);
      const got = size === 0 ? 0 : readSync(fd, small, 0, size, 0);
      checkSize(path, got === size && readSync(fd, readBuffer, 0, 1, size) === 0);
    }
  } finally {
    closeSync(fd);
  }
  if (small !== undefined) {
    yield* contentsToken(tokens, small);
    return;
  }
  tokens.int(size);
  yield tokens.take();
  const handle = await open(path, "r");
  try {
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(readBuffer, 0, Math.min(CHUNK, size - done), done);
      if (bytesRead === 0) break;
      done += bytesRead;
      yield readBuffer.subarray(0, bytesRead);
    }
    checkSize(path, done === size && (await handle.read(readBuffer, 0, 1, done)).bytesRead === 0);
    tokens.pad(size);
  } finally {
    await handle.close();
  }
}

/**
 * A file's contents token. Contents of a few KiB or more are handed out as they are, after
 * the tokens gathered so far, instead of being copied into a batch: a wheel's files would
 * otherwise all be copied once more just to be hashed.
 */
function* contentsToken(tokens: TokenBuffer, contents: Buffer): Generator<Buffer> {
  tokens.int(contents.length);
  if (contents.length >= OWN_CHUNK) {
    yield tokens.take();
    yield contents;
  } else {
    tokens.add(contents);
  }
  tokens.pad(contents.length);
  if (tokens.size >= BATCH) yield tokens.take();
}

/** A size other than the one written down would make the archive unparseable. */
function checkSize(path: Buffer, ok: boolean): void {
  if (ok) return;
  throw new WheelwrightError("ERR_WW_STORE_CORRUPT", `${path.toString()} changed size while it was being archived`, {
    file: path.toString(),
    hint: "Something is writing into a path that should be immutable; retry once it has finished.",
  });
}

/** Hashes the NAR of `path` without holding it in memory (`known`: see NarOptions). */
export async function narHash(path: string, options: NarOptions = {}): Promise<NarHash> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of narChunks(path, options)) {
    hash.update(chunk);
    size += chunk.length;
  }
  const digest = hash.digest();
  return { sha256: digest.toString("hex"), nixHash: `sha256:${encodeNixBase32(digest)}`, size };
}

/** Writes the NAR of `path` to a writable stream, honouring back-pressure. */
export async function writeNar(path: string, out: NodeJS.WritableStream): Promise<number> {
  let size = 0;
  for await (const chunk of narChunks(path)) {
    size += chunk.length;
    // The stream may keep the buffer queued; file-content buffers are reused, so copy.
    if (!out.write(Buffer.from(chunk))) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  return size;
}
