/**
 * PEP 508 dependency specifiers (`name[extras] specifiers ; marker`, `name @ url ; marker`),
 * parsed and printed as `packaging` 26.2's `Requirement` does.
 */
import { WheelwrightError, isWheelwrightError } from "../errors.js";
import { formatSpecifierSet, parseSpecifierSet } from "./pep440.js";
import { SyntaxProblem, Tokenizer, parseSingleSpecifier } from "./pep508-tokenizer.js";
import { formatMarker, parseMarkerExpression, toWheelwrightError } from "./markers.js";
import type { Marker, SourceLocation } from "./markers.js";

export interface Requirement {
  /** The name as written (compare with `normalizeName`). */
  name: string;
  /** Extra names as written (not normalized), without duplicates, sorted. */
  extras: string[];
  /** The specifier set as packaging prints it (sorted, deduplicated, comma-joined), or "". */
  specifier: string;
  /** The direct reference after `@`, or null. */
  url: string | null;
  marker: Marker | null;
}

const REQUIREMENT_HINT =
  'A requirement looks like name[extra1,extra2]>=1.0,<2 ; python_version >= "3.9" or name @ https://host/file.whl ; marker.';

interface ParsedParts {
  name: string;
  extras: string[];
  specifier: string;
  url: string;
  marker: Marker | null;
}

function parseExtrasList(tokenizer: Tokenizer): string[] {
  const extras: string[] = [];
  if (!tokenizer.check("IDENTIFIER")) return extras;
  extras.push(tokenizer.read().text);
  for (;;) {
    tokenizer.consume("WS");
    if (tokenizer.check("IDENTIFIER", true)) tokenizer.fail("Expected comma between extra names");
    if (!tokenizer.check("COMMA")) break;
    tokenizer.read();
    tokenizer.consume("WS");
    extras.push(tokenizer.expect("IDENTIFIER", "extra name after comma").text);
  }
  return extras;
}

function parseExtras(tokenizer: Tokenizer): string[] {
  if (!tokenizer.check("LEFT_BRACKET", true)) return [];
  return tokenizer.enclosed("LEFT_BRACKET", "RIGHT_BRACKET", "extras", () => {
    tokenizer.consume("WS");
    const extras = parseExtrasList(tokenizer);
    tokenizer.consume("WS");
    return extras;
  });
}

/** `version_many = (SPECIFIER (WS? COMMA WS? SPECIFIER)*)?`, returned as the raw text. */
function parseVersionMany(tokenizer: Tokenizer): string {
  let text = "";
  while (tokenizer.check("SPECIFIER")) {
    const start = tokenizer.position;
    text += tokenizer.read().text;
    if (tokenizer.check("VERSION_PREFIX_TRAIL", true)) {
      tokenizer.fail(".* suffix can only be used with `==` or `!=` operators", start, tokenizer.position + 1);
    }
    if (tokenizer.check("VERSION_LOCAL_LABEL_TRAIL", true)) {
      tokenizer.fail("Local version label can only be used with `==` or `!=` operators", start, tokenizer.position);
    }
    tokenizer.consume("WS");
    if (!tokenizer.check("COMMA")) break;
    text += tokenizer.read().text;
    tokenizer.consume("WS");
  }
  return text;
}

function parseSpecifier(tokenizer: Tokenizer): string {
  return tokenizer.enclosed("LEFT_PARENTHESIS", "RIGHT_PARENTHESIS", "version specifier", () => {
    tokenizer.consume("WS");
    const text = parseVersionMany(tokenizer);
    tokenizer.consume("WS");
    return text;
  });
}

function parseRequirementMarker(tokenizer: Tokenizer, spanStart: number, expected: string): Marker {
  if (!tokenizer.check("SEMICOLON")) tokenizer.fail(`Expected ${expected} or end`, spanStart);
  tokenizer.read();
  const marker = parseMarkerExpression(tokenizer);
  tokenizer.consume("WS");
  return marker;
}

