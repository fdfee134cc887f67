/**
 * PEP 735 `[dependency-groups]`: named lists of requirement strings and
 * `{include-group = "name"}` tables. Resolution follows `packaging.dependency_groups`
 * (includes expand in place, order and repeats kept), with two deliberate differences: the
 * whole table is validated when read (not lazily per group), and group names must be valid
 * non-normalized names as the specification requires.
 */
import { WheelwrightError } from "../errors.js";
import { isValidName, normalizeName } from "./names.js";
import { parseRequirement } from "./pep508.js";
import { findKeyLine, findNearestLine } from "./toml-position.js";

export type DependencyGroupEntry = { kind: "requirement"; requirement: string } | { kind: "include"; group: string };

export interface DependencyGroup {
  /** The name as written in the file. */
  name: string;
  entries: DependencyGroupEntry[];
}

/** Groups keyed by normalized name, in file order. */
export type DependencyGroups = Map<string, DependencyGroup>;

/** Where the table came from, to give errors a file and line. */
export interface GroupSource {
  file?: string;
  /** The TOML text, used to find the line of an offending key. */
  text?: string;
}

/**
 * Validates a raw `[dependency-groups]` table (as parsed from TOML) and normalizes its names.
 * Throws ERR_WW_INVALID_PYPROJECT naming the group and entry.
 */
export function parseDependencyGroups(table: unknown, source: GroupSource = {}): DependencyGroups {
  const lineOf = (path: (string | number)[]): number | undefined =>
    source.text === undefined ? undefined : (findKeyLine(source.text, ["dependency-groups", ...path]) ?? findNearestLine(source.text, ["dependency-groups", ...path]));
  const fail = (message: string, hint: string, path: (string | number)[], cause?: unknown): never => {
    throw new WheelwrightError("ERR_WW_INVALID_PYPROJECT", message, { file: source.file, line: lineOf(path), hint, cause });
  };
  if (!isPlainTable(table)) fail("[dependency-groups] must be a table of group names to lists", "Write `[dependency-groups]` with entries like `test = [\"pytest\"]`.", []);
  const groups: DependencyGroups = new Map();
  for (const [name, value] of Object.entries(table as Record<string, unknown>)) {
    if (!isValidName(name)) {
      fail(`Dependency group name ${JSON.stringify(name)} is not valid`, "Group names follow the project-name rules: ASCII letters, digits, and . _ - (not at either end).", [name]);
    }
    const key = normalizeName(name);
    const earlier = groups.get(key);
    if (earlier !== undefined) {
      fail(`Dependency groups ${JSON.stringify(earlier.name)} and ${JSON.stringify(name)} have the same normalized name ${JSON.stringify(key)}`, "Group names are compared after normalization (case, and runs of - _ . are equal); rename or merge one.", [name]);
    }
    if (!Array.isArray(value)) {
      fail(`Dependency group ${JSON.stringify(name)} must be a list`, 'A group is a list of requirement strings and `{include-group = "other"}` tables.', [name]);
    }
    const entries: DependencyGroupEntry[] = [];
    (value as unknown[]).forEach((item, index) => {
      if (typeof item === "string") {
        try {
          parseRequirement(item, { file: source.file, line: lineOf([name, index]) });
        } catch (cause) {
          fail(`Dependency group ${JSON.stringify(name)} entry ${JSON.stringify(item)} is not a valid PEP 508 requirement`, "Entries are dependency specifiers such as `pytest>=8`.", [name, index], cause);
        }
        entries.push({ kind: "requirement", requirement: item });
      } else if (isPlainTable(item)) {
        const keys = Object.keys(item);
        const include = item["include-group"];
        if (keys.length !== 1 || keys[0] !== "include-group" || typeof include !== "string") {
          fail(`Dependency group ${JSON.stringify(name)} entry ${index + 1} is not a valid include`, 'A table entry must be exactly `{include-group = "name"}`.', [name, index]);
        }
        entries.push({ kind: "include", group: include as string });
      } else {
        fail(`Dependency group ${JSON.stringify(name)} entry ${index + 1} must be a string or an include table`, 'Entries are requirement strings or `{include-group = "name"}`.', [name, index]);
      }
    });
    groups.set(key, { name, entries });
  }
  return groups;
}

/**
 * Expands `name` (any spelling) into its requirement strings, includes replaced in place.
 * Unknown groups → ERR_WW_DEPENDENCY_GROUP_UNKNOWN; include cycles →
 * ERR_WW_DEPENDENCY_GROUP_CYCLE naming the cycle (`a -> b -> a`).
 */
export function resolveDependencyGroup(groups: DependencyGroups, name: string, source: GroupSource = {}): string[] {
  const cache = new Map<string, string[]>();
  const expand = (key: string, stack: string[], includedBy: string | undefined): string[] => {
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const group = groups.get(key);
    if (group === undefined) {
      const known = [...groups.values()].map((g) => g.name).join(", ") || "none";
      const what = includedBy === undefined ? `Dependency group ${JSON.stringify(name)} is not defined` : `Dependency group ${JSON.stringify(includedBy)} includes ${JSON.stringify(key)}, which is not defined`;
      throw new WheelwrightError("ERR_WW_DEPENDENCY_GROUP_UNKNOWN", what, {
        file: source.file,
        line: includedBy === undefined || source.text === undefined ? undefined : findKeyLine(source.text, ["dependency-groups", includedBy]),
        hint: `Defined groups: ${known}.`,
      });
    }
    const requirements: string[] = [];
    for (const entry of group.entries) {
      if (entry.kind === "requirement") {
        requirements.push(entry.requirement);
        continue;
      }
      const target = normalizeName(entry.group);
      const at = stack.indexOf(target);
      if (at >= 0) {
        const names = [...stack.slice(at), target].map((k) => groups.get(k)?.name ?? k);
        throw new WheelwrightError("ERR_WW_DEPENDENCY_GROUP_CYCLE", `Dependency groups include each other in a cycle: ${names.join(" -> ")}`, {
          file: source.file,
          line: source.text === undefined ? undefined : findKeyLine(source.text, ["dependency-groups", group.name]),
          hint: "Remove one of the include-group entries in the cycle.",
        });
      }
      requirements.push(...expand(target, [...stack, target], group.name));
    }
    cache.set(key, requirements);
    return requirements;
  };
  const key = normalizeName(name);
  return expand(key, [key], undefined);
}

function isPlainTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
