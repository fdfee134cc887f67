/** Recognises an archive by its first bytes (never by its file name, which can lie). */
import { open } from "node:fs/promises";
import { badFormat } from "./errors.js";

export type ArchiveKind = "zip" | "tar" | "tar.gz" | "tar.bz2" | "tar.xz" | "tar.zst";

const HEAD_BYTES = 512;

export async function readHead(path: string, bytes = HEAD_BYTES): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw badFormat(path, undefined, `cannot be opened (${(error as Error).message})`, error);
  }
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function startsWith(head: Buffer, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((byte, i) => head[i] === byte);
}

/** A ustar/gnu/pax header carries "ustar" at 257; a pre-POSIX (v7) header only a checksum. */
export function looksLikeTarHeader(block: Buffer): boolean {
  if (block.length < HEAD_BYTES) return false;
  if (block.subarray(257, 262).toString("latin1") === "ustar") return true;
  const stored = parseInt(block.subarray(148, 156).toString("latin1").replace(/\0.*$/s, "").trim(), 8);
  if (Number.isNaN(stored)) return false;
  let sum = 0;
  for (let i = 0; i < HEAD_BYTES; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored && sum !== 8 * 0x20;
}

export function detectKind(head: Buffer): ArchiveKind | undefined {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return "zip";
  if (startsWith(head, [0x1f, 0x8b])) return "tar.gz";
  if (startsWith(head, [0x42, 0x5a, 0x68])) return "tar.bz2";
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "tar.xz";
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return "tar.zst";
  if (looksLikeTarHeader(head)) return "tar";
  return undefined;
}

/** Throws the error for a kind wheelwright recognises but cannot read (Node 20 ships no bzip2/xz/zstd). */
export function refuseUnreadable(path: string, kind: ArchiveKind): void {
  if (kind === "tar.bz2" || kind === "tar.xz" || kind === "tar.zst") {
    throw badFormat(path, undefined, `is ${kind.slice(4)}-compressed, which wheelwright cannot read`);
  }
}
