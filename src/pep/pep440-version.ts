/**
 * PEP 440 versions: parsing, normalization and ordering, matching `packaging` 26.2's `Version`.
 *
 * Numeric parts may be arbitrarily large. The public `number` fields are a convenience and lose
 * precision past 2^53; every comparison and every normalized string is computed from the exact
 * decimal digits, which are kept beside each parsed `Version` (see `exactOf`).
 */
import { WheelwrightError, type ErrorLocation } from "../errors.js";

export type PreLetter = "a" | "b" | "rc";

export interface Version {
  epoch: number;
  release: number[];
  pre: [PreLetter, number] | null;
  post: number | null;
  dev: number | null;
  /** Lower-cased local segment, numeric parts as numbers (`+Ubuntu-1` -> ["ubuntu", 1]). */
  local: (string | number)[] | null;
  /** The input string as given. */
  raw: string;
}

/** A local segment part with its exact value: digits (no leading zeros) or a lower-case label. */
export type ExactLocalPart = { kind: "num"; digits: string } | { kind: "str"; text: string };

/** Every numeric part of a version as exact decimal digits without leading zeros. */
export interface ExactVersion {
  epoch: string;
  release: string[];
  pre: [PreLetter, string] | null;
  post: string | null;
  dev: string | null;
  local: ExactLocalPart[] | null;
}

// Python's `str.isspace()` set, which is what `\s` and `str.strip()` use in `packaging`.
// JavaScript's `\s` differs (it has U+FEFF, lacks U+001C-U+001F and U+0085).
export const PY_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

// The `i` flag without `u` folds ASCII letters only, like packaging's `(?a:...)` groups.
const VERSION_RE = new RegExp(
  `^[${PY_SPACE}]*v?` +
    "(?:(\\d+)!)?" + // epoch
    "(\\d+(?:\\.\\d+)*)" + // release
    "(?:[._-]?(alpha|a|beta|b|preview|pre|c|rc)[._-]?(\\d+)?)?" + // pre-release
    "(?:-(\\d+)|[._-]?(post|rev|r)[._-]?(\\d+)?)?" + // post-release (or implicit `-N`)
    "(?:[._-]?(dev)[._-]?(\\d+)?)?" + // dev release
    "(?:\\+([a-z0-9]+(?:[._-][a-z0-9]+)*))?" + // local
    `[${PY_SPACE}]*$`,
  "i",
);

const PRE_SPELLINGS: Record<string, PreLetter> = {
  a: "a",
  alpha: "a",
  b: "b",
  beta: "b",
  c: "rc",
  rc: "rc",
  pre: "rc",
  preview: "rc",
};

// Derived data is kept on the objects under non-enumerable symbols: invisible to spreads, JSON
// and deep equality, and much faster than WeakMap lookups in sort-heavy code.
const EXACT = Symbol("pep440.exact");
const SORT_KEY = Symbol("pep440.sortKey");

function stash<T extends object>(target: T, key: symbol, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: false });
}

/** Strips leading zeros; "" and "000" become "0". */
function canonicalDigits(digits: string): string {
  const stripped = digits.replace(/^0+/, "");
  return stripped === "" ? "0" : stripped;
}

function toNumber(digits: string): number {
  return Number(digits);
}

function parseExact(v: string): ExactVersion | null {
  const m = VERSION_RE.exec(v);
  if (m === null) return null;
  const [, epoch, release, preL, preN, postN1, postL, postN2, devL, devN, local] = m;
  const postDigits = postN1 ?? (postL !== undefined ? (postN2 ?? "0") : undefined);
  return {
    epoch: canonicalDigits(epoch ?? "0"),
    release: (release as string).split(".").map(canonicalDigits),
    pre: preL === undefined ? null : [PRE_SPELLINGS[preL.toLowerCase()] as PreLetter, canonicalDigits(preN ?? "0")],
    post: postDigits === undefined ? null : canonicalDigits(postDigits),
    dev: devL === undefined ? null : canonicalDigits(devN ?? "0"),
    local:
      local === undefined
        ? null
        : local
            .split(/[._-]/)
            .map((part): ExactLocalPart =>
              /^\d+$/.test(part) ? { kind: "num", digits: canonicalDigits(part) } : { kind: "str", text: part.toLowerCase() },
            ),
  };
}

