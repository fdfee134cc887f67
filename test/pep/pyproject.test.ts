import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isWheelwrightError, type ErrorCode, type WheelwrightError } from "../../src/errors.js";
import { parseDependencyGroups, resolveDependencyGroup as resolveGroups } from "../../src/pep/dependency-groups.js";
import {
  buildSystem,
  dependencyGroups,
  LEGACY_BACKEND,
  project,
  readPyproject,
  resolveDependencyGroup,
  toolTable,
} from "../../src/pep/pyproject.js";
import { formatRequirement } from "../../src/pep/pep508.js";
import { findKeyLine, findNearestLine } from "../../src/pep/toml-position.js";

/** Runs `fn`, asserts it throws a WheelwrightError with `code`, and returns it. */
function catchError(fn: () => unknown, code: ErrorCode): WheelwrightError {
  try {
    fn();
  } catch (error) {
    expect(isWheelwrightError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
    return error as WheelwrightError;
  }
  throw new Error(`expected ${code} to be thrown`);
}

const read = (text: string) => readPyproject(text, "pyproject.toml");

describe("readPyproject", () => {
  it("maps TOML syntax errors to ERR_WW_INVALID_PYPROJECT with file, line and column", () => {
    const e = catchError(() => readPyproject('[project]\nname = "x"\nversion = \n', "/src/pyproject.toml"), "ERR_WW_INVALID_PYPROJECT");
    expect(e.location.file).toBe("/src/pyproject.toml");
    expect(e.location.line).toBe(3);
    expect(e.location.column).toBeGreaterThan(0);
    catchError(() => read('a = 1\na = 2\n'), "ERR_WW_INVALID_PYPROJECT");
  });

  it("keeps big integers exact", () => {
    const p = read("[tool.x]\nbig = 12345678901234567890\nsmall = 3\n");
    expect(toolTable(p, "x")).toEqual({ big: 12345678901234567890n, small: 3 });
  });
});

describe("buildSystem (PEP 517/518)", () => {
  it("falls back to setuptools' legacy backend without a [build-system] table or file", () => {
    for (const bs of [buildSystem(undefined), buildSystem(read('[project]\nname = "x"\nversion = "1"\n'))]) {
      expect(bs.buildBackend).toBe("setuptools.build_meta:__legacy__");
      expect(bs.requires.map(formatRequirement)).toEqual(["setuptools>=40.8.0"]);
      expect(bs.origin).toBe("default");
    }
  });

  it("uses the legacy backend with the given requires when build-backend is missing", () => {
    const bs = buildSystem(read('[build-system]\nrequires = ["setuptools>=61", "wheel"]\n'));
    expect(bs.buildBackend).toBe(LEGACY_BACKEND);
    expect(bs.requires.map((r) => r.name)).toEqual(["setuptools", "wheel"]);
    expect(bs.origin).toBe("legacy-backend");
  });

  it("reads a declared backend and backend-path", () => {
    const bs = buildSystem(read('[build-system]\nrequires = []\nbuild-backend = "backend:impl.api"\nbackend-path = [".", "tools/build"]\n'));
    expect(bs).toMatchObject({ buildBackend: "backend:impl.api", backendPath: [".", "tools/build"], origin: "declared", requires: [] });
  });

  it("rejects a table without requires, wrong types, bad references and escaping paths, naming key and line", () => {
    let e = catchError(() => buildSystem(read('[project]\nname = "x"\n\n[build-system]\nbuild-backend = "flit_core.buildapi"\n')), "ERR_WW_INVALID_PYPROJECT");
    expect(e.message).toContain("requires");
    expect(e.location.line).toBe(4);
    e = catchError(() => buildSystem(read('[build-system]\nrequires = "setuptools"\n')), "ERR_WW_INVALID_PYPROJECT");
    expect(e.message).toContain("build-system.requires");
    expect(e.location.line).toBe(2);
    e = catchError(() => buildSystem(read('[build-system]\nrequires = [\n  "ok",\n  "bad req ~",\n]\n')), "ERR_WW_INVALID_PYPROJECT");
    expect(e.message).toContain("build-system.requires[1]");
    expect(e.location.line).toBe(4);
    e = catchError(() => buildSystem(read('[build-system]\nrequires = []\nbuild-backend = 3\n')), "ERR_WW_INVALID_PYPROJECT");
    expect(e.location.line).toBe(3);
    catchError(() => buildSystem(read('[build-system]\nrequires = []\nbuild-backend = "not a module"\n')), "ERR_WW_INVALID_PYPROJECT");
    for (const bad of ['"/abs"', '"../up"', '"a/../../up"', '"C:/x"', '"a\\\\..\\\\..\\\\x"']) {
      e = catchError(() => buildSystem(read(`[build-system]\nrequires = []\nbuild-backend = "b"\nbackend-path = ["ok", ${bad}]\n`)), "ERR_WW_INVALID_PYPROJECT");
      expect(e.message).toContain("backend-path[1]");
    }
    buildSystem(read('[build-system]\nrequires = []\nbuild-backend = "b"\nbackend-path = ["a/../b", "./c"]\n'));
  });
});

const base = '[project]\nname = "Demo_Pkg"\nversion = "1.0"\n';

describe("project (PEP 621)", () => {
  it("returns null without [project] and reads a full table", () => {
    expect(project(read("[tool.x]\n"))).toBeNull();
    const p = project(read(`${base}description = "d"\nreadme = "README.md"\nrequires-python = ">=3.9"\nlicense = "MIT"\nlicense-files = ["LICEN[CS]E*", "licenses/**/*.txt"]
authors = [{name = "Ada"}, {email = "b@example.org"}]\nkeywords = ["a"]\nclassifiers = ["Programming Language :: Python"]
dependencies = ["requests>=2", 'tomli; python_version < "3.11"']
[project.optional-dependencies]\nDev_Tools = ["pytest"]
[project.urls]\nHome = "https://example.org"
[project.scripts]\ndemo = "demo.cli:main"
[project.gui-scripts]\ndemo-gui = "demo.gui:run"
[project.entry-points."demo.plugins"]\nfoo = "demo.plugins.foo"
`))!;
    expect(p.normalizedName).toBe("demo-pkg");
    expect(p.readme).toEqual({ file: "README.md", text: null, contentType: "text/markdown" });
    expect(p.license).toEqual({ kind: "expression", expression: "MIT" });
    expect(p.authors).toEqual([{ name: "Ada", email: null }, { name: null, email: "b@example.org" }]);
    expect(p.optionalDependencies).toEqual({ "dev-tools": ["pytest"] });
    expect(p.dependencies).toEqual(["requests>=2", 'tomli; python_version < "3.11"']);
    expect(p.scripts).toEqual({ demo: "demo.cli:main" });
    expect(p.guiScripts).toEqual({ "demo-gui": "demo.gui:run" });
    expect(p.entryPoints).toEqual({ "demo.plugins": { foo: "demo.plugins.foo" } });
    expect(p.urls).toEqual({ Home: "https://example.org" });
  });

  it("accepts a dynamic version and readme table forms", () => {
    const p = project(read('[project]\nname = "x"\ndynamic = ["version", "dependencies"]\nreadme = {text = "hi", content-type = "text/plain"}\nlicense = {file = "LICENSE"}\n'))!;
    expect(p.version).toBeNull();
    expect(p.dynamic).toEqual(["version", "dependencies"]);
    expect(p.readme).toEqual({ file: null, text: "hi", contentType: "text/plain" });
    expect(p.license).toEqual({ kind: "file", file: "LICENSE" });
  });

  const invalid: [string, string, number | undefined][] = [
    ['[project]\nversion = "1"\n', "no `name`", 1],
    ['[project]\nname = "-x-"\nversion = "1"\n', "project.name", 2],
    ['[project]\nname = "x"\n', "no `version`", 1],
    ['[project]\nname = "x"\nversion = "1"\ndynamic = ["version"]\n', "also listed", 3],
    ['[project]\nname = "x"\ndynamic = ["name"]\n', "cannot be dynamic", 3],
    ['[project]\nname = "x"\ndynamic = ["version", "colour"]\n', "colour", 3],
    ['[project]\nname = "x"\nversion = "one"\n', "PEP 440", 3],
    ['[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.8.*"\n', "requires-python", 4],
    [`${base}dependencies = [\n  "ok",\n  "bad;;",\n]\n`, "project.dependencies[1]", 6],
    [`${base}[project.optional-dependencies]\nA_b = []\na-B = []\n`, "same normalized name", 6],
    [`${base}[project.optional-dependencies]\n"bad extra" = []\n`, "not valid", 5],
    [`${base}[project.entry-points.console_scripts]\nx = "a:b"\n`, "console_scripts", 4],
    [`${base}[project.entry-points.gui_scripts]\nx = "a:b"\n`, "gui_scripts", 4],
    [`${base}[project.scripts]\nx = "not an object ref!"\n`, "object reference", 5],
    [`${base}readme = "README.html"\n`, "extension", 4],
    [`${base}readme = {file = "a.md", text = "b", content-type = "text/markdown"}\n`, "both", 4],
    [`${base}readme = {file = "a.md"}\n`, "content-type", 4],
    [`${base}license = {file = "L", text = "T"}\n`, "both", 4],
    [`${base}license = {file = "L"}\nlicense-files = ["L"]\n`, "table form", 5],
    [`${base}license-files = ["../LICENSE"]\n`, "..", 4],
    [`${base}license = "MIT"\nclassifiers = ["License :: OSI Approved :: MIT License"]\n`, "License classifier", 5],
    [`${base}authors = [{name = "A, B"}]\n`, "comma", 4],
    [`${base}authors = [{nom = "A"}]\n`, "contact key", 4],
    [`${base}keywords = "a,b"\n`, "project.keywords", 4],
    [`${base}homepage = "x"\n`, "not a [project] key", 4],
    [`${base}urls = {Home = 3}\n`, "project.urls.Home", 4],
  ];
  it.each(invalid)("rejects %j (%s)", (text, fragment, line) => {
    const e = catchError(() => project(read(text)), "ERR_WW_INVALID_PYPROJECT");
    expect(e.message).toContain(fragment);
    expect(e.location.file).toBe("pyproject.toml");
    expect(e.location.line).toBe(line);
    expect(e.hint).toBeTruthy();
  });
});

interface GroupCase {
  id: string;
  table: Record<string, unknown>;
  valid: boolean;
  groups?: Record<string, { ok?: string[]; error?: string[] }>;
}
const groupCases = (JSON.parse(readFileSync(join(import.meta.dirname, "../conformance/metadata.json"), "utf8")) as { dependency_groups: GroupCase[] }).dependency_groups;

describe("dependency groups (PEP 735) against packaging.dependency_groups (oracle)", () => {
  it.each(groupCases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    if (c.groups === undefined) {
      // packaging rejects the table as a whole (duplicate names).
      catchError(() => parseDependencyGroups(c.table), "ERR_WW_INVALID_PYPROJECT");
      return;
    }
    const allValid = Object.values(c.groups).every((g) => g.ok !== undefined);
    const parseErrors = Object.values(c.groups).some((g) => g.error?.some((e) => e !== "CyclicDependencyGroup" && e !== "LookupError"));
    if (parseErrors) {
      // Malformed entries: packaging fails lazily per group, wheelwright when reading the table.
      catchError(() => parseDependencyGroups(c.table), "ERR_WW_INVALID_PYPROJECT");
      return;
    }
    const groups = parseDependencyGroups(c.table);
    for (const [name, expected] of Object.entries(c.groups)) {
      if (expected.ok !== undefined) {
        expect(resolveGroups(groups, name), `${c.id}/${name}`).toEqual(expected.ok);
      } else if (expected.error!.includes("CyclicDependencyGroup")) {
        catchError(() => resolveGroups(groups, name), "ERR_WW_DEPENDENCY_GROUP_CYCLE");
      } else {
        catchError(() => resolveGroups(groups, name), "ERR_WW_DEPENDENCY_GROUP_UNKNOWN");
      }
    }
    expect(allValid).toBe(c.valid);
  });

  it("names the whole cycle and its line", () => {
    const p = read('[dependency-groups]\na = ["x", {include-group = "B"}]\nB = [{include-group = "c"}]\nc = [{include-group = "a"}]\n');
    const e = catchError(() => resolveDependencyGroup(p, "a"), "ERR_WW_DEPENDENCY_GROUP_CYCLE");
    expect(e.message).toContain("a -> B -> c -> a");
    expect(e.location.line).toBe(4);
    expect(catchError(() => resolveDependencyGroup(p, "c"), "ERR_WW_DEPENDENCY_GROUP_CYCLE").message).toContain("c -> a -> B -> c");
  });

  it("reports unknown groups, requested or included, and invalid names with lines", () => {
    const p = read('[dependency-groups]\ntest = ["pytest", {include-group = "lint"}]\n');
    expect(catchError(() => resolveDependencyGroup(p, "docs"), "ERR_WW_DEPENDENCY_GROUP_UNKNOWN").message).toContain("docs");
    const e = catchError(() => resolveDependencyGroup(p, "TEST"), "ERR_WW_DEPENDENCY_GROUP_UNKNOWN");
    expect(e.message).toContain("lint");
    expect(e.location.line).toBe(2);
    const bad = catchError(() => dependencyGroups(read('[dependency-groups]\nok = []\n"bad name" = []\n')), "ERR_WW_INVALID_PYPROJECT");
    expect(bad.location.line).toBe(3);
    const entry = catchError(() => dependencyGroups(read('[dependency-groups]\nt = [\n  "ok",\n  {include = "x"},\n]\n')), "ERR_WW_INVALID_PYPROJECT");
    expect(entry.location.line).toBe(4);
    expect(dependencyGroups(read("[project]\n")).size).toBe(0);
  });
});

