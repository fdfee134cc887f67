/**
 * Nix's base-32 encoding and hash compression, bit-exact with Nix so that hash parts look and
 * behave like Nix store path hashes.
 *
 * The alphabet drops e, o, u and t (to avoid accidental words). The bit order is Nix's own:
 * the output is produced from the last 5-bit group to the first, and groups are read
 * little-endian across bytes. This is not RFC 4648 base32.
 */

export const NIX_BASE32_ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";

const CHAR_VALUE = new Map<string, number>([...NIX_BASE32_ALPHABET].map((c, i) => [c, i]));

/** Length of the nix-base32 form of `byteLength` bytes (20 bytes → 32 chars, 32 → 52). */
export function nixBase32Length(byteLength: number): number {
  return byteLength === 0 ? 0 : Math.floor((byteLength * 8 - 1) / 5) + 1;
}

export function encodeNixBase32(bytes: Uint8Array): string {
  const length = nixBase32Length(bytes.length);
  let out = "";
  for (let n = length - 1; n >= 0; n--) {
    const bit = n * 5;
    const i = bit >> 3;
    const j = bit & 7;
    const low = bytes[i]! >> j;
    const high = i + 1 < bytes.length ? bytes[i + 1]! << (8 - j) : 0;
    out += NIX_BASE32_ALPHABET[(low | high) & 0x1f];
  }
  return out;
}

/**
 * Decodes a nix-base32 string. Throws a plain `Error` on bad characters or on a string whose
 * unused high bits are not zero (such a string is not the encoding of any byte string), so
 * callers that take user input validate first and wrap the error.
 */
export function decodeNixBase32(text: string): Uint8Array {
  const byteLength = Math.floor((text.length * 5) / 8);
  if (nixBase32Length(byteLength) !== text.length) throw new Error(`invalid nix-base32 length ${text.length}`);
  const bytes = new Uint8Array(byteLength);
  for (let n = 0; n < text.length; n++) {
    const char = text[text.length - n - 1]!;
    const digit = CHAR_VALUE.get(char);
    if (digit === undefined) throw new Error(`invalid nix-base32 character ${JSON.stringify(char)}`);
    const bit = n * 5;
    const i = bit >> 3;
    const j = bit & 7;
    bytes[i]! |= (digit << j) & 0xff;
    const carry = digit >> (8 - j);
    if (i + 1 < byteLength) bytes[i + 1]! |= carry;
    else if (carry !== 0) throw new Error(`invalid nix-base32 string ${JSON.stringify(text)} (non-zero padding)`);
  }
  return bytes;
}

export function isNixBase32(text: string): boolean {
  for (const char of text) if (!CHAR_VALUE.has(char)) return false;
  return true;
}

/** XOR-folds a digest to `size` bytes, as Nix's `compressHash` does (byte i goes to i mod size). */
export function compressHash(digest: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < digest.length; i++) out[i % size]! ^= digest[i]!;
  return out;
}
