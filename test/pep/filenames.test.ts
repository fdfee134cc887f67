// Wheel and sdist file names against packaging 26.2's parse_wheel_filename /
// parse_sdist_filename (vectors in test/conformance/tags.json), plus the name builders.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import {
  compressTags,
  parseSdistFilename,
  parseWheelFilename,
  sdistFilename,
  tryParseWheelFilename,
  wheelFilename,
} from "../../src/pep/filenames.js";
import { formatTag, parseTagSet } from "../../src/pep/tags.js";

interface WheelCase {
  filename: string;
  validateOrder: boolean;
  result: { name: string; version: string; build: [number, string] | null; tags: string[] } | null;
}
interface SdistCase {
  filename: string;
  result: { name: string; version: string } | null;
}
const vectors = JSON.parse(readFileSync(join(import.meta.dirname, "../conformance/tags.json"), "utf8")) as {
  wheelFilenames: WheelCase[];
  sdistFilenames: SdistCase[];
};

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return isWheelwrightError(error) ? error.code : `uncoded: ${String(error)}`;
  }
}

describe("parseWheelFilename agrees with packaging", () => {
  it("on every vector", () => {
    const valid = vectors.wheelFilenames.filter((c) => c.result !== null).length;
    console.log(`filename conformance: ${vectors.wheelFilenames.length} wheel names (${valid} valid), ${vectors.sdistFilenames.length} sdist names`);
    expect(vectors.wheelFilenames.length + vectors.sdistFilenames.length).toBeGreaterThanOrEqual(200);
    for (const c of vectors.wheelFilenames) {
      const label = `${c.filename} (validateOrder=${c.validateOrder})`;
      if (c.result === null) {
        expect(codeOf(() => parseWheelFilename(c.filename, { validateOrder: c.validateOrder })), label).toBe("ERR_WW_INVALID_WHEEL_FILENAME");
        continue;
      }
      const parsed = parseWheelFilename(c.filename, { validateOrder: c.validateOrder });
      expect(
        { name: parsed.name, version: parsed.version, build: parsed.build, tags: parsed.tags.map(formatTag).sort() },
        label,
      ).toEqual(c.result);
      expect(parsed.filename).toBe(c.filename);
    }
  });

  it("names the file and gives a hint in its error", () => {
    try {
      parseWheelFilename("foo-1.0.whl");
      expect.unreachable();
    } catch (error) {
      expect(isWheelwrightError(error, "ERR_WW_INVALID_WHEEL_FILENAME")).toBe(true);
      expect((error as Error).message).toContain("foo-1.0.whl");
      expect((error as { hint?: string }).hint).toMatch(/\.whl/);
    }
    expect(tryParseWheelFilename("foo-1.0.whl")).toBeNull();
  });
});

describe("parseSdistFilename", () => {
  it("in strict mode agrees with packaging on every vector", () => {
    for (const c of vectors.sdistFilenames) {
      if (c.result === null) {
        expect(codeOf(() => parseSdistFilename(c.filename, { strict: true })), c.filename).toBe("ERR_WW_INVALID_SDIST_FILENAME");
        continue;
      }
      const parsed = parseSdistFilename(c.filename, { strict: true });
      expect({ name: parsed.name, version: parsed.version }, c.filename).toEqual(c.result);
    }
  });

  it("by default also accepts legacy archive extensions, and agrees on the standard ones", () => {
    for (const c of vectors.sdistFilenames.filter((x) => x.result !== null)) {
      expect(parseSdistFilename(c.filename).version).toBe(c.result!.version);
    }
    expect(parseSdistFilename("Foo_Bar-1.0.tar.bz2")).toMatchObject({ name: "foo-bar", version: "1.0", extension: ".tar.bz2" });
    expect(parseSdistFilename("foo-2.0.tgz").extension).toBe(".tgz");
    expect(parseSdistFilename("foo-2.0.tar.xz").extension).toBe(".tar.xz");
    expect(parseSdistFilename("foo-2.0.tar").extension).toBe(".tar");
    expect(parseSdistFilename("foo-2.0.tar.gz").extension).toBe(".tar.gz");
    expect(codeOf(() => parseSdistFilename("foo-2.0.tar.bz2", { strict: true }))).toBe("ERR_WW_INVALID_SDIST_FILENAME");
    expect(codeOf(() => parseSdistFilename("foo-2.0.rar"))).toBe("ERR_WW_INVALID_SDIST_FILENAME");
  });
});

describe("wheelFilename / sdistFilename builders", () => {
  it("escape the name and normalize the version (binary distribution format)", () => {
    expect(wheelFilename({ name: "Foo.Bar-baz", version: "1.0.0RC1", tags: "py3-none-any" })).toBe("foo_bar_baz-1.0.0rc1-py3-none-any.whl");
    expect(wheelFilename({ name: "foo", version: "1!2.0.post0", build: [3, "x"], tags: "py3-none-any" })).toBe("foo-1!2.0.post0-3x-py3-none-any.whl");
    expect(sdistFilename("Zope.Interface", "6.0")).toBe("zope_interface-6.0.tar.gz");
    expect(codeOf(() => wheelFilename({ name: "foo", version: "not a version", tags: "py3-none-any" }))).toBe("ERR_WW_INVALID_VERSION");
  });

  it("compress a tag product in sorted order (PEP 425) and refuse a non-product", () => {
    expect(compressTags(parseTagSet("py3.py2-none-any"))).toBe("py2.py3-none-any");
    expect(compressTags([...parseTagSet("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64")])).toBe(
      "cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64",
    );
    expect(() => compressTags([...parseTagSet("py3-none-any"), ...parseTagSet("cp311-abi3-linux_x86_64")])).toThrow();
  });

  it("round-trip through parseWheelFilename for every valid vector", () => {
    for (const c of vectors.wheelFilenames.filter((x) => x.result !== null && !x.validateOrder)) {
      const parsed = parseWheelFilename(c.filename);
      const rebuilt = wheelFilename({ name: parsed.name, version: parsed.version, build: parsed.build, tags: parsed.tags });
      const again = parseWheelFilename(rebuilt, { validateOrder: true });
      expect({ ...again, filename: "" }, c.filename).toEqual({ ...parsed, filename: "", tags: again.tags });
      expect(again.tags.map(formatTag).sort()).toEqual(parsed.tags.map(formatTag).sort());
    }
  });

  it("compressTags and parseTagSet are inverse on any tag product (property)", () => {
    const part = fc.stringMatching(/^[a-z0-9_]{1,8}$/);
    const parts = fc.uniqueArray(part, { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(parts, parts, parts, (interpreters, abis, platforms) => {
        const tags = interpreters.flatMap((i) => abis.flatMap((a) => platforms.map((p) => ({ interpreter: i, abi: a, platform: p }))));
        const compressed = compressTags(tags);
        const expanded = parseTagSet(compressed);
        expect(expanded.map(formatTag).sort()).toEqual(tags.map(formatTag).sort());
        expect(compressTags(expanded)).toBe(compressed);
      }),
    );
  });
});
