/**
 * PEP 508 environment markers: the tree type, the parser and the formatter. The grammar and
 * the printed form follow `packaging` 26.2 (`Marker`, `str(Marker)`). Where we deliberately
 * differ (extra normalized inside parentheses, parentheses kept where the meaning needs them,
 * literals escaped so they read back, `\N{...}` rejected) is argued in the exceptions table
 * of test/pep/pep508.test.ts.
 */
import { WheelwrightError } from "../errors.js";
import { normalizeName } from "./names.js";
import { LiteralProblem, evaluatePythonString } from "./python-literal.js";
import { SyntaxProblem, Tokenizer } from "./pep508-tokenizer.js";

/** A variable name as it appears after aliasing, e.g. "python_version", "extra", "extras". */
export type MarkerVariable = string;

export type MarkerValue = { variable: MarkerVariable } | { literal: string };

/**
 * A parsed marker. `and` binds tighter than `or`; chains are left-associative. `parenthesized`
 * records a group the source wrapped in one pair of parentheses (it only affects printing,
 * where packaging keeps such groups); the formatter adds parentheses wherever the tree needs
 * them regardless.
 */
export type Marker =
  | { op: "and" | "or"; left: Marker; right: Marker; parenthesized?: boolean }
  | { op: "compare"; lhs: MarkerValue; comparator: string; rhs: MarkerValue };

/** Where a marker or requirement string came from, for error locations. */
export interface SourceLocation {
  file?: string;
  line?: number;
  package?: string;
}

const MARKER_HINT =
  'A marker compares a variable with a quoted string, e.g. python_version >= "3.9" and sys_platform == "linux".';

/** Turns a tokenizer or literal failure into the user-facing error with location and caret. */
export function toWheelwrightError(
  problem: SyntaxProblem,
  code: "ERR_WW_INVALID_MARKER" | "ERR_WW_INVALID_REQUIREMENT",
  hint: string,
  where: SourceLocation | undefined,
): WheelwrightError {
  return new WheelwrightError(code, problem.render(), {
    ...where,
    column: problem.span[0] + 1,
    hint,
    cause: problem,
    details: { source: problem.source, span: problem.span, reason: problem.reason },
  });
}

/** Canonical variable name for the spellings packaging accepts (`os.name`, `python_implementation`). */
function canonicalVariable(text: string): MarkerVariable {
  const name = text.replaceAll(".", "_");
  return name === "python_implementation" ? "platform_python_implementation" : name;
}

function parseMarkerVar(tokenizer: Tokenizer): MarkerValue {
  if (tokenizer.check("VARIABLE")) return { variable: canonicalVariable(tokenizer.read().text) };
  if (tokenizer.check("QUOTED_STRING")) {
    const token = tokenizer.read();
    try {
      return { literal: evaluatePythonString(token.text) };
    } catch (error) {
      if (!(error instanceof LiteralProblem)) throw error;
      tokenizer.fail(`Invalid string literal: ${error.message}`, token.position, token.position + token.text.length);
    }
  }
  return tokenizer.fail("Expected a marker variable or quoted string");
}

function parseMarkerOp(tokenizer: Tokenizer): string {
  if (tokenizer.check("IN")) {
    tokenizer.read();
    return "in";
  }
  if (tokenizer.check("NOT")) {
    tokenizer.read();
    tokenizer.expect("WS", "whitespace after 'not'");
    tokenizer.expect("IN", "'in' after 'not'");
    return "not in";
  }
  if (tokenizer.check("OP")) return tokenizer.read().text;
  return tokenizer.fail("Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in");
}

function valueText(value: MarkerValue): string {
  return "variable" in value ? value.variable : value.literal;
}

/**
 * PEP 685: an `extra` comparison compares normalized names, so the other side is normalized at
 * parse time (packaging does this too, but only outside parentheses).
 */
function normalizeExtraComparison(marker: Marker & { op: "compare" }): Marker {
  const { lhs, rhs } = marker;
  if ("variable" in lhs && lhs.variable === "extra") return { ...marker, rhs: { literal: normalizeName(valueText(rhs)) } };
  if ("variable" in rhs && rhs.variable === "extra") return { ...marker, lhs: { literal: normalizeName(valueText(lhs)) } };
  return marker;
}

function parseMarkerItem(tokenizer: Tokenizer): Marker {
  tokenizer.consume("WS");
  const lhs = parseMarkerVar(tokenizer);
  tokenizer.consume("WS");
  const comparator = parseMarkerOp(tokenizer);
  tokenizer.consume("WS");
  const rhs = parseMarkerVar(tokenizer);
  tokenizer.consume("WS");
  return normalizeExtraComparison({ op: "compare", lhs, comparator, rhs });
}

/** One operand of `and`/`or`; `group` says whether it came from parentheses. */
interface Atom {
  marker: Marker;
  group: boolean;
}

function parseMarkerAtom(tokenizer: Tokenizer): Atom {
  tokenizer.consume("WS");
  let atom: Atom;
  if (tokenizer.check("LEFT_PARENTHESIS", true)) {
    atom = tokenizer.enclosed("LEFT_PARENTHESIS", "RIGHT_PARENTHESIS", "marker expression", () => {
      tokenizer.consume("WS");
      const inner = parseMarkerAtoms(tokenizer);
      tokenizer.consume("WS");
      return { marker: groupMarker(inner), group: true };
    });
  } else {
    atom = { marker: parseMarkerItem(tokenizer), group: false };
  }
  tokenizer.consume("WS");
  return atom;
}

