import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isWheelwrightError, WheelwrightError } from "../../src/errors.js";
import { normalizeName, isValidName } from "../../src/pep/names.js";
import { parseMetadata, unfoldHeaderValue, type CoreMetadata } from "../../src/pep/metadata.js";

interface OracleCase {
  id: string;
  text: string;
  raw: Record<string, unknown>;
  unparsed: Record<string, string[]>;
  errors: [string | null, string][];
  description_sha256?: string;
  description_header_unescaped?: string;
  importlib?: { name: string; version: string; requires: string[] };
}

const oracle = JSON.parse(readFileSync(join(import.meta.dirname, "../conformance/metadata.json"), "utf8")) as {
  installed: OracleCase[];
  pkg_info: OracleCase[];
  synthetic: OracleCase[];
};

/** Fields whose invalid values wheelwright refuses (packaging refuses every invalid field). */
const CONSUMED = new Set(["metadata-version", "name", "version", "requires-dist", "requires-python", "provides-extra"]);
/** Inputs Python's email parser turns into an early body; wheelwright rejects the line instead. */
const STRICTER = new Set(["malformed-line", "malformed-first-continuation", "malformed-empty-name", "malformed-space-in-name"]);
/** A leading BOM: Python reads the first header as body; wheelwright drops the BOM. */
const LENIENT = new Set(["bom"]);
/** Checks packaging makes that wheelwright does not (SPDX license list). */
const UNCHECKED = new Set(["license-expression"]);

const KNOWN = ["1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5"];

function expectThrow(c: OracleCase): boolean {
  if (STRICTER.has(c.id)) return true;
  if (LENIENT.has(c.id)) return false;
  const mv = typeof c.raw["metadata_version"] === "string" ? (c.raw["metadata_version"] as string) : undefined;
  for (const [field, message] of c.errors) {
    if (field === null || !CONSUMED.has(field) || message.includes("introduced in metadata version")) continue;
    // wheelwright reads any 1.x/2.x version (the spec says fail only on a newer major).
    if (field === "metadata-version" && mv !== undefined && /^[0-2]\.\d+$/.test(mv) && !message.includes("None")) continue;
    // PEP 685 leniency for extras in metadata older than 2.3: dropped, not fatal.
    if (field === "provides-extra" && mv !== undefined && KNOWN.indexOf(mv) < KNOWN.indexOf("2.3")) continue;
    return true;
  }
  return false;
}

const camel = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const sha256 = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

function compareWithOracle(c: OracleCase, parsed: CoreMetadata): void {
  const typed = parsed as unknown as Record<string, unknown>;
  for (const [rawKey, value] of Object.entries(c.raw)) {
    const key = camel(rawKey);
    if (rawKey === "provides_extra") {
      expect(parsed.providesExtra, `${c.id}: provides_extra`).toEqual((value as string[]).filter(isValidName).map(normalizeName));
    } else if (rawKey === "dynamic") {
      expect(parsed.dynamic, `${c.id}: dynamic`).toEqual((value as string[]).map((d) => d.toLowerCase()));
    } else {
      expect(typed[key], `${c.id}: ${rawKey}`).toEqual(value);
    }
  }
  expect(parsed.unparsed, `${c.id}: unparsed`).toEqual(c.unparsed);
  if (c.description_sha256 === undefined) {
    expect(parsed.description, `${c.id}: description`).toBeNull();
  } else if (parsed.descriptionSource === "body") {
    expect(sha256(parsed.description!), `${c.id}: body description`).toBe(c.description_sha256);
  } else {
    expect(parsed.descriptionSource, `${c.id}: description source`).toBe("header");
    const header = parsed.headers.find((h) => h.name.toLowerCase() === "description");
    expect(sha256(header!.value), `${c.id}: header description`).toBe(c.description_sha256);
  }
  const expected = new Set(c.errors.filter(([f, m]) => !(UNCHECKED.has(f!) && !m.includes("introduced"))).map(([field]) => field!));
  const actual = new Set(parsed.problems.map((p) => p.field));
  expect([...actual].sort(), `${c.id}: problem fields (ours: ${JSON.stringify(parsed.problems)})`).toEqual([...expected].sort());
}