function fromExact(exact: ExactVersion, raw: string): Version {
  const version: Version = {
    epoch: toNumber(exact.epoch),
    release: exact.release.map(toNumber),
    pre: exact.pre === null ? null : [exact.pre[0], toNumber(exact.pre[1])],
    post: exact.post === null ? null : toNumber(exact.post),
    dev: exact.dev === null ? null : toNumber(exact.dev),
    local: exact.local === null ? null : exact.local.map((p) => (p.kind === "num" ? toNumber(p.digits) : p.text)),
    raw,
  };
  stash(version, EXACT, exact);
  return version;
}

function numberDigits(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new Error(`version part must be a non-negative integer, got ${n}`);
  return BigInt(n).toString();
}

/**
 * The exact parts of a version. Versions made by `parse` carry them; a hand-built or copied
 * object falls back to re-parsing `raw` when a field is past 2^53, else to its number fields.
 */
export function exactOf(v: Version): ExactVersion {
  const known = (v as { [EXACT]?: ExactVersion })[EXACT];
  if (known !== undefined) return known;
  const numbers = [v.epoch, ...v.release, v.pre?.[1] ?? 0, v.post ?? 0, v.dev ?? 0];
  for (const part of v.local ?? []) if (typeof part === "number") numbers.push(part);
  if (numbers.some((n) => !Number.isSafeInteger(n))) {
    const reparsed = typeof v.raw === "string" ? parseExact(v.raw) : null;
    if (reparsed !== null) return reparsed;
  }
  const exact: ExactVersion = {
    epoch: numberDigits(v.epoch),
    release: v.release.map(numberDigits),
    pre: v.pre === null ? null : [v.pre[0], numberDigits(v.pre[1])],
    post: v.post === null ? null : numberDigits(v.post),
    dev: v.dev === null ? null : numberDigits(v.dev),
    local:
      v.local === null
        ? null
        : v.local.map((p): ExactLocalPart => (typeof p === "number" ? { kind: "num", digits: numberDigits(p) } : { kind: "str", text: p })),
  };
  if (Object.isExtensible(v)) stash(v, EXACT, exact);
  return exact;
}

function invalidVersionHint(v: string): string {
  const trimmed = v.trim();
  if (trimmed === "") return "The version is empty; PEP 440 versions look like 1.2.3, 2.0rc1 or 1!1.0.post2.dev3+local.1.";
  if (/^(===|~=|==|!=|<=|>=|<|>)/.test(trimmed)) return "This looks like a version specifier (with an operator), not a version.";
  if (trimmed.includes("*")) return "Wildcards belong in specifiers (==1.*), not in versions.";
  if (/[^\x00-\x7f]/.test(trimmed)) return "PEP 440 versions are ASCII only.";
  return "PEP 440 versions look like [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], e.g. 1.2.3, 2.0rc1, 1!1.0.post2.dev3+ubuntu.1.";
}

/** Parses a PEP 440 version; throws ERR_WW_INVALID_VERSION (with a hint) when it is not one. */
export function parse(v: string, location: ErrorLocation = {}): Version {
  const exact = typeof v === "string" ? parseExact(v) : null;
  if (exact === null) {
    throw new WheelwrightError("ERR_WW_INVALID_VERSION", `Invalid version: ${JSON.stringify(v)} is not a PEP 440 version`, {
      ...location,
      hint: invalidVersionHint(String(v)),
    });
  }
  return fromExact(exact, v);
}

/** Like `parse`, but returns null instead of throwing. */
export function tryParse(v: string): Version | null {
  const exact = typeof v === "string" ? parseExact(v) : null;
  return exact === null ? null : fromExact(exact, v);
}

function toVersion(v: string | Version): Version {
  return typeof v === "string" ? parse(v) : v;
}

/** The canonical text of exact parts (what `normalize` returns). */
export function formatExact(e: ExactVersion): string {
  let s = e.release.join(".");
  if (e.epoch !== "0") s = `${e.epoch}!${s}`;
  if (e.pre !== null) s += `${e.pre[0]}${e.pre[1]}`;
  if (e.post !== null) s += `.post${e.post}`;
  if (e.dev !== null) s += `.dev${e.dev}`;
  if (e.local !== null) s += `+${e.local.map((p) => (p.kind === "num" ? p.digits : p.text)).join(".")}`;
  return s;
}

/** The canonical form, as `str(Version(v))`: "1.0.0-RC1" -> "1.0.0rc1", "v1.0-1" -> "1.0.post1". */
export function normalize(v: string | Version): string {
  return formatExact(exactOf(toVersion(v)));
}

