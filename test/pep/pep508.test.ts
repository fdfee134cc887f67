// PEP 508 requirements and markers against packaging 26.2 (vectors from
// scripts/conformance/gen_pep508.py), plus the exceptions where we deliberately differ.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WheelwrightError, isWheelwrightError } from "../../src/errors.js";
import {
  evaluateMarker,
  formatMarker,
  formatRequirement,
  parseMarker,
  parseRequirement,
} from "../../src/pep/pep508.js";
import type { MarkerEnvironmentInput } from "../../src/pep/pep508.js";

type EnvJson = Record<string, string | string[]>;
interface RequirementCase {
  input: string;
  error?: string;
  message?: string;
  name?: string;
  extras?: string[];
  specifier?: string;
  url?: string | null;
  marker?: string | null;
  str?: string;
}
interface MarkerCase {
  input: string;
  error?: string;
  message?: string;
  str?: string;
}
interface EvaluateCase {
  marker: string;
  env: string;
  result?: boolean;
  error?: string;
}
const vectors = JSON.parse(readFileSync(join(import.meta.dirname, "../conformance/pep508.json"), "utf8")) as {
  meta: { oracle: string; environments: Record<string, EnvJson> };
  requirements: RequirementCase[];
  markers: MarkerCase[];
  evaluate: EvaluateCase[];
};

/** What we produce, in the same shape as the recorded packaging outcome. */
type Outcome = { error: string; message?: string } | { value: unknown };

/**
 * Where we deliberately differ from packaging 26.2. Each entry names the input (and for
 * evaluation the environment, "*" for all), what we produce, and why packaging is wrong.
 * The test fails if an entry no longer differs from packaging or is never used.
 */
interface Exception {
  category: "requirements" | "markers" | "evaluate";
  input: string;
  env?: string;
  ours: Outcome;
  reason: string;
}

const NESTED_EXTRA =
  "PEP 685: extra names compare normalized. packaging normalizes the literal next to `extra` only at the top level " +
  "of a marker, so inside parentheses `extra == 'Foo_Bar'` never matches the (normalized) extra 'foo-bar'.";
const LOST_PARENTHESES =
  "packaging prints a group wrapped in two pairs of parentheses without any, so `((a or b)) and c` becomes " +
  "`a or b and c`, which means something else. We keep the parentheses the meaning needs.";
const UNPRINTABLE =
  'packaging prints literals verbatim in double quotes; a value containing `"`, a newline or a backslash that ' +
  "starts an escape then reads back differently (or not at all). We escape just those characters.";
const NAMED_ESCAPE =
  "`\\N{...}` escapes need the Unicode character name database, which JavaScript does not ship; nobody writes them " +
  "in markers, so we reject them rather than carry the database.";
const FOLDED_SPECIFIER =
  "Python's case-insensitive regex lets `ſ`/`ı` stand for `s`/`i` in `~=` specifiers; packaging accepts the " +
  "specifier but its Version class cannot use it. The PEP 440 module rejects such specifiers outright.";