interface RealPyproject {
  id: string;
  text: string;
  build_system: { requires: string[]; "build-backend"?: string } | null;
  project: { name: string; version: string | null; dependencies: string[]; optional_dependencies: Record<string, string[]>; dynamic: string[] } | null;
}
const realPyprojects = (JSON.parse(readFileSync(join(import.meta.dirname, "../conformance/metadata.json"), "utf8")) as { pyproject: RealPyproject[] }).pyproject;

describe("real pyproject.toml files (read by Python's tomllib when the oracle was made)", () => {
  it.each(realPyprojects.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const p = readPyproject(c.text, c.id);
    const bs = buildSystem(p);
    if (c.build_system === null) {
      expect(bs.origin).toBe("default");
    } else {
      expect(bs.buildBackend).toBe(c.build_system["build-backend"] ?? LEGACY_BACKEND);
      expect(bs.requires.map((r) => r.name)).toEqual(c.build_system.requires.map((r) => /^[A-Za-z0-9._-]+/.exec(r)![0]));
    }
    const meta = project(p);
    if (c.project === null) {
      expect(meta).toBeNull();
    } else {
      expect(meta).toMatchObject({ name: c.project.name, version: c.project.version ?? null, dependencies: c.project.dependencies, dynamic: c.project.dynamic });
      expect(Object.keys(meta!.optionalDependencies).sort()).toEqual(Object.keys(c.project.optional_dependencies).map((k) => k.toLowerCase().replace(/[-_.]+/g, "-")).sort());
    }
    dependencyGroups(p);
  });
});

