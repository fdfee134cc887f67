import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWheelwrightError, type ErrorCode } from "../../src/errors.js";
import {
  compare,
  filterVersions,
  formatSpecifierSet,
  normalize,
  parse,
  parseSpecifierSet,
  satisfies,
  tryParse,
} from "../../src/pep/pep440.js";

const RUNS = { numRuns: 3000, seed: 440 };

/** Runs fn; passes when it returns or throws a WheelwrightError with `code`, fails otherwise. */
function succeedsOrThrows(code: ErrorCode, fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    if (isWheelwrightError(error, code)) return true;
    throw error;
  }
}

const VERSION_TOKENS = ["0", "1", "2", "10", "007", "99999999999999999999", ".", "-", "_", "+", "!", "v", "V", "a", "b", "c", "rc", "alpha", "beta", "pre", "preview", "post", "rev", "r", "dev", "DEV", "local", "x", " ", "\t", "*", "\u00a0", "\u0085", "\ufeff", "ſ", "ı"];
const SPEC_TOKENS = [...VERSION_TOKENS, "==", "!=", "~=", "<=", ">=", "<", ">", "===", ",", ".*", ";", ")", "("];

const versionish = fc.array(fc.constantFrom(...VERSION_TOKENS), { maxLength: 14 }).map((t) => t.join(""));
const specish = fc.array(fc.constantFrom(...SPEC_TOKENS), { maxLength: 16 }).map((t) => t.join(""));
const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 }), fc.string({ unit: "binary", maxLength: 20 }));

const num = fc.oneof(fc.nat({ max: 20 }), fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String));
const validVersion = fc
  .record({
    epoch: fc.option(num, { nil: undefined }),
    release: fc.array(num, { minLength: 1, maxLength: 4 }),
    pre: fc.option(fc.tuple(fc.constantFrom("a", "b", "rc", "alpha", "c", "preview"), num), { nil: undefined }),
    post: fc.option(num, { nil: undefined }),
    dev: fc.option(num, { nil: undefined }),
    local: fc.option(fc.array(fc.oneof(fc.constantFrom("ubuntu", "abc", "Z"), num.map(String)), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    sep: fc.constantFrom("", ".", "-", "_"),
  })
  .map(({ epoch, release, pre, post, dev, local, sep }) => {
    let s = release.join(".");
    if (epoch !== undefined) s = `${epoch}!${s}`;
    if (pre !== undefined) s += `${sep}${pre[0]}${pre[1]}`;
    if (post !== undefined) s += `${sep}post${post}`;
    if (dev !== undefined) s += `${sep}dev${dev}`;
    if (local !== undefined) s += `+${local.join(sep === "" ? "." : sep)}`;
    return s;
  });

describe("pep440 fuzz", () => {
  it("parse: a Version or ERR_WW_INVALID_VERSION, nothing else", () => {
    fc.assert(
      fc.property(fc.oneof(versionish, anyText), (s) => {
        expect(succeedsOrThrows("ERR_WW_INVALID_VERSION", () => parse(s))).toBe(true);
        expect(tryParse(s) === null).toBe(isWheelwrightError(catchError(() => parse(s))));
      }),
      RUNS,
    );
  });

  it("parseSpecifierSet / satisfies / filterVersions: a result or ERR_WW_INVALID_SPECIFIER", () => {
    fc.assert(
      fc.property(fc.oneof(specish, anyText), fc.oneof(versionish, validVersion, anyText), fc.option(fc.boolean(), { nil: undefined }), (spec, version, prereleases) => {
        expect(succeedsOrThrows("ERR_WW_INVALID_SPECIFIER", () => parseSpecifierSet(spec))).toBe(true);
        expect(succeedsOrThrows("ERR_WW_INVALID_SPECIFIER", () => typeof satisfies(version, spec, { prereleases }) === "boolean")).toBe(true);
        expect(succeedsOrThrows("ERR_WW_INVALID_SPECIFIER", () => filterVersions([version], spec, { prereleases }))).toBe(true);
      }),
      RUNS,
    );
  });

  it("compare is antisymmetric and transitive", () => {
    fc.assert(
      fc.property(fc.array(validVersion, { minLength: 3, maxLength: 8 }), (strings) => {
        const list = strings.map((s) => parse(s));
        for (const a of list) {
          for (const b of list) {
            if (compare(a, b) !== (-compare(b, a) || 0)) return false;
            for (const c of list) {
              if (compare(a, b) <= 0 && compare(b, c) <= 0 && compare(a, c) > 0) return false;
            }
          }
        }
        return true;
      }),
      { ...RUNS, numRuns: 500 },
    );
  });

  it("normalize is idempotent and preserves ordering identity", () => {
    fc.assert(
      fc.property(fc.oneof(validVersion, versionish), (s) => {
        const v = tryParse(s);
        if (v === null) return;
        const n = normalize(v);
        expect(normalize(n)).toBe(n);
        expect(compare(parse(n), v)).toBe(0);
      }),
      RUNS,
    );
  });

  it("formatSpecifierSet output parses back to the same text", () => {
    fc.assert(
      fc.property(specish, (spec) => {
        const set = tryParseSet(spec);
        if (set === null) return;
        const text = formatSpecifierSet(set);
        expect(formatSpecifierSet(parseSpecifierSet(text))).toBe(text);
      }),
      RUNS,
    );
  });

  it("stays fast on long adversarial input", () => {
    const start = performance.now();
    for (const unit of ["1.", "1a", "1-", "1.0.", "+a.", "==1.", "~=1.1", "===x", "v1!", "1.0a1.post"]) {
      const s = unit.repeat(5000) + "\u0000";
      tryParse(s);
      catchError(() => parseSpecifierSet(s));
    }
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

function tryParseSet(spec: string): ReturnType<typeof parseSpecifierSet> | null {
  try {
    return parseSpecifierSet(spec);
  } catch {
    return null;
  }
}
