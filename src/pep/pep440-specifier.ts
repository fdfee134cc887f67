/**
 * PEP 440 version specifiers, matching `packaging` 26.2's `Specifier` / `SpecifierSet`
 * (`contains` and `filter`), including its handling of pre-releases and of `===`.
 */
import { WheelwrightError, type ErrorLocation } from "../errors.js";
import {
  PY_SPACE,
  compareExact,
  exactOf,
  formatExact,
  isPrerelease,
  normalize,
  tryParse,
  type ExactVersion,
  type Version,
} from "./pep440-version.js";

export type SpecifierOperator = "~=" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "===";

/** One clause; `version` is the text after the operator, trimmed but not normalized. */
export interface Specifier {
  operator: SpecifierOperator;
  version: string;
}

export type SpecifierSet = Specifier[];

export interface SatisfiesOptions {
  /**
   * true: pre-releases may match; false: they never match. Left out, packaging 26.2's
   * `contains` default applies, under which a matching pre-release is accepted.
   */
  prereleases?: boolean;
}

const WS = `[${PY_SPACE}]*`;
const PRE = "(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?\\d*)?";
const POST = "(?:-\\d+|[-_.]?(?:post|rev|r)[-_.]?\\d*)?";
const DEV = "(?:[-_.]?dev[-_.]?\\d*)?";
const LOCAL = "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?";

// Mirrors packaging's specifier grammar. The `i` flag without `u` folds ASCII only; packaging's
// `~=` branch also folds a few non-ASCII letters (e.g. U+017F in "poſt") and then crashes
// when used, so rejecting those here is deliberate.
const SPECIFIER_RE = new RegExp(
  `^${WS}(?:` +
    `===${WS}[^${PY_SPACE};)]*` +
    `|(?:==|!=)${WS}v?(?:\\d+!)?\\d+(?:\\.\\d+)*(?:\\.\\*|${PRE}${POST}${DEV}${LOCAL})` +
    `|~=${WS}v?(?:\\d+!)?\\d+(?:\\.\\d+)+${PRE}${POST}${DEV}` +
    `|(?:<=|>=|<|>)${WS}v?(?:\\d+!)?\\d+(?:\\.\\d+)*${PRE}${POST}${DEV}` +
    `)${WS}$`,
  "i",
);

const TRIM_RE = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, "g");

/** Python's `str.strip()` (its whitespace set differs from JavaScript's `trim`). */
function pyStrip(s: string): string {
  return s.replace(TRIM_RE, "");
}

function invalidSpecifierHint(spec: string): string {
  const s = pyStrip(spec);
  if (s === "") return "The specifier is empty.";
  if (/^[v\d]/i.test(s)) return `Add an operator, e.g. "==${s}" or ">=${s}".`;
  if (/^=[^=]/.test(s)) return `Use "==" for equality: "=${s}".`;
  const m = /^(===|~=|==|!=|<=|>=|<|>)(.*)$/s.exec(s);
  if (m === null) return "A specifier is an operator (~=, ==, !=, <=, >=, <, >, ===) followed by a version, e.g. >=1.2,<2.";
  const op = m[1] as string;
  const version = pyStrip(m[2] as string);
  if (version === "") return `"${op}" needs a version after it.`;
  if (version.endsWith(".*")) {
    if (op !== "==" && op !== "!=") return `Wildcards (.*) are only allowed with == and !=, not ${op}.`;
    return "A wildcard must follow the release segment directly, e.g. ==1.2.* (no pre/post/dev/local part).";
  }
  if (version.includes("+") && op !== "==" && op !== "!=") return `Local versions (+...) are only allowed with ==, != and ===, not ${op}.`;
  if (op === "~=" && /^v?(?:\d+!)?\d+(?![.\d])/i.test(version)) return `"~=" needs at least two release segments, e.g. ~=${version}.0.`;
  if (tryParse(version) === null) return `"${version}" is not a PEP 440 version (e.g. 1.2.3, 2.0rc1, 1.0.post1).`;
  return "A specifier is an operator (~=, ==, !=, <=, >=, <, >, ===) followed by a version, e.g. >=1.2,<2.";
}

