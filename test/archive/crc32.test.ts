import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { crc32 } from "../../src/archive/index.js";
import { havePython, python, warnSkip } from "./oracle.js";

describe("crc32", () => {
  it("matches the standard check value", () => {
    // CRC-32/ISO-HDLC check value for "123456789", from the CRC catalogue.
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it("continues across chunks", () => {
    const data = randomBytes(10_000);
    expect(crc32(data.subarray(3000), crc32(data.subarray(0, 3000)))).toBe(crc32(data));
  });

  it.skipIf(warnSkip(!havePython, "python3 is not available"))("agrees with zlib.crc32 on random data", () => {
    const samples = Array.from({ length: 20 }, (_, i) => randomBytes(i * 97));
    const expected = python<number[]>(
      "import sys, json, zlib; print(json.dumps([zlib.crc32(bytes.fromhex(h)) for h in sys.argv[1:]]))",
      ...samples.map((s) => s.toString("hex")),
    );
    expect(samples.map((s) => crc32(s))).toEqual(expected);
  });
});

describe("crc32 fallback", () => {
  it("the table implementation agrees with the one in use", async () => {
    const { crc32Table } = await import("../../src/archive/crc32.js");
    const data = randomBytes(50_000);
    expect(crc32Table(data)).toBe(crc32(data));
    expect(crc32Table(data.subarray(7), crc32Table(data.subarray(0, 7)))).toBe(crc32(data));
  });
});
