// Every real-world lock in ../shared/fixtures/locks/ is read without error; counts of packages
// and sources by kind are checked against a count made straight from the TOML (not through
// our readers), and each is then selected for a CPython 3.11 Linux environment.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { parsePylock, parseUvLock, readLock } from "../../src/lock/index.js";
import { FIXED_INTERPRETER } from "../helpers/interpreter.js";

const dir = resolve(import.meta.dirname, "../../../shared/fixtures/locks");
const present = existsSync(dir);
if (!present) console.warn(`skipping lock fixture tests: ${dir} is absent`);
const files = present ? readdirSync(dir).filter((f) => f.endsWith(".lock") || f.endsWith(".toml")).sort() : [];

type Raw = Record<string, unknown>;
/** Source kind per entry, read from the raw TOML. */
function rawKinds(file: string, data: Raw): string[] {
  if (file.endsWith(".lock")) return (data.package as Raw[]).map((p) => Object.keys(p.source as Raw).find((k) => k !== "subdirectory")!);
  return ((data.packages as Raw[]) ?? []).map((p) => (p.vcs ? "vcs" : p.directory ? "directory" : p.archive ? "archive" : "dists"));
}

describe.skipIf(!present)("real lock files", () => {
  const rows: string[] = [];
  it.each(files)("%s parses, with package and source counts matching the raw TOML", (file) => {
    const path = join(dir, file);
    const text = readFileSync(path, "utf8");
    const raw = parse(text) as Raw;
    const expected: Record<string, number> = {};
    for (const kind of rawKinds(file, raw)) expected[kind] = (expected[kind] ?? 0) + 1;
    const model = file.endsWith(".lock") ? parseUvLock(text, path) : parsePylock(text, path);
    const actual: Record<string, number> = {};
    for (const pkg of model.packages) {
      const kind = pkg.source.kind;
      actual[kind] = (actual[kind] ?? 0) + 1;
    }
    expect(model.packages.length).toBe(((raw.package ?? raw.packages) as unknown[] | undefined)?.length ?? 0);
    expect(actual).toEqual(expected);
    rows.push(`${file.padEnd(70)} ${String(model.packages.length).padStart(4)} ${JSON.stringify(actual)}`);
  });

  it.each(files)("%s selects an environment for CPython 3.11 on Linux, or says why not", (file) => {
    const path = join(dir, file);
    try {
      const env = readLock(path, { python: FIXED_INTERPRETER, sourcePreference: "wheel" });
      expect(env.summary.selected).toBeGreaterThan(0);
      expect(env.summary.selected).toBeLessThanOrEqual(env.summary.packages);
      expect(Object.keys(env.roots).length).toBeGreaterThan(0);
    } catch (error) {
      // Some fixtures are locked for other Pythons (pyodide 3.14, >=3.12) or reference local
      // files that only exist in their own repository.
      expect(isWheelwrightError(error)).toBe(true);
      const code = (error as { code: string }).code;
      expect(["ERR_WW_REQUIRES_PYTHON", "ERR_WW_NO_COMPATIBLE_DIST", "ERR_WW_FETCH"].includes(code), `${file}: ${(error as Error).message}`).toBe(true);
    }
  });

  it("prints the summary table", () => {
    console.log(`lock fixtures (${rows.length} files):\n${rows.join("\n")}`);
    expect(rows.length).toBe(files.length);
  });
});