/** A validated clause with its version pre-parsed (null for `===` with a non-PEP 440 string). */
interface CompiledSpecifier extends Specifier {
  wildcard: boolean;
  parsed: Version | null;
  /** For `==V.*`, `!=V.*` and `~=`: the split prefix candidates are matched against. */
  prefix: string[] | null;
}

const compiledCache = new Map<string, CompiledSpecifier>();

function compileSpecifier(text: string, location: ErrorLocation, whole: string): CompiledSpecifier {
  const cached = compiledCache.get(text);
  if (cached !== undefined) return cached;
  if (!SPECIFIER_RE.test(text)) {
    const where = whole === text ? "" : ` in ${JSON.stringify(whole)}`;
    throw new WheelwrightError("ERR_WW_INVALID_SPECIFIER", `Invalid specifier: ${JSON.stringify(text)}${where}`, {
      ...location,
      hint: invalidSpecifierHint(text),
    });
  }
  const s = pyStrip(text);
  const opLength = s.startsWith("===") ? 3 : /^(~=|==|!=|<=|>=)/.test(s) ? 2 : 1;
  const operator = s.slice(0, opLength) as SpecifierOperator;
  const version = pyStrip(s.slice(opLength));
  const wildcard = operator !== "===" && version.endsWith(".*");
  const parsed = tryParse(wildcard ? version.slice(0, -2) : version);
  // The grammar only admits PEP 440 versions outside `===`; this guards that invariant.
  if (parsed === null && operator !== "===") throw new Error(`specifier grammar admitted a non-PEP 440 version: ${text}`);
  const prefixBase = wildcard ? version.slice(0, -2) : operator === "~=" ? compatiblePrefix(version) : null;
  const compiled: CompiledSpecifier = { operator, version, wildcard, parsed, prefix: prefixBase === null ? null : prefixSplit(prefixBase) };
  if (compiledCache.size > 10_000) compiledCache.clear();
  compiledCache.set(text, compiled);
  return compiled;
}

/** Parses one clause such as ">= 1.0"; throws ERR_WW_INVALID_SPECIFIER. */
export function parseSpecifier(s: string, location: ErrorLocation = {}): Specifier {
  const { operator, version } = compileSpecifier(s, location, s);
  return { operator, version };
}

const setCache = new Map<string, CompiledSpecifier[]>();

function compileSet(s: string, location: ErrorLocation): CompiledSpecifier[] {
  const cached = setCache.get(s);
  if (cached !== undefined) return cached;
  const out: CompiledSpecifier[] = [];
  for (const item of s.split(",")) {
    const stripped = pyStrip(item);
    if (stripped !== "") out.push(compileSpecifier(stripped, location, s));
  }
  if (setCache.size > 10_000) setCache.clear();
  setCache.set(s, out);
  return out;
}

/** Parses a comma-separated specifier set ("" -> []); empty items are skipped, as packaging does. */
export function parseSpecifierSet(s: string, location: ErrorLocation = {}): SpecifierSet {
  return compileSet(s, location).map(({ operator, version }) => ({ operator, version }));
}

export function formatSpecifier(s: Specifier): string {
  return `${s.operator}${s.version}`;
}

/** Orders by code point, like Python's `str` comparison (UTF-16 order differs past U+FFFF). */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = (x.value as string).codePointAt(0) as number;
    const cy = (y.value as string).codePointAt(0) as number;
    if (cx !== cy) return cx - cy;
  }
}

/** The identity packaging uses for equality: "==1.0" and "== 1.0.0" are the same clause. */
function canonicalKey(s: CompiledSpecifier): string {
  if (s.operator === "===" || s.wildcard || s.parsed === null) return `${s.operator}${s.version}`;
  const exact = exactOf(s.parsed);
  let end = exact.release.length;
  // `~=` keeps trailing zeros: ~=1.0 and ~=1.0.0 mean different ranges.
  if (s.operator !== "~=") while (end > 1 && exact.release[end - 1] === "0") end--;
  return `${s.operator}${formatExact({ ...exact, release: exact.release.slice(0, end) })}`;
}

