/**
 * The context-sensitive tokenizer behind PEP 508 requirements and markers. Its token rules
 * reproduce those of `packaging` 26.2 (`_tokenizer.py`) exactly, including the parts that come
 * from Python's `re` module and differ from JavaScript regexes:
 *  - `\b` and `\w` are Unicode-aware in Python (letters and numbers of any script, and `_`);
 *  - `\s` is Python's `str.isspace()` set (it has U+001C..U+001F and U+0085, not U+FEFF);
 *  - `$` also matches just before a final "\n";
 *  - the specifier rule is case-insensitive with Unicode folding (`ı`/`İ` fold to `i`, `ſ` to
 *    `s`) except inside its `(?a:...)` groups, which fold ASCII only.
 */

/** A parse failure at a span of the source; turned into a WheelwrightError by the callers. */
export class SyntaxProblem extends Error {
  constructor(
    readonly reason: string,
    readonly source: string,
    readonly span: [number, number],
  ) {
    super(reason);
    this.name = "SyntaxProblem";
  }

  /** `reason`, the source, and a `~~~^` line under the offending span (as packaging prints it). */
  render(): string {
    const [start, end] = this.span;
    return `${this.reason}\n    ${this.source}\n    ${" ".repeat(start)}${"~".repeat(Math.max(0, end - start))}^`;
  }
}

const WORD = String.raw`[\p{L}\p{N}_]`;
const WORD_START = `(?<!${WORD})`;
const WORD_END = `(?!${WORD})`;
/** Python's `\b` where the preceding matched character may or may not be a word character. */
const BOUNDARY = `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;
/** Python's `\s` for str patterns (`str.isspace()`). */
export const PY_SPACE = String.raw`[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]`;
const PY_NOT_SPACE_SEMI_PAREN = String.raw`[^\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000;)]`;

/** Case-insensitive spelling of an ASCII word, with Python's Unicode folding when `unicode`. */
function ci(word: string, unicode: boolean): string {
  let out = "";
  for (const ch of word) {
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    if (lower === upper) {
      out += ch;
      continue;
    }
    let extra = "";
    if (unicode && lower === "i") extra = "\u0130\u0131";
    if (unicode && lower === "s") extra = "\u017f";
    if (unicode && lower === "k") extra = "\u212a";
    out += `[${lower}${upper}${extra}]`;
  }
  return out;
}

function alternatives(words: string[], unicode: boolean): string {
  return `(?:${words.map((w) => ci(w, unicode)).join("|")})`;
}

const SEP = "[-_.]";
const PRE_WORDS = ["alpha", "beta", "preview", "pre", "a", "b", "c", "rc"];
const POST_WORDS = ["post", "rev", "r"];

function preRelease(unicode: boolean): string {
  return `(?:${SEP}?${alternatives(PRE_WORDS, unicode)}${SEP}?[0-9]*)?`;
}
function postRelease(unicode: boolean): string {
  return `(?:(?:-[0-9]+)|(?:${SEP}?${alternatives(POST_WORDS, unicode)}${SEP}?[0-9]*))?`;
}
function devRelease(unicode: boolean): string {
  return `(?:${SEP}?${ci("dev", unicode)}${SEP}?[0-9]*)?`;
}

const V = ci("v", true);
const EPOCH = "(?:[0-9]+!)?";
const LOCAL = `(?:\\+[a-zA-Z0-9]+(?:${SEP}[a-zA-Z0-9]+)*)?`;

/** `packaging.specifiers.Specifier._specifier_regex_str`, flags VERBOSE | IGNORECASE. */
export const SPECIFIER_BODY =
  "(?:" +
  `(?:===${PY_SPACE}*${PY_NOT_SPACE_SEMI_PAREN}*)` +
  `|(?:(?:==|!=)${PY_SPACE}*${V}?${EPOCH}[0-9]+(?:\\.[0-9]+)*` +
  `(?:\\.\\*|${preRelease(false)}${postRelease(false)}${devRelease(false)}${LOCAL})?)` +
  `|(?:~=${PY_SPACE}*${V}?${EPOCH}[0-9]+(?:\\.[0-9]+)+${preRelease(true)}${postRelease(true)}${devRelease(true)})` +
  `|(?:(?:<=|>=|<|>)${PY_SPACE}*${V}?${EPOCH}[0-9]+(?:\\.[0-9]+)*${preRelease(false)}${postRelease(false)}${devRelease(false)})` +
  ")";

const SINGLE_SPECIFIER = new RegExp(`^${PY_SPACE}*${SPECIFIER_BODY}${PY_SPACE}*$`, "u");
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, "gu");

/** `Specifier(spec)` split into operator and version, or null when it is not a valid specifier. */
export function parseSingleSpecifier(spec: string): { operator: string; version: string } | null {
  if (!SINGLE_SPECIFIER.test(spec)) return null;
  const text = spec.replace(PY_STRIP, "");
  const width = text.startsWith("===") ? 3 : /^(?:~=|==|!=|<=|>=)/.test(text) ? 2 : 1;
  return { operator: text.slice(0, width), version: text.slice(width).replace(PY_STRIP, "") };
}

export type TokenName =
  | "LEFT_PARENTHESIS"
  | "RIGHT_PARENTHESIS"
  | "LEFT_BRACKET"
  | "RIGHT_BRACKET"
  | "SEMICOLON"
  | "COMMA"
  | "QUOTED_STRING"
  | "OP"
  | "BOOLOP"
  | "IN"
  | "NOT"
  | "VARIABLE"
  | "SPECIFIER"
  | "AT"
  | "URL"
  | "IDENTIFIER"
  | "VERSION_PREFIX_TRAIL"
  | "VERSION_LOCAL_LABEL_TRAIL"
  | "WS"
  | "END";

const VARIABLES = [
  "python_version",
  "python_full_version",
  "os[._]name",
  "sys[._]platform",
  "platform_(?:release|system)",
  "platform[._](?:version|machine|python_implementation)",
  "python_implementation",
  "implementation_(?:name|version)",
  "extras?",
  "dependency_groups",
];

function sticky(pattern: string): RegExp {
  return new RegExp(pattern, "uy");
}

const RULES: Record<Exclude<TokenName, "END">, RegExp> = {
  LEFT_PARENTHESIS: sticky(String.raw`\(`),
  RIGHT_PARENTHESIS: sticky(String.raw`\)`),
  LEFT_BRACKET: sticky(String.raw`\[`),
  RIGHT_BRACKET: sticky(String.raw`\]`),
  SEMICOLON: sticky(";"),
  COMMA: sticky(","),
  QUOTED_STRING: sticky(`(?:'[^']*'|"[^"]*")`),
  OP: sticky("(?:===|==|~=|!=|<=|>=|<|>)"),
  BOOLOP: sticky(`${WORD_START}(?:or|and)${WORD_END}`),
  IN: sticky(`${WORD_START}in${WORD_END}`),
  NOT: sticky(`${WORD_START}not${WORD_END}`),
  VARIABLE: sticky(`${WORD_START}(?:${VARIABLES.join("|")})${WORD_END}`),
  SPECIFIER: sticky(SPECIFIER_BODY),
  AT: sticky("@"),
  URL: sticky("[^ \\t]+"),
  IDENTIFIER: sticky(`${WORD_START}[a-zA-Z0-9][a-zA-Z0-9._-]*${BOUNDARY}`),
  VERSION_PREFIX_TRAIL: sticky(String.raw`\.\*`),
  VERSION_LOCAL_LABEL_TRAIL: sticky(String.raw`\+[a-z0-9]+(?:[-_.][a-z0-9]+)*`),
  WS: sticky("[ \\t]+"),
};