const EXCEPTIONS: Exception[] = [
  { category: "markers", input: "(extra == 'Foo_Bar')", ours: { value: 'extra == "foo-bar"' }, reason: NESTED_EXTRA },
  {
    category: "markers",
    input: "(extra == 'Foo_Bar') or os_name == 'a'",
    ours: { value: 'extra == "foo-bar" or os_name == "a"' },
    reason: NESTED_EXTRA,
  },
  {
    category: "markers",
    input: "os_name == 'a' and (extra == 'Foo_Bar')",
    ours: { value: 'os_name == "a" and extra == "foo-bar"' },
    reason: NESTED_EXTRA,
  },
  { category: "evaluate", input: "(extra == 'Foo_Bar')", env: "3.11.7+extra=Foo.Bar", ours: { value: true }, reason: NESTED_EXTRA },
  {
    category: "evaluate",
    input: "(extra == 'Foo_Bar') or os_name == 'a'",
    env: "3.11.7+extra=Foo.Bar",
    ours: { value: true },
    reason: NESTED_EXTRA,
  },
  {
    category: "requirements",
    input: "name ; (extra == 'Foo_Bar')",
    ours: { value: 'name; extra == "foo-bar"' },
    reason: NESTED_EXTRA,
  },
  {
    category: "markers",
    input: "((os_name == 'a' or os_name == 'b')) and os_name == 'c'",
    ours: { value: '(os_name == "a" or os_name == "b") and os_name == "c"' },
    reason: LOST_PARENTHESES,
  },
  {
    category: "markers",
    input: "os_name == 'a' and ((os_name == 'b' or os_name == 'c'))",
    ours: { value: 'os_name == "a" and (os_name == "b" or os_name == "c")' },
    reason: LOST_PARENTHESES,
  },
  {
    category: "requirements",
    input: "name ; ((python_version >= '3' or os_name == 'nt')) and sys_platform == 'linux'",
    ours: { value: 'name; (python_version >= "3" or os_name == "nt") and sys_platform == "linux"' },
    reason: LOST_PARENTHESES,
  },
  { category: "markers", input: "os_name == '\"'", ours: { value: 'os_name == "\\u0022"' }, reason: UNPRINTABLE },
  { category: "markers", input: "os_name == 'a\\\\b'", ours: { value: 'os_name == "a\\\\b"' }, reason: UNPRINTABLE },
  { category: "markers", input: "os_name == '\\n'", ours: { value: 'os_name == "\\n"' }, reason: UNPRINTABLE },
  { category: "requirements", input: "name ; os_name == '\"'", ours: { value: 'name; os_name == "\\u0022"' }, reason: UNPRINTABLE },
  { category: "requirements", input: 'name ; os_name == "a\\\\"', ours: { value: 'name; os_name == "a\\\\"' }, reason: UNPRINTABLE },
  { category: "markers", input: "os_name == '\\N{DIGIT ONE}'", ours: { error: "ERR_WW_INVALID_MARKER" }, reason: NAMED_ESCAPE },
  {
    category: "requirements",
    input: "name ; os_name == '\\N{DIGIT ONE}'",
    ours: { error: "ERR_WW_INVALID_REQUIREMENT" },
    reason: NAMED_ESCAPE,
  },
  {
    category: "evaluate",
    input: "os_name == '\\N{DIGIT ONE}'",
    env: "*",
    ours: { error: "ERR_WW_INVALID_MARKER" },
    reason: NAMED_ESCAPE,
  },
  { category: "requirements", input: "pkg~=1.0poſt", ours: { error: "ERR_WW_INVALID_REQUIREMENT" }, reason: FOLDED_SPECIFIER },
  { category: "requirements", input: "pkg~=1.0prevıew", ours: { error: "ERR_WW_INVALID_REQUIREMENT" }, reason: FOLDED_SPECIFIER },
];

const used = new Set<Exception>();

function findException(category: Exception["category"], input: string, env?: string): Exception | undefined {
  const found = EXCEPTIONS.find(
    (e) => e.category === category && e.input === input && (env === undefined || e.env === "*" || e.env === env),
  );
  if (found !== undefined) used.add(found);
  return found;
}

function run(fn: () => unknown): Outcome {
  try {
    return { value: fn() };
  } catch (error) {
    if (error instanceof WheelwrightError) return { error: error.code, message: error.message };
    throw error;
  }
}

function toEnvironment(env: EnvJson): MarkerEnvironmentInput {
  return env as MarkerEnvironmentInput;
}

/** Compares our outcome with the exception entry; only the parts the entry states. */
function expectException(ours: Outcome, exception: Exception, packaging: Outcome): void {
  if ("error" in exception.ours) {
    expect(ours).toMatchObject({ error: exception.ours.error });
  } else {
    expect(ours).toEqual(exception.ours);
  }
  // An exception that packaging no longer needs must be removed.
  expect(packaging).not.toEqual(exception.ours);
}