/** Like `str(SpecifierSet)`: clauses sorted by their text, equivalent duplicates dropped. */
export function formatSpecifierSet(s: SpecifierSet): string {
  const compiled = compileList(s);
  const sorted = compiled
    .map((c) => ({ c, text: formatSpecifier(c) }))
    .sort((x, y) => compareCodePoints(x.text, y.text));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const { c, text } of sorted) {
    const key = canonicalKey(c);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(text);
  }
  return out.join(",");
}

function compileList(s: SpecifierSet): CompiledSpecifier[] {
  return s.map((spec) => {
    const text = formatSpecifier(spec);
    return compileSpecifier(text, {}, text);
  });
}

// --- matching ---------------------------------------------------------------------------------

function withParts(e: ExactVersion, parts: Partial<ExactVersion>): ExactVersion {
  return { ...e, ...parts };
}

/** packaging's `_version_split`: epoch, then dot items, "1a1"-style items cut in two. */
function versionSplit(version: string): string[] {
  const bang = version.lastIndexOf("!");
  const epoch = bang === -1 ? "" : version.slice(0, bang);
  const result = [epoch === "" ? "0" : epoch];
  for (const item of version.slice(bang + 1).split(".")) {
    const m = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    if (m !== null) result.push(m[1] as string, m[2] as string);
    else result.push(item);
  }
  return result;
}

function numericPrefixLength(split: string[]): number {
  let n = 0;
  while (n < split.length && /^[0-9]+$/.test(split[n] as string)) n++;
  return n;
}

function formatExactPublic(e: ExactVersion): string {
  return formatExact(withParts(e, { local: null }));
}

/** packaging's `_get_wildcard_split` input: the prefix text, normalized when it is a version. */
function prefixSplit(specBase: string): string[] {
  const parsedBase = tryParse(specBase);
  return versionSplit(parsedBase === null ? specBase : normalize(parsedBase));
}

/**
 * Prefix matching as packaging does it, on strings: the candidate's public version is split,
 * zero-padded to the prefix's numeric length, cut to the prefix's length and compared.
 */
function prefixMatches(candidate: ExactVersion, splitSpec: string[]): boolean {
  const wanted = numericPrefixLength(splitSpec);
  const split = versionSplit(formatExactPublic(candidate));
  const have = numericPrefixLength(split);
  const padded = wanted > have ? [...split.slice(0, have), ...Array<string>(wanted - have).fill("0"), ...split.slice(have)] : split;
  if (padded.length < splitSpec.length) return false;
  for (let i = 0; i < splitSpec.length; i++) if (padded[i] !== splitSpec[i]) return false;
  return true;
}

const SUFFIX_PREFIXES = ["dev", "a", "b", "rc", "post"];

/** The prefix `~=V` implies, derived from V's raw text exactly as packaging derives it. */
function compatiblePrefix(specVersion: string): string {
  const items: string[] = [];
  for (const item of versionSplit(specVersion)) {
    if (SUFFIX_PREFIXES.some((p) => item.startsWith(p))) break;
    items.push(item);
  }
  const kept = items.slice(0, -1);
  return `${kept[0]}!${kept.slice(1).join(".")}`;
}

function matchesOperator(candidate: Version, spec: CompiledSpecifier): boolean {
  const c = exactOf(candidate);
  const v = exactOf(spec.parsed as Version);
  const pub = withParts(c, { local: null });
  switch (spec.operator) {
    case "==":
    case "!=": {
      const equal = spec.wildcard
        ? prefixMatches(c, spec.prefix as string[])
        : compareExact(v.local === null ? pub : c, v) === 0;
      return spec.operator === "==" ? equal : !equal;
    }
    case "<=":
      return compareExact(pub, v) <= 0;
    case ">=":
      return compareExact(pub, v) >= 0;
    case "<": {
      if (compareExact(c, v) >= 0) return false;
      // "<V" must not admit a pre-release of V itself unless V is a pre-release.
      const specIsPre = v.pre !== null || v.dev !== null;
      const candIsPre = c.pre !== null || c.dev !== null;
      return specIsPre || !candIsPre || compareExact(c, withParts(v, { dev: "0", local: null })) < 0;
    }
    case ">": {
      if (compareExact(c, v) <= 0) return false;
      // ">V" must not admit a post-release of V (unless V is one) nor a local version of V.
      if (v.post === null && c.post !== null && compareExact(withParts(c, { post: null, dev: null, local: null }), v) === 0) return false;
      return !(c.local !== null && compareExact(pub, v) === 0);
    }
    case "~=":
      return compareExact(pub, v) >= 0 && prefixMatches(c, spec.prefix as string[]);
    case "===":
      throw new Error("=== is matched on text, not here");
  }
}

