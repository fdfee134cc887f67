/**
 * One open file read through a sliding window. Zip reading is dominated by many tiny reads
 * (46-byte central records, 30-byte local headers, small deflated files); serving them from
 * a 1 MiB window turns thousands of syscalls into a handful, and keeps exactly one file
 * descriptor per open archive.
 */
import { createReadStream } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import yauzl from "yauzl";

export const WINDOW_BYTES = 1024 * 1024;

export class WindowFile {
  private start = 0;
  private window: Buffer = Buffer.alloc(0);

  constructor(
    readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** `length` bytes at `position`; throws a RangeError if the file ends first. */
  async read(position: number, length: number): Promise<Buffer> {
    const offset = position - this.start;
    if (offset >= 0 && offset + length <= this.window.length) return this.window.subarray(offset, offset + length);
    if (position < 0 || position + length > this.size) throw new RangeError(`read of ${length} bytes at ${position} runs past the end of the file (${this.size} bytes)`);
    const want = Math.min(Math.max(length, WINDOW_BYTES), this.size - position);
    const buffer = Buffer.allocUnsafe(want);
    let filled = 0;
    while (filled < want) {
      const { bytesRead } = await this.handle.read(buffer, filled, want - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled < length) throw new RangeError(`file ended after ${position + filled} bytes`);
    if (length <= WINDOW_BYTES) {
      this.start = position;
      this.window = buffer.subarray(0, filled);
    }
    return buffer.subarray(0, length);
  }

  /** Streams [start, end) straight from the file, for ranges too big to buffer. */
  stream(start: number, end: number): Readable {
    return createReadStream("", { fd: this.handle.fd, start, end: end - 1, autoClose: false, highWaterMark: 256 * 1024 });
  }
}

/** Lets yauzl parse the central directory through a WindowFile. */
export class WindowReader extends yauzl.RandomAccessReader {
  constructor(private readonly file: WindowFile) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.file.read(position, length).then(
      (data) => {
        data.copy(buffer, offset);
        callback(null);
      },
      (error: Error) => callback(error),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return this.file.stream(start, end);
  }

  override close(callback: (err: Error | null) => void): void {
    this.file.handle.close().then(() => callback(null), (error: Error) => callback(error));
  }
}