export interface Token {
  name: TokenName;
  text: string;
  position: number;
}

/**
 * Reads tokens on demand, each kind only where the grammar asks for it (a URL and an
 * identifier overlap, so the parser says which it expects). Mirrors packaging's Tokenizer:
 * `check` loads a token that must then be `read`; `peek` only looks.
 */
export class Tokenizer {
  position = 0;
  private next: Token | null = null;

  constructor(readonly source: string) {}

  /** Python's `re.match(r"$", source, pos)`: at the end, or before a final newline. */
  private matchEnd(): string | null {
    const rest = this.source.length - this.position;
    return rest === 0 || (rest === 1 && this.source[this.position] === "\n") ? "" : null;
  }

  private match(name: TokenName): string | null {
    if (name === "END") return this.matchEnd();
    const rule = RULES[name];
    rule.lastIndex = this.position;
    const m = rule.exec(this.source);
    return m === null ? null : m[0];
  }

  check(name: TokenName, peek = false): boolean {
    if (this.next !== null) throw new Error(`Cannot check for ${name}, already have ${this.next.name}`);
    const text = this.match(name);
    if (text === null) return false;
    if (!peek) this.next = { name, text, position: this.position };
    return true;
  }

  consume(name: TokenName): void {
    if (this.check(name)) this.read();
  }

  expect(name: TokenName, expected: string): Token {
    if (!this.check(name)) this.fail(`Expected ${expected}`);
    return this.read();
  }

  read(): Token {
    const token = this.next;
    if (token === null) throw new Error("read() without a checked token");
    this.position += token.text.length;
    this.next = null;
    return token;
  }

  fail(reason: string, spanStart?: number, spanEnd?: number): never {
    throw new SyntaxProblem(reason, this.source, [spanStart ?? this.position, spanEnd ?? this.position]);
  }

  /**
   * Runs `body` inside optional `open` … `close` tokens: when `open` is present the matching
   * `close` is required afterwards.
   */
  enclosed<T>(open: TokenName, close: TokenName, around: string, body: () => T): T {
    let openPosition: number | null = null;
    if (this.check(open)) {
      openPosition = this.position;
      this.read();
    }
    const result = body();
    if (openPosition === null) return result;
    if (!this.check(close)) this.fail(`Expected matching ${close} for ${open}, after ${around}`, openPosition);
    this.read();
    return result;
  }
}