describe(`PEP 508 conformance with ${vectors.meta.oracle}`, () => {
  it("parses every requirement as packaging does", () => {
    const counts = { valid: 0, invalid: 0, messages: 0, exceptions: 0 };
    for (const c of vectors.requirements) {
      const ours = run(() => parseRequirement(c.input));
      const exception = findException("requirements", c.input);
      if (exception !== undefined) {
        counts.exceptions++;
        const shown = "value" in ours ? { value: formatRequirement(ours.value as never) } : ours;
        expectException(shown, exception, c.error !== undefined ? { error: c.error } : { value: c.str });
        continue;
      }
      if (c.error !== undefined) {
        counts.invalid++;
        expect(ours, JSON.stringify(c.input)).toMatchObject({ error: "ERR_WW_INVALID_REQUIREMENT" });
        if (c.error === "InvalidRequirement" && "error" in ours) {
          counts.messages++;
          expect(ours.message, JSON.stringify(c.input)).toBe(c.message);
        }
        continue;
      }
      counts.valid++;
      expect("value" in ours, `${JSON.stringify(c.input)} → ${JSON.stringify(ours)}`).toBe(true);
      const r = (ours as { value: ReturnType<typeof parseRequirement> }).value;
      const actual = {
        name: r.name,
        extras: r.extras,
        specifier: r.specifier,
        url: r.url,
        marker: r.marker === null ? null : formatMarker(r.marker),
        str: formatRequirement(r),
      };
      expect(actual, JSON.stringify(c.input)).toEqual({
        name: c.name,
        extras: c.extras,
        specifier: c.specifier,
        url: c.url,
        marker: c.marker,
        str: c.str,
      });
    }
    console.log("pep508 requirements:", counts);
    expect(counts.valid).toBeGreaterThan(500);
    expect(counts.invalid).toBeGreaterThan(100);
  });

  it("parses and prints every marker as packaging does", () => {
    const counts = { valid: 0, invalid: 0, messages: 0, exceptions: 0 };
    for (const c of vectors.markers) {
      const ours = run(() => formatMarker(parseMarker(c.input)));
      const exception = findException("markers", c.input);
      if (exception !== undefined) {
        counts.exceptions++;
        expectException(ours, exception, c.error !== undefined ? { error: c.error } : { value: c.str });
        continue;
      }
      if (c.error !== undefined) {
        counts.invalid++;
        expect(ours, JSON.stringify(c.input)).toMatchObject({ error: "ERR_WW_INVALID_MARKER" });
        if (c.error === "InvalidMarker" && "error" in ours) {
          counts.messages++;
          expect(ours.message, JSON.stringify(c.input)).toBe(c.message);
        }
        continue;
      }
      counts.valid++;
      expect(ours, JSON.stringify(c.input)).toEqual({ value: c.str });
    }
    console.log("pep508 markers:", counts);
    expect(counts.valid).toBeGreaterThan(300);
  });

  it("evaluates every marker in every environment as packaging does", () => {
    const counts = { true: 0, false: 0, errors: 0, exceptions: 0 };
    const environments = vectors.meta.environments;
    for (const c of vectors.evaluate) {
      const env = environments[c.env];
      expect(env, c.env).toBeDefined();
      const ours = run(() => evaluateMarker(c.marker, toEnvironment(env!)));
      const exception = findException("evaluate", c.marker, c.env);
      if (exception !== undefined) {
        counts.exceptions++;
        expectException(ours, exception, c.error !== undefined ? { error: c.error } : { value: c.result });
        continue;
      }
      const label = `${JSON.stringify(c.marker)} in ${c.env}`;
      if (c.error !== undefined) {
        counts.errors++;
        expect(ours, label).toMatchObject({ error: "ERR_WW_MARKER_EVALUATION" });
      } else {
        counts[c.result === true ? "true" : "false"]++;
        expect(ours, label).toEqual({ value: c.result });
      }
    }
    console.log("pep508 evaluations:", counts, `over ${Object.keys(environments).length} environments`);
    expect(counts.true).toBeGreaterThan(200);
    expect(counts.errors).toBeGreaterThan(50);
  });

  it("uses every entry of the exceptions table", () => {
    const unused = EXCEPTIONS.filter((e) => !used.has(e)).map((e) => `${e.category}: ${e.input}`);
    expect(unused).toEqual([]);
  });
});