/** The version without its local segment, normalized ("1.0+abc" -> "1.0"). */
export function publicVersion(v: string | Version): string {
  return formatExact({ ...exactOf(toVersion(v)), local: null });
}

/** Epoch and release only: "1!2.0.post1" -> "1!2.0" (the epoch only when non-zero). */
export function baseVersion(v: Version): string {
  const e = exactOf(v);
  return e.epoch === "0" ? e.release.join(".") : `${e.epoch}!${e.release.join(".")}`;
}

/** A pre-release or a development release. */
export function isPrerelease(v: Version): boolean {
  return v.pre !== null || v.dev !== null;
}

export function isPostrelease(v: Version): boolean {
  return v.post !== null;
}

export function isDevrelease(v: Version): boolean {
  return v.dev !== null;
}

/** Compares two canonical digit strings numerically. */
export function compareDigits(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

// Ranks mirror packaging's sort key: a dev-only release sorts before a < b < rc < final.
const PRE_RANK: Record<PreLetter, number> = { a: 0, b: 1, rc: 2 };

/** packaging's `_cmpkey`, with numbers kept as canonical digit strings. */
interface SortKey {
  epoch: string;
  /** Release without trailing zeros, so 1.0.0 sorts equal to 1. */
  release: string[];
  preRank: number;
  preN: string;
  postRank: number;
  postN: string;
  devRank: number;
  devN: string;
  local: ExactLocalPart[] | null;
}

function sortKeyOf(e: ExactVersion): SortKey {
  let key = (e as { [SORT_KEY]?: SortKey })[SORT_KEY];
  if (key !== undefined) return key;
  let end = e.release.length;
  while (end > 0 && e.release[end - 1] === "0") end--;
  key = {
    epoch: e.epoch,
    release: end === e.release.length ? e.release : e.release.slice(0, end),
    preRank: e.pre !== null ? PRE_RANK[e.pre[0]] : e.post === null && e.dev !== null ? -1 : 3,
    preN: e.pre !== null ? e.pre[1] : "0",
    postRank: e.post === null ? 0 : 1,
    postN: e.post ?? "0",
    devRank: e.dev === null ? 1 : 0,
    devN: e.dev ?? "0",
    local: e.local,
  };
  if (Object.isExtensible(e)) stash(e, SORT_KEY, key);
  return key;
}

function compareNumbers(a: number, b: number): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareLocal(a: ExactLocalPart[] | null, b: ExactLocalPart[] | null): -1 | 0 | 1 {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as ExactLocalPart;
    const y = b[i] as ExactLocalPart;
    // Labels sort before numbers; labels compare as strings, numbers numerically.
    if (x.kind !== y.kind) return x.kind === "str" ? -1 : 1;
    let c: -1 | 0 | 1;
    if (x.kind === "num") c = compareDigits(x.digits, (y as { digits: string }).digits);
    else {
      const yt = (y as { text: string }).text;
      c = x.text < yt ? -1 : x.text > yt ? 1 : 0;
    }
    if (c !== 0) return c;
  }
  return compareNumbers(a.length, b.length);
}

/** Orders exact versions the way packaging's `_cmpkey` does. */
export function compareExact(a: ExactVersion, b: ExactVersion): -1 | 0 | 1 {
  const ka = sortKeyOf(a);
  const kb = sortKeyOf(b);
  let c = compareDigits(ka.epoch, kb.epoch);
  if (c !== 0) return c;
  const n = Math.min(ka.release.length, kb.release.length);
  for (let i = 0; i < n; i++) {
    c = compareDigits(ka.release[i] as string, kb.release[i] as string);
    if (c !== 0) return c;
  }
  if (ka.release.length !== kb.release.length) return compareNumbers(ka.release.length, kb.release.length);
  return (
    compareNumbers(ka.preRank, kb.preRank) ||
    compareDigits(ka.preN, kb.preN) ||
    compareNumbers(ka.postRank, kb.postRank) ||
    compareDigits(ka.postN, kb.postN) ||
    compareNumbers(ka.devRank, kb.devRank) ||
    compareDigits(ka.devN, kb.devN) ||
    compareLocal(ka.local, kb.local)
  );
}

/** PEP 440 ordering: -1 when a < b, 0 when equal (e.g. "1.0" and "1.0.0"), 1 when a > b. */
export function compare(a: string | Version, b: string | Version): -1 | 0 | 1 {
  return compareExact(exactOf(toVersion(a)), exactOf(toVersion(b)));
}
