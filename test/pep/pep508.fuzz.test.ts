// Property tests for PEP 508 parsing: arbitrary and grammar-shaped input never fails with
// anything but the right WheelwrightError, and printing then re-parsing is stable.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { evaluateMarker, formatMarker, formatRequirement, parseMarker, parseRequirement } from "../../src/pep/pep508.js";
import type { Marker } from "../../src/pep/pep508.js";

const RUNS = 1000;

/** Parses with `parse`; returns null for the expected error code, rethrows anything else. */
function attempt<T>(parse: () => T, code: "ERR_WW_INVALID_MARKER" | "ERR_WW_INVALID_REQUIREMENT"): T | null {
  try {
    return parse();
  } catch (error) {
    if (isWheelwrightError(error, code)) return null;
    throw error;
  }
}

/**
 * The tree up to what printing may change: the print-only `parenthesized` flags, and how a
 * chain of one operator nests (`a and ((b and c))` prints as `a and b and c`).
 */
function shape(marker: Marker): unknown {
  if (marker.op === "compare") return marker;
  const operands: unknown[] = [];
  const collect = (node: Marker): void => {
    if (node.op === marker.op) {
      collect(node.left);
      collect(node.right);
    } else {
      operands.push(shape(node));
    }
  };
  collect(marker);
  return { op: marker.op, operands };
}

const VARIABLES = [
  "python_version", "python_full_version", "os_name", "os.name", "sys_platform", "sys.platform", "platform_release",
  "platform_system", "platform_version", "platform_machine", "platform.python_implementation", "python_implementation",
  "implementation_name", "implementation_version", "extra", "extras", "dependency_groups",
];
const OPS = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"];
const BAD_OPS = ["=", "not", "=>", "is"];
const ENVIRONMENT = {
  implementation_name: "cpython", implementation_version: "3.11.7", os_name: "posix", platform_machine: "x86_64",
  platform_release: "6.1.0", platform_system: "Linux", platform_version: "#1 SMP", python_full_version: "3.11.7",
  platform_python_implementation: "CPython", python_version: "3.11", sys_platform: "linux", extra: "",
  extras: ["a"], dependency_groups: ["dev"],
};

/**
 * Any UTF-16 unit sequence, biased to ASCII (fast-check's own "binary" unit costs seconds to
 * set up). Includes lone surrogates.
 */
const anyChar = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), weight: 1 },
  { arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)), weight: 1 },
);
const anyString = (maxLength: number) => fc.string({ maxLength, unit: anyChar });

const space = fc.oneof({ arbitrary: fc.constantFrom("", " ", "  ", "\t"), weight: 20 }, fc.constant("\n"));
const quoted = fc
  .tuple(fc.constantFrom("'", '"'), fc.string({ maxLength: 8, unit: fc.constantFrom(..."ab3.8*+-_ \\x41n\"'é😀") }))
  .map(([q, body]) => q + body.replaceAll(q, "") + q);
const markerVar = fc.oneof(fc.constantFrom(...VARIABLES), quoted);
const item = fc
  .tuple(markerVar, space, fc.oneof({ arbitrary: fc.constantFrom(...OPS), weight: 20 }, fc.constantFrom(...BAD_OPS)), space, markerVar)
  .map(([l, s1, op, s2, r]) => `${l}${s1 || " "}${op}${s2 || " "}${r}`);
const markerText: fc.Arbitrary<string> = fc.letrec<{ marker: string; atom: string }>((tie) => ({
  marker: fc
    .tuple(tie("atom"), fc.array(fc.tuple(fc.oneof({ arbitrary: fc.constantFrom(" and ", " or ", "\tand  "), weight: 20 }, fc.constantFrom("and", " AND ")), tie("atom")), { maxLength: 3 }))
    .map(([first, rest]) => first + rest.map(([op, atom]) => op + atom).join("")),
  atom: fc.oneof({ depthSize: "small", withCrossShrink: true }, item, tie("marker").map((m) => `(${m})`)),
})).marker;