describe("toolTable", () => {
  it("returns the raw table or undefined, and rejects non-tables", () => {
    const p = read('[tool.wheelwright]\njobs = 4\n[tool.wheelwright.overrides]\nfoo = {patches = ["a.patch"]}\n');
    expect(toolTable(p, "wheelwright")).toEqual({ jobs: 4, overrides: { foo: { patches: ["a.patch"] } } });
    expect(toolTable(p, "other")).toBeUndefined();
    expect(toolTable(read(""), "wheelwright")).toBeUndefined();
    expect(catchError(() => toolTable(read("[tool]\nwheelwright = 3\n"), "wheelwright"), "ERR_WW_INVALID_PYPROJECT").location.line).toBe(2);
  });
});

describe("findKeyLine", () => {
  const text = `# comment
title = "x"  # trailing
[build-system]
requires = [
  "a", # one
  """b""",
  'c',
]
[project]
name = "n"
authors = [
  {name = "A"},
  { name = "B", email = "b@x" },
]
multi = """
line [not a header]
name = "fake"
"""
"dotted.key".inner = 1
[[package]]
name = "p0"
[[package]]
name = "p1"
[package.source]
url = "u"
[[package.wheels]]
url = "w0"
`;
  it("finds keys, array elements, inline tables and array-of-table entries", () => {
    expect(findKeyLine(text, ["title"])).toBe(2);
    expect(findKeyLine(text, ["build-system"])).toBe(3);
    expect(findKeyLine(text, ["build-system", "requires"])).toBe(4);
    expect(findKeyLine(text, ["build-system", "requires", 0])).toBe(5);
    expect(findKeyLine(text, ["build-system", "requires", 2])).toBe(7);
    expect(findKeyLine(text, ["project", "authors", 1, "email"])).toBe(13);
    expect(findKeyLine(text, ["project", "multi"])).toBe(15);
    expect(findKeyLine(text, ["project", "dotted.key", "inner"])).toBe(19);
    expect(findKeyLine(text, ["package", 0, "name"])).toBe(21);
    expect(findKeyLine(text, ["package", 1, "name"])).toBe(23);
    expect(findKeyLine(text, ["package", 1, "source", "url"])).toBe(25);
    expect(findKeyLine(text, ["package", 1, "wheels", 0, "url"])).toBe(27);
    expect(findKeyLine(text, ["project", "missing"])).toBeUndefined();
    expect(findNearestLine(text, ["project", "missing"])).toBe(9);
  });

  it("never throws on malformed text", () => {
    expect(findKeyLine('a = "unterminated\n[b', ["b"])).toBeUndefined();
    expect(findKeyLine("a = 1\n[[", ["a"])).toBe(1);
  });
});