/** Whether one candidate matches every clause; pre-release policy applied by the caller. */
function matchesAll(set: CompiledSpecifier[], parsed: Version | null, text: string, allowPre: boolean): boolean {
  if (parsed === null) {
    // Only `===` can match a string that is not a PEP 440 version.
    return set.every((s) => s.operator === "===" && text.toLowerCase() === s.version.toLowerCase());
  }
  if (!allowPre && isPrerelease(parsed)) return false;
  return set.every((s) => (s.operator === "===" ? text.toLowerCase() === s.version.toLowerCase() : matchesOperator(parsed, s)));
}

function resolveSet(specifiers: string | SpecifierSet): CompiledSpecifier[] {
  return typeof specifiers === "string" ? compileSet(specifiers, {}) : compileList(specifiers);
}

/** The text `===` compares: a string as given, a parsed version in normalized form. */
function candidateText(version: string | Version): string {
  return typeof version === "string" ? version : normalize(version);
}

/**
 * packaging's `SpecifierSet.prereleases`: true when a clause names a pre-release (other than
 * through != or a wildcard), otherwise null (undecided). Never false: only a caller decides that.
 */
export function allowsPrereleases(specifiers: string | SpecifierSet): true | null {
  return compiledAllowsPrereleases(resolveSet(specifiers));
}

function compiledAllowsPrereleases(set: CompiledSpecifier[]): true | null {
  for (const s of set) {
    if (s.operator === "!=" || s.wildcard || s.parsed === null) continue;
    if (isPrerelease(s.parsed)) return true;
  }
  return null;
}

/**
 * `SpecifierSet(specifiers).contains(version, prereleases)` from packaging 26.2. An empty set
 * contains everything. A string that is not PEP 440 matches only `===` clauses (compared
 * case-insensitively with the string as given) or an empty set; it never throws.
 */
export function satisfies(version: string | Version, specifiers: string | SpecifierSet, options: SatisfiesOptions = {}): boolean {
  const set = resolveSet(specifiers);
  const parsed = typeof version === "string" ? tryParse(version) : version;
  if (set.length === 0) return options.prereleases !== false || parsed === null || !isPrerelease(parsed);
  return matchesAll(set, parsed, candidateText(version), options.prereleases !== false);
}

/**
 * `SpecifierSet(specifiers).filter(versions, prereleases)` from packaging 26.2, order kept.
 * Left undecided, pre-releases are dropped whenever a final release (or a non-PEP 440 string)
 * also matches, unless a clause names a pre-release; if only pre-releases match, they stay.
 */
export function filterVersions<T extends string | Version>(
  versions: readonly T[],
  specifiers: string | SpecifierSet,
  options: SatisfiesOptions = {},
): T[] {
  const set = resolveSet(specifiers);
  const prereleases = options.prereleases ?? (set.length === 0 ? null : compiledAllowsPrereleases(set));
  const candidates = versions.map((v) => ({ v, parsed: typeof v === "string" ? tryParse(v) : (v as Version) }));
  const matched = set.length === 0 ? candidates.filter(({ parsed }) => prereleases !== false || parsed === null || !isPrerelease(parsed)) : candidates.filter(({ v, parsed }) => matchesAll(set, parsed, candidateText(v), prereleases !== false));
  if (prereleases !== null) return matched.map(({ v }) => v);
  const hasFinal = matched.some(({ parsed }) => parsed !== null && !isPrerelease(parsed));
  return (hasFinal ? matched.filter(({ parsed }) => parsed === null || !isPrerelease(parsed)) : matched).map(({ v }) => v);
}
