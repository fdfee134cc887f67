/**
 * Streaming a byte source to disk while hashing it, and judging the result against the
 * pinned hash and size. Nothing here buffers a whole file.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { WheelwrightError } from "../errors.js";
import type { FileSource } from "./source.js";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Lowercase a sha256 hex digest, or fail naming the file it belongs to. */
export function normaliseSha256(sha256: string, filename: string): string {
  const hex = sha256.trim().toLowerCase().replace(/^sha256[:=]/, "");
  if (!SHA256_HEX.test(hex)) {
    throw new WheelwrightError("ERR_WW_FETCH", `${filename}: "${sha256}" is not a sha256 hex digest`, {
      file: filename,
      hint: "A source hash must be 64 hexadecimal digits (optionally prefixed by `sha256:`).",
    });
  }
  return hex;
}

export interface Written {
  bytes: number;
  sha256: string;
}

/**
 * Thrown as soon as a transfer is known to have the wrong size (a Content-Length that differs
 * from the pinned size, or more bytes than pinned): no point reading on.
 */
export class SizeMismatchError extends Error {
  constructor(readonly description: string) {
    super(description);
    this.name = "SizeMismatchError";
  }
}

/**
 * Write `chunks` to `target` (created or truncated), hashing as they pass. `maxBytes` stops
 * early when a source is bigger than declared. Errors from reading `chunks` propagate
 * unchanged (callers classify them); write errors propagate too.
 */
export async function writeHashed(
  chunks: AsyncIterable<Uint8Array>,
  target: string,
  onBytes?: (bytes: number) => void,
  maxBytes?: number,
): Promise<Written> {
  const hash = createHash("sha256");
  const handle = await open(target, "w", 0o644);
  let bytes = 0;
  try {
    for await (const chunk of chunks) {
      bytes += chunk.byteLength;
      if (maxBytes !== undefined && bytes > maxBytes) throw new SizeMismatchError(`more than the expected ${maxBytes} bytes`);
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
        offset += bytesWritten;
      }
      onBytes?.(bytes);
    }
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest("hex") };
}

/** A mismatch between what a source pins and what `location` delivered. */
export function mismatchError(source: FileSource, location: string, expected: string, actual: Written, packageName?: string): WheelwrightError {
  const sizeWrong = source.size !== undefined && source.size !== actual.bytes;
  const what = sizeWrong
    ? `size ${actual.bytes} bytes, expected ${source.size} bytes (sha256 ${actual.sha256}, expected ${expected})`
    : `sha256 ${actual.sha256}, expected ${expected}`;
  return new WheelwrightError("ERR_WW_HASH_MISMATCH", `${source.filename} from ${location} has ${what}`, {
    file: source.filename,
    ...(packageName === undefined ? {} : { package: packageName }),
    hint: "The file changed upstream or the download is corrupt. If the new file is trusted, update the lock file; otherwise check the mirror or URL.",
    details: { url: location, expected, actual: actual.sha256, bytes: actual.bytes, ...(source.size === undefined ? {} : { expectedSize: source.size }) },
  });
}

/** A size mismatch found before the whole file was read. */
export function earlySizeError(source: FileSource, expected: string, location: string, error: SizeMismatchError, packageName?: string): WheelwrightError {
  return new WheelwrightError("ERR_WW_HASH_MISMATCH", `${source.filename} from ${location} has ${error.description} (expected sha256 ${expected})`, {
    file: source.filename,
    ...(packageName === undefined ? {} : { package: packageName }),
    hint: "The file changed upstream or the server sends something else. If the new file is trusted, update the lock file; otherwise check the mirror or URL.",
    details: { url: location, expected, ...(source.size === undefined ? {} : { expectedSize: source.size }) },
  });
}

/** The size/hash verdict for a finished write; undefined when it matches. */
export function checkWritten(source: FileSource, expected: string, location: string, written: Written, packageName?: string): WheelwrightError | undefined {
  if (source.size !== undefined && source.size !== written.bytes) return mismatchError(source, location, expected, written, packageName);
  if (written.sha256 !== expected) return mismatchError(source, location, expected, written, packageName);
  return undefined;
}
