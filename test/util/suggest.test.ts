import { describe, expect, it } from "vitest";
import { closestNames, editDistance } from "../../src/util/suggest.js";

describe("suggestions", () => {
  it("counts insertions, deletions, substitutions and adjacent transpositions as one edit each", () => {
    expect(editDistance("numpy", "numpy")).toBe(0);
    expect(editDistance("nmupy", "numpy")).toBe(1);
    expect(editDistance("numpy", "numpyy")).toBe(1);
    expect(editDistance("numpy", "nupy")).toBe(1);
    expect(editDistance("numpy", "nampy")).toBe(1);
    expect(editDistance("ab", "ba")).toBe(1);
    expect(editDistance("abc", "ca")).toBe(3); // OSA never edits a transposed pair again
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("suggests the closest names within a budget that grows with the word", () => {
    expect(closestNames("setuptool", ["setuptools", "wheel", "six"])).toEqual(["setuptools"]);
    expect(closestNames("reqeusts", ["requests", "urllib3"])).toEqual(["requests"]);
    expect(closestNames("zzz", ["requests", "urllib3"])).toEqual([]);
  });
});
