/**
 * The value of a quoted marker string. packaging evaluates the token with Python's
 * `ast.literal_eval`, so escapes are processed the way a Python (non-raw) string literal
 * processes them: `'\x41'` is "A", `'\d'` stays a backslash and "d". Reproduced here so marker
 * values agree byte for byte.
 */

/** Why a quoted string is not a valid Python string literal. */
export class LiteralProblem extends Error {}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function readHex(body: string, at: number, digits: number, escape: string): number {
  const hex = body.slice(at, at + digits);
  if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) throw new LiteralProblem(`truncated \\${escape} escape`);
  return Number.parseInt(hex, 16);
}

/**
 * Evaluates `token` (a quoted string including its quotes, as the tokenizer matched it).
 * Throws LiteralProblem where Python would raise (unterminated literal, bad `\x`/`\u`/`\U`
 * escapes, NUL, lone surrogates). Named escapes (`\N{...}`) need the Unicode name database,
 * which JavaScript lacks; they are rejected.
 */
export function evaluatePythonString(token: string): string {
  // Python's compile() translates \r\n and \r to \n before tokenizing.
  const body = token.slice(1, -1).replace(/\r\n?/g, "\n");
  if (body.includes("\0")) throw new LiteralProblem("source code string cannot contain null bytes");
  if (LONE_SURROGATE.test(body)) throw new LiteralProblem("surrogates not allowed");
  let out = "";
  let i = 0;
  while (i < body.length) {
    const ch = body[i]!;
    if (ch === "\n") throw new LiteralProblem("unterminated string literal");
    if (ch !== "\\") {
      out += ch;
      i += 1;
      continue;
    }
    const next = body[i + 1];
    // A backslash before the closing quote escapes it: the literal never ends.
    if (next === undefined) throw new LiteralProblem("unterminated string literal");
    if (next === "\n") {
      i += 2;
      continue;
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (next >= "0" && next <= "7") {
      const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out += String.fromCodePoint(Number.parseInt(octal, 8));
      i += 1 + octal.length;
    } else if (next === "x") {
      out += String.fromCodePoint(readHex(body, i + 2, 2, "xXX"));
      i += 4;
    } else if (next === "u") {
      out += String.fromCharCode(readHex(body, i + 2, 4, "uXXXX"));
      i += 6;
    } else if (next === "U") {
      const code = readHex(body, i + 2, 8, "UXXXXXXXX");
      if (code > 0x10ffff) throw new LiteralProblem("illegal Unicode character");
      out += String.fromCodePoint(code);
      i += 10;
    } else if (next === "N") {
      throw new LiteralProblem("named Unicode escapes (\\N{...}) are not supported");
    } else {
      out += "\\" + next;
      i += 2;
    }
  }
  return out;
}