describe("parseMetadata against packaging.metadata (oracle)", () => {
  it("parses every installed METADATA of site-packages like packaging and importlib.metadata", () => {
    let withProblems = 0;
    for (const c of oracle.installed) {
      const parsed = parseMetadata(c.text, { file: `${c.id}/METADATA` });
      compareWithOracle(c, parsed);
      expect(parsed.name, c.id).toBe(c.importlib!.name);
      expect(parsed.version, c.id).toBe(c.importlib!.version);
      expect(parsed.requiresDist, c.id).toEqual(c.importlib!.requires);
      expect(parsed.headers.length, c.id).toBeGreaterThanOrEqual(3);
      if (parsed.problems.length > 0) withProblems++;
    }
    console.log(`metadata oracle: ${oracle.installed.length} installed METADATA files agree (${withProblems} with tolerated problems)`);
    expect(oracle.installed.length).toBeGreaterThanOrEqual(100);
  });

  it("parses real PKG-INFO files (metadata 1.0 to 2.1) like packaging", () => {
    for (const c of oracle.pkg_info) compareWithOracle(c, parseMetadata(c.text, { file: c.id }));
    console.log(`metadata oracle: ${oracle.pkg_info.length} real PKG-INFO files agree`);
    if (oracle.pkg_info.length === 0) console.warn("no PKG-INFO files were available when the oracle was generated");
  });

  it("agrees on synthetic edge cases (throws exactly where wheelwright's policy says)", () => {
    let thrown = 0;
    for (const c of oracle.synthetic) {
      if (expectThrow(c)) {
        let error: unknown;
        try {
          parseMetadata(c.text, { file: "METADATA" });
        } catch (e) {
          error = e;
        }
        expect(isWheelwrightError(error, "ERR_WW_INVALID_METADATA"), `${c.id} should throw ERR_WW_INVALID_METADATA, got ${String(error)}`).toBe(true);
        expect((error as WheelwrightError).location.file).toBe("METADATA");
        expect((error as WheelwrightError).hint).toBeTruthy();
        thrown++;
      } else if (LENIENT.has(c.id)) {
        // Must read exactly like the same text without the BOM.
        const plain = oracle.synthetic.find((o) => o.text === c.text.slice(1))!;
        compareWithOracle(plain, parseMetadata(c.text));
      } else {
        compareWithOracle(c, parseMetadata(c.text));
      }
    }
    console.log(`metadata oracle: ${oracle.synthetic.length} synthetic cases (${thrown} rejected)`);
  });
});

describe("Description header unescaping against setuptools' rfc822_unescape (oracle)", () => {
  it("decodes every header description the same way, except the `|` convention setuptools does not know", () => {
    const cases = [...oracle.installed, ...oracle.pkg_info, ...oracle.synthetic].filter((c) => c.description_header_unescaped !== undefined);
    let compared = 0;
    for (const c of cases) {
      const value = parseMetadata(c.text).headers.find((h) => h.name.toLowerCase() === "description")!.value;
      if (/\n {7}\|/.test(value)) continue;
      expect(unfoldHeaderValue(value), c.id).toBe(c.description_header_unescaped);
      compared++;
    }
    console.log(`description unescaping: ${compared} header descriptions agree with setuptools`);
    expect(compared).toBeGreaterThanOrEqual(4);
  });
});

