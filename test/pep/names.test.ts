// Project names (PEP 503 / PEP 508 / dist-info escaping) against packaging 26.2's
// canonicalize_name and name grammar (vectors from scripts/conformance/gen_pep508.py).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { escapeDistName, isNormalizedName, isValidName, normalizeName } from "../../src/pep/names.js";

interface NameCase {
  input: string;
  normalized: string;
  valid: boolean;
  is_normalized: boolean;
}
const { names } = JSON.parse(readFileSync(join(import.meta.dirname, "../conformance/pep508.json"), "utf8")) as {
  names: NameCase[];
};

/**
 * Where we differ from packaging 26.2, with the reason. packaging's `is_normalized_name` regex
 * (`[a-z0-9-](?!--)`) looks one character too far ahead and accepts a double dash, although
 * `canonicalize_name("a--b")` is "a-b": a name is normalized only if normalizing keeps it.
 */
const EXCEPTIONS: Record<string, Partial<NameCase>> = {
  "a--b": { is_normalized: false },
};

describe("names conformance with packaging", () => {
  it("normalizes and validates every recorded name as packaging does", () => {
    expect(names.length).toBeGreaterThan(100);
    for (const recorded of names) {
      const exception = EXCEPTIONS[recorded.input];
      if (exception !== undefined) {
        // The exception must still be needed.
        for (const [key, value] of Object.entries(exception)) expect(recorded[key as keyof NameCase]).not.toEqual(value);
      }
      const c = { ...recorded, ...exception };
      expect(isNormalizedName(c.input)).toBe(c.is_normalized && normalizeName(c.input) === c.input);
      expect({ normalized: normalizeName(c.input), valid: isValidName(c.input), is_normalized: isNormalizedName(c.input) }, JSON.stringify(c.input)).toEqual({
        normalized: c.normalized,
        valid: c.valid,
        is_normalized: c.is_normalized,
      });
    }
    console.log(`names: ${names.length} cases`);
  });
});

describe("normalizeName", () => {
  it("lowercases and collapses runs of - _ . into one dash", () => {
    expect(normalizeName("Zope.Interface")).toBe("zope-interface");
    expect(normalizeName("FOO-._-bar__baz")).toBe("foo-bar-baz");
    expect(normalizeName("a")).toBe("a");
  });
});

describe("isValidName", () => {
  it("accepts names that start and end with a letter or digit", () => {
    expect(isValidName("a")).toBe(true);
    expect(isValidName("typing_extensions")).toBe(true);
    expect(isValidName("py.test")).toBe(true);
  });
  it("rejects empty names, edge separators and non-ASCII letters", () => {
    for (const bad of ["", "-a", "a-", "_a", "a.", "ñame", "a b", "a!"]) expect(isValidName(bad), bad).toBe(false);
  });
});

describe("escapeDistName", () => {
  it("gives the underscore form used in wheel and .dist-info names", () => {
    expect(escapeDistName("Foo.Bar-baz")).toBe("foo_bar_baz");
    expect(escapeDistName("zope.interface")).toBe("zope_interface");
    expect(escapeDistName("a__b")).toBe("a_b");
  });
});