/**
 * The tree of a parenthesized group. packaging prints the parentheses of a group only when it
 * holds two or more operands directly; `((a or b))` prints as `a or b`. We keep the same
 * `parenthesized` flag so the printed forms agree, and the formatter still adds parentheses
 * when leaving them out would change the meaning.
 */
function groupMarker(inner: { atoms: Atom[]; ops: ("and" | "or")[] }): Marker {
  const marker = combine(inner.atoms.map((a) => a.marker), inner.ops);
  if (inner.atoms.length === 1) return stripParentheses(marker);
  return marker.op === "compare" ? marker : { ...marker, parenthesized: true };
}

function stripParentheses(marker: Marker): Marker {
  if (marker.op === "compare" || marker.parenthesized !== true) return marker;
  const { parenthesized: _dropped, ...rest } = marker;
  return rest;
}

/** Builds the or-of-ands tree from a flat `a op b op c` chain, both left-associative. */
function combine(markers: Marker[], ops: ("and" | "or")[]): Marker {
  const disjuncts: Marker[] = [];
  let current = markers[0]!;
  ops.forEach((op, index) => {
    const next = markers[index + 1]!;
    if (op === "and") {
      current = { op: "and", left: current, right: next };
    } else {
      disjuncts.push(current);
      current = next;
    }
  });
  disjuncts.push(current);
  return disjuncts.reduce((left, right) => ({ op: "or", left, right }));
}

function parseMarkerAtoms(tokenizer: Tokenizer): { atoms: Atom[]; ops: ("and" | "or")[] } {
  const atoms = [parseMarkerAtom(tokenizer)];
  const ops: ("and" | "or")[] = [];
  while (tokenizer.check("BOOLOP")) {
    ops.push(tokenizer.read().text as "and" | "or");
    atoms.push(parseMarkerAtom(tokenizer));
  }
  return { atoms, ops };
}

/** `marker = marker_atom (BOOLOP marker_atom)*`, leaving the tokenizer after it. */
export function parseMarkerExpression(tokenizer: Tokenizer): Marker {
  const inner = parseMarkerAtoms(tokenizer);
  // At the top level packaging never prints the outer parentheses of `(a and b)`.
  return stripParentheses(combine(inner.atoms.map((a) => a.marker), inner.ops));
}

/** Parses a marker expression; throws ERR_WW_INVALID_MARKER with a caret under the problem. */
export function parseMarker(source: string, where?: SourceLocation): Marker {
  const tokenizer = new Tokenizer(source);
  try {
    const marker = parseMarkerExpression(tokenizer);
    tokenizer.expect("END", "end of marker expression");
    return marker;
  } catch (error) {
    if (error instanceof SyntaxProblem) throw toWheelwrightError(error, "ERR_WW_INVALID_MARKER", MARKER_HINT, where);
    throw error;
  }
}

/** Characters that start an escape after a backslash in a Python string literal. */
const ESCAPE_STARTERS = new Set([..."\\'\"abfnrtv01234567xuUN"]);

function isLoneSurrogate(value: string, i: number): boolean {
  const code = value.charCodeAt(i);
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = value.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (code >= 0xdc00 && code <= 0xdfff) {
    const previous = i > 0 ? value.charCodeAt(i - 1) : 0;
    return !(previous >= 0xd800 && previous <= 0xdbff);
  }
  return false;
}

/** The escape printed for the character at `i`, or null when it is printed as is. */
function escapeAt(value: string, i: number): string | null {
  const ch = value[i]!;
  if (ch === "\n") return "\\n";
  if (ch === "\r") return "\\r";
  if (ch === '"' || ch === "\0" || isLoneSurrogate(value, i)) return `\\u${value.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return null;
}

/**
 * A literal as packaging prints it: in double quotes, verbatim. packaging never escapes, so a
 * value holding `"`, a newline, or a backslash that starts an escape prints as text that
 * does not parse back to the same value; only those characters are escaped here, so that
 * parse(format(m)) is m and every other value prints exactly as packaging prints it.
 */
function formatLiteral(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const escaped = escapeAt(value, i);
    if (escaped !== null) {
      out += escaped;
    } else if (value[i] === "\\") {
      const last = i + 1 === value.length;
      const beforeEscape = !last && (ESCAPE_STARTERS.has(value[i + 1]!) || escapeAt(value, i + 1) !== null);
      out += last || beforeEscape ? "\\\\" : "\\";
    } else {
      out += value[i]!;
    }
  }
  return `"${out}"`;
}

function formatValue(value: MarkerValue): string {
  return "variable" in value ? value.variable : formatLiteral(value.literal);
}

function formatOperand(child: Marker, parent: "and" | "or"): string {
  const text = formatMarker(child);
  if (child.op === "compare") return text;
  const needed = child.op === "or" && parent === "and";
  return needed || child.parenthesized === true ? `(${text})` : text;
}

/** The marker as packaging's `str(Marker)` prints it (normalized spacing, double quotes). */
export function formatMarker(marker: Marker): string {
  if (marker.op === "compare") {
    return `${formatValue(marker.lhs)} ${marker.comparator} ${formatValue(marker.rhs)}`;
  }
  return `${formatOperand(marker.left, marker.op)} ${marker.op} ${formatOperand(marker.right, marker.op)}`;
}