describe("parseMetadata details", () => {
  const head = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n";

  it("reports the line of a malformed header", () => {
    try {
      parseMetadata(head + "Summary: ok\nnot a header\n", { file: "x/METADATA", package: "demo" });
      expect.unreachable();
    } catch (e) {
      expect(isWheelwrightError(e, "ERR_WW_INVALID_METADATA")).toBe(true);
      expect((e as WheelwrightError).location).toEqual({ file: "x/METADATA", line: 5, package: "demo" });
    }
  });

  it("reports the line of an invalid Requires-Dist and keeps the cause", () => {
    try {
      parseMetadata(head + "Requires-Dist: good\nRequires-Dist: bad >=\n");
      expect.unreachable();
    } catch (e) {
      expect((e as WheelwrightError).location).toMatchObject({ line: 5, package: "demo" });
      expect(isWheelwrightError((e as Error).cause, "ERR_WW_INVALID_REQUIREMENT")).toBe(true);
    }
  });

  it("rejects missing, repeated and malformed identity fields", () => {
    const bad = [
      "Name: demo\nVersion: 1\n",
      "Metadata-Version: 2.1\nVersion: 1\n",
      "Metadata-Version: 2.1\nName: demo\n",
      "Metadata-Version: 2.1\nName: demo\nVersion: 1\nVersion: 2\n",
      "Metadata-Version: 4.0\nName: demo\nVersion: 1\n",
      "Metadata-Version: 2.1\nName: demo!\nVersion: 1\n",
      "Metadata-Version: 2.1\nName: demo\nVersion: one\n",
      "",
    ];
    for (const text of bad) expect(() => parseMetadata(text), JSON.stringify(text)).toThrow(WheelwrightError);
  });

  it("keeps headers in order with their lines, and unfolds a Description header", () => {
    const text = "Metadata-Version: 1.1\nName: demo\nVersion: 1.0\nDescription: Title\n        =====\n        \n        Para\n       |  code\nX-Extra: y\n";
    const parsed = parseMetadata(text);
    expect(parsed.headers.map((h) => [h.name, h.line])).toEqual([["Metadata-Version", 1], ["Name", 2], ["Version", 3], ["Description", 4], ["X-Extra", 9]]);
    expect(parsed.description).toBe("Title\n=====\n\nPara\n  code");
    expect(parsed.descriptionSource).toBe("header");
    expect(parsed.unparsed).toEqual({ "x-extra": ["y"] });
  });

  it("takes the body as the description, verbatim", () => {
    const parsed = parseMetadata(head + "\n# Title\r\n\n  indented\n");
    expect(parsed.description).toBe("# Title\r\n\n  indented\n");
    expect(parsed.descriptionSource).toBe("body");
  });

  it("drops invalid extras of old metadata with a problem, but rejects them from 2.3 on", () => {
    const old = parseMetadata(head + "Provides-Extra: Good_One\nProvides-Extra: not valid\n");
    expect(old.providesExtra).toEqual(["good-one"]);
    expect(old.problems.map((p) => p.field)).toEqual(["provides-extra"]);
    expect(() => parseMetadata(head.replace("2.1", "2.3") + "Provides-Extra: not valid\n")).toThrow(/Provides-Extra/);
  });

  it("reads the unstandardized 2.0 and future 2.x versions with a problem, rejects 3.x", () => {
    const old = parseMetadata("Metadata-Version: 2.0\nName: a\nVersion: 1\nProvides-Extra: x\nDescription-Content-Type: text/markdown\n");
    expect(old.problems.map((p) => p.field)).toEqual(["metadata-version"]);
    expect(old.providesExtra).toEqual(["x"]);
    const future = parseMetadata("Metadata-Version: 2.9\nName: a\nVersion: 1\nNew-Field: y\n");
    expect(future.problems.map((p) => p.field).sort()).toEqual(["metadata-version", "new-field"]);
    expect(future.unparsed).toEqual({ "new-field": ["y"] });
    expect(() => parseMetadata("Metadata-Version: 3.0\nName: a\nVersion: 1\n")).toThrow(/not supported/);
  });

  it("unfolds with dedent when continuation lines do not use the 8-space convention", () => {
    expect(unfoldHeaderValue("a\n  b\n    c")).toBe("a\nb\n  c");
    expect(unfoldHeaderValue("single")).toBe("single");
    expect(unfoldHeaderValue("a\r\n        b")).toBe("a\nb");
  });
});
