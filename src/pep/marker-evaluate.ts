/**
 * Evaluating PEP 508 markers against an explicit environment, with the semantics of
 * `packaging` 26.2 `Marker.evaluate`:
 *  - version-valued variables (`python_version`, `python_full_version`,
 *    `implementation_version`, `platform_release`) compare as PEP 440 when `<op><rhs>` is a
 *    valid single specifier (pre-releases included), else fall back to string operators;
 *  - the string operators are `==`, `!=`, `in`, `not in`; `<=`/`>=` mean equality and `<`/`>`
 *    are always false; `~=` and `===` on non-versions are an error;
 *  - `extra` compares normalized names; `extras` and `dependency_groups` (PEP 751) are sets of
 *    normalized names tested with `in` / `not in`;
 *  - every comparison is evaluated (no short-circuit), so a missing variable is reported even
 *    where the result would not depend on it.
 * Unlike packaging there is no default environment: the caller passes the probed one.
 */
import { WheelwrightError } from "../errors.js";
import { normalizeName } from "./names.js";
import { satisfies, tryParse } from "./pep440.js";
import type { Version } from "./pep440.js";
import { parseSingleSpecifier } from "./pep508-tokenizer.js";
import { formatMarker, parseMarker } from "./markers.js";
import type { Marker, MarkerValue } from "./markers.js";
import type { MarkerEnvironment } from "../python/types.js";

/** The context a marker may be evaluated in besides the interpreter's own variables. */
export interface MarkerContext {
  /** The extra whose dependencies are being evaluated (core metadata); "" for none. */
  extra?: string;
  /** PEP 751 lock files: the extras and dependency groups selected for installation. */
  extras?: Iterable<string>;
  dependency_groups?: Iterable<string>;
}

/**
 * Values for marker variables: the interpreter's marker environment (`MarkerEnvironment` from
 * the probe, an interface, hence the first member) plus a context, or any plain record of
 * variable values (the second member, e.g. read from JSON).
 */
export type MarkerEnvironmentInput =
  | (Partial<MarkerEnvironment> & MarkerContext)
  | Readonly<Record<string, string | Iterable<string> | undefined>>;

type EnvValue = string | ReadonlySet<string>;

const VERSION_VARIABLES = new Set(["implementation_version", "platform_release", "python_full_version", "python_version"]);
const SET_VARIABLES = new Set(["extras", "dependency_groups"]);
/** `Specifier(op + rhs).contains(lhs, prereleases=True)`. */
function specifierContains(spec: { operator: string; version: string }, lhs: string): boolean {
  // `===` compares the raw strings case-insensitively, valid versions or not.
  if (spec.operator === "===") return lhs.toLowerCase() === spec.version.toLowerCase();
  const version: Version | null = tryParse(lhs);
  if (version === null) return false;
  const specifier = { operator: spec.operator as "==", version: spec.version };
  return satisfies(version, [specifier], { prereleases: true });
}

function evaluationError(marker: Marker, message: string, hint: string): WheelwrightError {
  return new WheelwrightError("ERR_WW_MARKER_EVALUATION", `${message} (in marker '${formatMarker(marker)}')`, { hint });
}

function compareStrings(lhs: string, op: string, rhs: EnvValue): boolean | null {
  const equal = typeof rhs === "string" && lhs === rhs;
  switch (op) {
    case "in":
      return typeof rhs === "string" ? rhs.includes(lhs) : rhs.has(lhs);
    case "not in":
      return typeof rhs === "string" ? !rhs.includes(lhs) : !rhs.has(lhs);
    case "==":
    case "<=":
    case ">=":
      return equal;
    case "!=":
      return !equal;
    case "<":
    case ">":
      return false;
    default:
      return null;
  }
}

function describe(value: EnvValue): string {
  return typeof value === "string" ? JSON.stringify(value) : `{${[...value].map((v) => JSON.stringify(v)).join(", ")}}`;
}