describe("parseRequirement", () => {
  it("keeps the name and extras as written, sorted and deduplicated", () => {
    const r = parseRequirement("Foo.Bar [b, a, b] (>=1.0, <2) ; python_version < '3.12'");
    expect(r).toMatchObject({ name: "Foo.Bar", extras: ["a", "b"], specifier: "<2,>=1.0", url: null });
    expect(formatRequirement(r)).toBe('Foo.Bar[a,b]<2,>=1.0; python_version < "3.12"');
  });

  it("needs whitespace between a URL and its marker, because ';' is allowed in URLs", () => {
    expect(parseRequirement("pkg @ https://h/x.whl;os_name=='nt'").url).toBe("https://h/x.whl;os_name=='nt'");
    const r = parseRequirement("pkg @ https://h/x.whl ; os_name=='nt'");
    expect(r.url).toBe("https://h/x.whl");
    expect(formatRequirement(r)).toBe('pkg @ https://h/x.whl ; os_name == "nt"');
  });

  it("reports the file, line and column, and draws a caret under the problem", () => {
    let caught: unknown;
    try {
      parseRequirement("requests >= 2.0 foo", { file: "requirements.txt", line: 3, package: "app" });
    } catch (error) {
      caught = error;
    }
    expect(isWheelwrightError(caught, "ERR_WW_INVALID_REQUIREMENT")).toBe(true);
    const error = caught as WheelwrightError;
    expect(error.location).toEqual({ file: "requirements.txt", line: 3, column: 10, package: "app" });
    expect(error.message.split("\n")).toEqual([
      "Expected comma (within version specifier), semicolon (after version specifier) or end",
      "    requests >= 2.0 foo",
      "             ~~~~~~~^",
    ]);
    expect(error.hint).toBeDefined();
  });
});

describe("parseMarker / formatMarker", () => {
  it("gives 'and' precedence over 'or' and keeps written groups", () => {
    const m = parseMarker("os_name == 'a' or os_name == 'b' and os_name == 'c'");
    expect(m.op).toBe("or");
    expect(formatMarker(parseMarker("(os_name=='a' or os_name=='b') and os_name=='c'"))).toBe(
      '(os_name == "a" or os_name == "b") and os_name == "c"',
    );
  });

  it("adds the parentheses a hand-built tree needs", () => {
    const cmp = (v: string) => ({ op: "compare" as const, lhs: { variable: "os_name" }, comparator: "==", rhs: { literal: v } });
    const tree = { op: "and" as const, left: { op: "or" as const, left: cmp("a"), right: cmp("b") }, right: cmp("c") };
    expect(formatMarker(tree)).toBe('(os_name == "a" or os_name == "b") and os_name == "c"');
  });

  it("maps the legacy spellings packaging accepts", () => {
    expect(formatMarker(parseMarker("os.name == 'nt' and python_implementation == 'PyPy'"))).toBe(
      'os_name == "nt" and platform_python_implementation == "PyPy"',
    );
  });

  it("throws ERR_WW_INVALID_MARKER with the column of the problem", () => {
    expect(() => parseMarker("os_name = 'nt'")).toThrow(expect.objectContaining({ code: "ERR_WW_INVALID_MARKER" }));
    try {
      parseMarker("os_name == 'nt' and", { file: "pyproject.toml", line: 7 });
    } catch (error) {
      expect((error as WheelwrightError).location).toEqual({ file: "pyproject.toml", line: 7, column: 20 });
    }
  });
});

describe("evaluateMarker", () => {
  const linux = vectors.meta.environments["pyenv-3.11.7"] as unknown as MarkerEnvironmentInput;

  it("names a variable missing from the environment", () => {
    expect(() => evaluateMarker("extra == 'test'", { ...linux, extra: undefined })).toThrow(/'extra' is not defined/);
    expect(() => evaluateMarker("'x' in extras", { ...linux })).toThrow(
      expect.objectContaining({ code: "ERR_WW_MARKER_EVALUATION" }),
    );
  });

  it("compares extras and dependency groups as sets of normalized names", () => {
    const env = { ...linux, extras: ["Foo_Bar"], dependency_groups: new Set(["Docs.All"]) };
    expect(evaluateMarker("'foo-bar' in extras and 'docs_all' in dependency_groups", env)).toBe(true);
    expect(evaluateMarker("'foo' in extras", env)).toBe(false);
    expect(evaluateMarker("'foo' not in extras", env)).toBe(true);
  });

  it("repairs an untagged build's python_full_version ending in '+'", () => {
    const env = { ...linux, python_full_version: "3.13.0+" };
    expect(evaluateMarker("python_full_version >= '3.13'", env)).toBe(true);
    expect(evaluateMarker("python_full_version == '3.13.0+local'", env)).toBe(true);
  });

  it("accepts a parsed tree as well as text", () => {
    const tree = parseMarker("python_version >= '3.9'");
    expect(evaluateMarker(tree, { python_version: "3.11" })).toBe(true);
    expect(evaluateMarker(tree, { python_version: "3.8" })).toBe(false);
  });
});
