// Random input to the metadata and pyproject readers: they may reject it, but only with a
// WheelwrightError (never a TypeError or similar), and findKeyLine never throws at all.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WheelwrightError } from "../../src/errors.js";
import { parseMetadata } from "../../src/pep/metadata.js";
import { buildSystem, dependencyGroups, project, readPyproject, toolTable } from "../../src/pep/pyproject.js";
import { findKeyLine } from "../../src/pep/toml-position.js";

function onlyWheelwrightErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof WheelwrightError)) throw error;
  }
}

const headerNames = ["Metadata-Version", "Name", "Version", "Requires-Dist", "Provides-Extra", "Requires-Python", "Project-URL", "Keywords", "Description", "Dynamic", "License-File", "Import-Name", "Description-Content-Type", "X-Odd"];
const metadataLike = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom(...headerNames), fc.string()).map(([n, v]) => `${n}: ${v}`),
      fc.constantFrom("Metadata-Version: 2.1", "Metadata-Version: 2.4", "Name: demo", "Version: 1.0", "", "        continued", "       |pipe"),
      fc.string(),
    ),
    { maxLength: 12 },
  )
  .chain((lines) => fc.constantFrom("\n", "\r\n", "\r").map((eol) => lines.join(eol)));

// Mostly-valid documents: each section once, with a random subset of (often invalid) lines,
// so the table validators see many shapes, not just TOML syntax errors.
const sections: Record<string, string[]> = {
  "[build-system]": ["requires = []", 'requires = ["setuptools", "bad req ~"]', "requires = 3", 'build-backend = "x:y"', "build-backend = 1", 'backend-path = ["..", "."]', "backend-path = [1]"],
  "[project]": ['name = "x"', "name = 2", 'version = "1"', 'version = "x.y"', 'dynamic = ["version", "name"]', 'dependencies = ["a", 1]', "readme = {}", 'readme = "R.md"',
    'license = {file = "a"}', 'license = "MIT"', "authors = [{name = 1}]", "authors = [1]", 'entry-points = {console_scripts = {}}', 'entry-points = {g = {a = "b:c"}}',
    "urls = {a = 1}", 'license-files = ["*", "../x"]', 'classifiers = ["License :: X"]', 'scripts = {a = "b"}', "keywords = [[]]", 'requires-python = "~="'],
  "[project.optional-dependencies]": ["a = []", 'A = ["x"]', "b = 1", '"bad name" = []'],
  "[dependency-groups]": ['g = [{include-group = "g"}]', 'h = ["x", {include-group = "g"}]', 'i = [{include-group = 1}]', "j = [2]", "k = 1", 'K = []'],
  "[tool.wheelwright]": ["jobs = 4", "big = 123456789012345678901234"],
};
const tomlLike = fc
  .subarray(Object.keys(sections))
  .chain((headers) => fc.tuple(...headers.map((h) => fc.subarray(sections[h]!).map((lines) => [h, ...lines].join("\n")))))
  .map((parts) => parts.join("\n"));

describe("fuzz: readers only throw WheelwrightError", () => {
  it("parseMetadata", () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), metadataLike), (text) => onlyWheelwrightErrors(() => parseMetadata(text))), { numRuns: 3000 });
  });

  it("readPyproject and the table readers", () => {
    let parsed = 0;
    fc.assert(
      fc.property(fc.oneof(fc.string(), tomlLike, fc.tuple(tomlLike, fc.string()).map(([t, junk]) => `${t}\n${junk}`)), (text) => {
        expect(() => findKeyLine(text, ["project", "name"])).not.toThrow();
        onlyWheelwrightErrors(() => {
          const p = readPyproject(text, "pyproject.toml");
          parsed++;
          onlyWheelwrightErrors(() => buildSystem(p));
          onlyWheelwrightErrors(() => project(p));
          onlyWheelwrightErrors(() => dependencyGroups(p));
          onlyWheelwrightErrors(() => toolTable(p, "wheelwright"));
        });
      }),
      { numRuns: 3000 },
    );
    // The generator must reach the table readers, not only the TOML parser.
    expect(parsed).toBeGreaterThan(300);
  });
});
