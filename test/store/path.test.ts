import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import {
  fixedOutputPath,
  isStorePath,
  makeStorePath,
  parseStorePath,
  storePathHashPart,
  storePathName,
} from "../../src/store/path.js";

const HASH = "0mdqa9w1p6cmli6976v4wi0sw9r4p5pr";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isWheelwrightError(error) ? error.code : "plain";
  }
  return undefined;
}

describe("store paths", () => {
  it("parses valid base names and splits them", () => {
    const path = parseStorePath(`${HASH}-requests-2.31.0`);
    expect(storePathHashPart(path)).toBe(HASH);
    expect(storePathName(path)).toBe("requests-2.31.0");
    for (const name of ["a", "x+y", "a_b-c.d", "what?=1", "A9"]) expect(isStorePath(`${HASH}-${name}`)).toBe(true);
  });

  it("rejects malformed names with ERR_WW_STORE_PATH", () => {
    const bad = [
      "",
      HASH,
      `${HASH}-`,
      `${HASH}-.hidden`,
      `${HASH}-has space`,
      `${HASH}-slash/inside`,
      `${HASH}-ünïcode`,
      `${HASH}-${"a".repeat(212)}`,
      `${HASH.slice(1)}e-name`, // 'e' is not in the alphabet
      `${HASH.toUpperCase()}-name`,
      `${HASH}_name`,
    ];
    for (const text of bad) expect(codeOf(() => parseStorePath(text)), text).toBe("ERR_WW_STORE_PATH");
    expect(isStorePath(`${HASH}-${"a".repeat(211)}`)).toBe(true);
  });

  it("makes a path from a fingerprint: sha256, folded to 20 bytes, nix-base32", () => {
    const path = makeStorePath("some fingerprint", "pkg-1.0");
    expect(isStorePath(path)).toBe(true);
    expect(storePathName(path)).toBe("pkg-1.0");
    // Same construction through the digest overload must agree.
    const digest = createHash("sha256").update("some fingerprint").digest();
    expect(makeStorePath(digest, "pkg-1.0")).toBe(path);
    expect(makeStorePath("other fingerprint", "pkg-1.0")).not.toBe(path);
    expect(codeOf(() => makeStorePath("x", "bad name"))).toBe("ERR_WW_STORE_PATH");
  });

  it("uses a 20-byte digest as is", () => {
    const digest = new Uint8Array(20).fill(0);
    expect(makeStorePath(digest, "n")).toBe(`${"0".repeat(32)}-n`);
  });

  it("fixed-output paths depend only on the content hash and the name", () => {
    const sha = createHash("sha256").update("wheel bytes").digest("hex");
    const a = fixedOutputPath(sha, "six-1.16.0-py2.py3-none-any.whl");
    expect(fixedOutputPath(sha.toUpperCase(), "six-1.16.0-py2.py3-none-any.whl")).toBe(a);
    expect(fixedOutputPath(sha, "six-1.16.0.tar.gz")).not.toBe(a);
    const other = createHash("sha256").update("other bytes").digest("hex");
    expect(storePathHashPart(fixedOutputPath(other, "six-1.16.0-py2.py3-none-any.whl"))).not.toBe(storePathHashPart(a));
    // The documented fingerprint.
    expect(a).toBe(makeStorePath(`wheelwright-fixed:sha256:${sha}:six-1.16.0-py2.py3-none-any.whl`, "six-1.16.0-py2.py3-none-any.whl"));
    expect(codeOf(() => fixedOutputPath("abc", "x"))).toBe("ERR_WW_STORE_PATH");
  });
});