function parseDetails(tokenizer: Tokenizer): Pick<ParsedParts, "url" | "specifier" | "marker"> {
  if (tokenizer.check("AT")) {
    tokenizer.read();
    tokenizer.consume("WS");
    const urlStart = tokenizer.position;
    const url = tokenizer.expect("URL", "URL after @").text;
    if (tokenizer.check("END", true)) return { url, specifier: "", marker: null };
    // A URL may contain ";", so the marker separator needs whitespace before it.
    tokenizer.expect("WS", "whitespace after URL");
    if (tokenizer.check("END", true)) return { url, specifier: "", marker: null };
    const marker = parseRequirementMarker(tokenizer, urlStart, "semicolon (after URL and whitespace)");
    return { url, specifier: "", marker };
  }
  const specifierStart = tokenizer.position;
  const specifier = parseSpecifier(tokenizer);
  tokenizer.consume("WS");
  if (tokenizer.check("END", true)) return { url: "", specifier, marker: null };
  const expected =
    specifier !== ""
      ? "comma (within version specifier), semicolon (after version specifier)"
      : "semicolon (after name with no version specifier)";
  return { url: "", specifier, marker: parseRequirementMarker(tokenizer, specifierStart, expected) };
}

function parseParts(tokenizer: Tokenizer): ParsedParts {
  tokenizer.consume("WS");
  const name = tokenizer.expect("IDENTIFIER", "package name at the start of dependency specifier").text;
  tokenizer.consume("WS");
  const extras = parseExtras(tokenizer);
  tokenizer.consume("WS");
  const details = parseDetails(tokenizer);
  tokenizer.expect("END", "end of dependency specifier");
  return { name, extras, ...details };
}

/**
 * Parses a PEP 508 requirement. Throws ERR_WW_INVALID_REQUIREMENT; its message shows the
 * string with a caret under the problem and `column` locates it.
 */
export function parseRequirement(source: string, where?: SourceLocation): Requirement {
  let parts: ParsedParts;
  try {
    parts = parseParts(new Tokenizer(source));
  } catch (error) {
    if (error instanceof SyntaxProblem) throw toWheelwrightError(error, "ERR_WW_INVALID_REQUIREMENT", REQUIREMENT_HINT, where);
    throw error;
  }
  let specifier: string;
  try {
    for (const piece of parts.specifier.split(",")) {
      if (piece.trim() !== "" && parseSingleSpecifier(piece) === null) {
        throw new WheelwrightError("ERR_WW_INVALID_SPECIFIER", `Invalid specifier: '${piece.trim()}'`);
      }
    }
    // The `===` rule lets a comma through inside one token ("===1,foo"); the set parser
    // splits on commas and rejects what is left, as packaging's SpecifierSet does.
    specifier = formatSpecifierSet(parseSpecifierSet(parts.specifier));
  } catch (error) {
    if (!isWheelwrightError(error, "ERR_WW_INVALID_SPECIFIER")) throw error;
    throw new WheelwrightError(
      "ERR_WW_INVALID_REQUIREMENT",
      `Invalid version specifier '${parts.specifier}' in requirement '${source}': ${error.message}`,
      { ...where, hint: REQUIREMENT_HINT, cause: error },
    );
  }
  return {
    name: parts.name,
    extras: [...new Set(parts.extras)].sort(),
    specifier,
    url: parts.url === "" ? null : parts.url,
    marker: parts.marker,
  };
}

/** The requirement as packaging's `str(Requirement)` prints it. */
export function formatRequirement(requirement: Requirement): string {
  let text = requirement.name;
  if (requirement.extras.length > 0) text += `[${[...new Set(requirement.extras)].sort().join(",")}]`;
  text += requirement.specifier;
  if (requirement.url !== null && requirement.url !== "") {
    text += ` @ ${requirement.url}`;
    if (requirement.marker !== null) text += " ";
  }
  if (requirement.marker !== null) text += `; ${formatMarker(requirement.marker)}`;
  return text;
}