/** Random token soup: the grammar's pieces in any order, to reach odd corners. */
const soup = fc
  .array(
    fc.constantFrom(
      "name", "Foo.Bar", "[", "]", "(", ")", ",", ";", " ; ", "@", " @ ", "https://h/x.whl", ">=1.0", "==1.*", "~=1.0",
      "===x", "<2", ".*", "+local", " ", "\t", "\n", "os_name", "'a'", '"b"', "==", " in ", " not in ", " and ", " or ",
      "extra", "'\\x41'", "'\\'", "\\N{X}", "é", "\u0000", "\ud800",
    ),
    { maxLength: 14 },
  )
  .map((parts) => parts.join(""));

const requirementText = fc
  .tuple(
    fc.constantFrom("name", "Foo.Bar", "a-b_c", "x1"),
    fc.constantFrom("", "[a]", "[ b , a ]", "[]"),
    fc.constantFrom("", ">=1.0", " (>=1.0, <2)", "==1.*", "===weird", "~=1.4.2,!=1.5", " @ https://h/x.whl"),
    fc.option(markerText, { nil: undefined }),
  )
  .map(([name, extras, spec, marker]) => {
    const base = name + extras + spec;
    if (marker === undefined) return base;
    return `${base}${spec.includes("@") ? " " : ""}; ${marker}`;
  });

function checkMarkerRoundTrip(text: string): void {
  const parsed = attempt(() => parseMarker(text), "ERR_WW_INVALID_MARKER");
  if (parsed === null) return;
  const printed = formatMarker(parsed);
  const reparsed = parseMarker(printed);
  expect(shape(reparsed)).toEqual(shape(parsed));
  expect(formatMarker(reparsed)).toBe(printed);
  try {
    evaluateMarker(parsed, ENVIRONMENT);
  } catch (error) {
    if (!isWheelwrightError(error, "ERR_WW_MARKER_EVALUATION")) throw error;
  }
}

function checkRequirementRoundTrip(text: string): void {
  const parsed = attempt(() => parseRequirement(text), "ERR_WW_INVALID_REQUIREMENT");
  if (parsed === null) return;
  const printed = formatRequirement(parsed);
  const reparsed = parseRequirement(printed);
  expect({ ...reparsed, marker: reparsed.marker && shape(reparsed.marker) }).toEqual({
    ...parsed,
    marker: parsed.marker && shape(parsed.marker),
  });
  expect(formatRequirement(reparsed)).toBe(printed);
}

describe("PEP 508 parsers under random input", () => {
  it("fail on arbitrary strings only with their own error code", () => {
    fc.assert(
      fc.property(anyString(40), (text) => {
        checkMarkerRoundTrip(text);
        checkRequirementRoundTrip(text);
      }),
      { numRuns: RUNS, seed: 508 },
    );
  });

  it("fail on token soup only with their own error code, and round-trip what parses", () => {
    fc.assert(
      fc.property(soup, (text) => {
        checkMarkerRoundTrip(text);
        checkRequirementRoundTrip(text);
        checkRequirementRoundTrip(`name; ${text}`);
      }),
      { numRuns: RUNS, seed: 5080 },
    );
  });

  it("round-trip grammar-shaped markers", () => {
    let parsed = 0;
    fc.assert(
      fc.property(markerText, (text) => {
        if (attempt(() => parseMarker(text), "ERR_WW_INVALID_MARKER") !== null) parsed++;
        checkMarkerRoundTrip(text);
      }),
      { numRuns: RUNS, seed: 50800 },
    );
    // The generator must mostly produce valid markers, or the round trip proves little.
    expect(parsed).toBeGreaterThan(RUNS / 4);
  });

  it("round-trip grammar-shaped requirements", () => {
    let parsed = 0;
    fc.assert(
      fc.property(requirementText, (text) => {
        if (attempt(() => parseRequirement(text), "ERR_WW_INVALID_REQUIREMENT") !== null) parsed++;
        checkRequirementRoundTrip(text);
      }),
      { numRuns: RUNS, seed: 508000 },
    );
    expect(parsed).toBeGreaterThan(RUNS / 4);
  });

  it("print any literal value so that it parses back to the same value", () => {
    fc.assert(
      fc.property(anyString(12), (value) => {
        const marker: Marker = { op: "compare", lhs: { variable: "os_name" }, comparator: "==", rhs: { literal: value } };
        const reparsed = parseMarker(formatMarker(marker));
        expect(reparsed).toEqual(marker);
      }),
      { numRuns: RUNS, seed: 5 },
    );
  });
});
