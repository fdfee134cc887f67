import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compressHash, decodeNixBase32, encodeNixBase32, nixBase32Length } from "../../src/store/nix-base32.js";

const ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";

// An independent reading of Nix's encoding: the bytes are one little-endian integer, written
// in base 32 most significant digit first, zero-padded to the fixed length.
function referenceEncode(bytes: Uint8Array): string {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  const length = bytes.length === 0 ? 0 : Math.floor((bytes.length * 8 - 1) / 5) + 1;
  let out = "";
  for (let n = 0; n < length; n++) {
    out = ALPHABET[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

describe("nix-base32", () => {
  it("encodes sha256('') as Nix prints it", () => {
    const digest = createHash("sha256").update("").digest();
    expect(encodeNixBase32(digest)).toBe("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73");
  });

  it("matches the nix-hash --to-base32 example of the Nix manual (sha1)", () => {
    const digest = Buffer.from("800d59cfcd3c05e900cb4e214be48f6b886a08df", "hex");
    expect(encodeNixBase32(digest)).toBe("vw46m23bizj4n8afrc0fj19wrp7mj3c0");
  });

  it("has Nix's lengths: 20 bytes → 32 chars, 32 → 52, 64 → 103", () => {
    expect(nixBase32Length(20)).toBe(32);
    expect(nixBase32Length(32)).toBe(52);
    expect(nixBase32Length(64)).toBe(103);
    expect(encodeNixBase32(new Uint8Array(20))).toBe("0".repeat(32));
  });

  it("agrees with an independent big-integer encoder and round-trips", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 70 }), (bytes) => {
        const text = encodeNixBase32(bytes);
        expect(text).toBe(referenceEncode(bytes));
        expect(Buffer.from(decodeNixBase32(text)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects bad characters and non-zero padding bits", () => {
    expect(() => decodeNixBase32("e".repeat(32))).toThrow(/character/);
    // 52 chars hold 260 bits for 256: a leading digit above 15 sets a bit beyond the bytes.
    expect(() => decodeNixBase32("z" + "0".repeat(51))).toThrow(/padding/);
    expect(() => decodeNixBase32("0".repeat(33))).toThrow(/length/);
  });

  it("compressHash XOR-folds byte i into i mod size", () => {
    const digest = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
    const folded = compressHash(digest, 20);
    for (let i = 0; i < 20; i++) {
      const expected = i + 20 < 32 ? digest[i]! ^ digest[i + 20]! : digest[i]!;
      expect(folded[i]).toBe(expected);
    }
    expect(Array.from(compressHash(Uint8Array.of(1, 2, 4, 8), 2))).toEqual([1 ^ 4, 2 ^ 8]);
  });
});