function evaluateComparison(
  marker: Marker & { op: "compare" },
  root: Marker,
  env: ReadonlyMap<string, EnvValue>,
): boolean {
  const lookup = (key: string): EnvValue => {
    const value = env.get(key);
    if (value === undefined) {
      throw evaluationError(
        root,
        `The marker variable '${key}' is not defined in the evaluation environment`,
        key === "extra" || SET_VARIABLES.has(key)
          ? `Pass '${key}' in the environment (for example extra: "" when no extra is being installed).`
          : "Evaluate markers against an interpreter's full marker environment.",
      );
    }
    return value;
  };
  const text = (value: MarkerValue): string => ("variable" in value ? value.variable : value.literal);
  let key: string;
  let lhs: EnvValue;
  let rhs: EnvValue;
  if ("variable" in marker.lhs) {
    key = marker.lhs.variable;
    lhs = lookup(key);
    rhs = text(marker.rhs);
  } else {
    key = text(marker.rhs);
    lhs = marker.lhs.literal;
    rhs = lookup(key);
  }
  if (typeof lhs !== "string") {
    throw evaluationError(
      root,
      `'${key}' is a set and can only be the right-hand side of 'in' / 'not in'`,
      `Write '"name" in ${key}'.`,
    );
  }
  if (SET_VARIABLES.has(key)) {
    lhs = normalizeName(lhs);
    rhs = typeof rhs === "string" ? normalizeName(rhs) : new Set([...rhs].map(normalizeName));
  }
  const op = marker.comparator;
  if (VERSION_VARIABLES.has(key) && typeof rhs === "string") {
    const spec = parseSingleSpecifier(op + rhs);
    if (spec !== null) return specifierContains(spec, lhs);
  }
  const result = compareStrings(lhs, op, rhs);
  if (result === null) {
    throw evaluationError(
      root,
      `Undefined comparison ${JSON.stringify(lhs)} ${op} ${describe(rhs)}: '${op}' needs PEP 440 versions on both sides`,
      "Use ==, !=, in or not in for values that are not versions.",
    );
  }
  return result;
}

function evaluateTree(marker: Marker, root: Marker, env: ReadonlyMap<string, EnvValue>): boolean {
  if (marker.op === "compare") return evaluateComparison(marker, root, env);
  // Both sides are always evaluated, as packaging does, so errors do not depend on order.
  const left = evaluateTree(marker.left, root, env);
  const right = evaluateTree(marker.right, root, env);
  return marker.op === "and" ? left && right : left || right;
}

/** The environment as packaging prepares it: `extra` normalized, sets collected, `+` repaired. */
function prepareEnvironment(environment: MarkerEnvironmentInput): Map<string, EnvValue> {
  const env = new Map<string, EnvValue>();
  for (const [key, value] of Object.entries(environment as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    if (typeof value === "string") env.set(key, value);
    else if (typeof (value as Iterable<unknown>)[Symbol.iterator] === "function") {
      env.set(key, new Set([...(value as Iterable<unknown>)].map(String)));
    } else {
      throw new TypeError(`marker environment value for '${key}' must be a string or an iterable of strings`);
    }
  }
  const extra = env.get("extra");
  if (typeof extra === "string" && extra !== "") env.set("extra", normalizeName(extra));
  // platform.python_version() of an untagged CPython build ends in "+", which is not PEP 440.
  const full = env.get("python_full_version");
  if (typeof full === "string" && full.endsWith("+")) env.set("python_full_version", `${full}local`);
  return env;
}

/**
 * Evaluates `marker` (a tree or its text) in `environment`. Throws ERR_WW_INVALID_MARKER for
 * text that does not parse and ERR_WW_MARKER_EVALUATION for a variable missing from the
 * environment or a comparison packaging leaves undefined.
 */
export function evaluateMarker(marker: Marker | string, environment: MarkerEnvironmentInput): boolean {
  const tree = typeof marker === "string" ? parseMarker(marker) : marker;
  return evaluateTree(tree, tree, prepareEnvironment(environment));
}

