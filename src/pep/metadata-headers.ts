/**
 * The email-header layer of core metadata (METADATA / PKG-INFO): a header block, an empty
 * line, a body. Mirrors what Python's `email.parser` (compat32 policy, as used by
 * `packaging.metadata.parse_email`) produces for a well-formed block, but rejects lines that
 * Python would silently turn into the start of the body, since in METADATA they only ever
 * mean a broken file.
 */
import { WheelwrightError } from "../errors.js";

/** One header as written: name with its original case, value unfolded the way Python does. */
export interface MetadataHeader {
  name: string;
  value: string;
  /** 1-based line of the header's first line. */
  line: number;
}

export interface HeaderBlock {
  headers: MetadataHeader[];
  /** Everything after the first empty line, verbatim ("" when there is none). */
  body: string;
  /** 1-based line where the body starts (undefined when there is no body). */
  bodyLine: number | undefined;
}

export interface MetadataWhere {
  file?: string;
  package?: string;
}

// RFC 5322 field names as Python's feed parser accepts them: printable ASCII minus ":".
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+:/;

/** Splits text into lines that keep their terminators; \r\n, \r and \n all end a line. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    lines.push(text.slice(start, m.index + m[0].length));
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

function isLineBreak(line: string): boolean {
  return line === "\n" || line === "\r\n" || line === "\r";
}

export function parseHeaderBlock(text: string, where: MetadataWhere = {}): HeaderBlock {
  // A UTF-8 byte order mark is an artifact of how the file was written, not content.
  const source = text.startsWith("\ufeff") ? text.slice(1) : text;
  const lines = splitLines(source);
  const headers: MetadataHeader[] = [];
  let current: { name: string; parts: string[]; line: number } | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    const [first = "", ...rest] = current.parts;
    const value = (first.replace(/^[ \t]+/, "") + rest.join("")).replace(/[\r\n]+$/, "");
    headers.push({ name: current.name, value, line: current.line });
    current = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    if (isLineBreak(line)) {
      flush();
      const body = lines.slice(i + 1).join("");
      return { headers, body, bodyLine: i + 1 < lines.length ? lineNo + 1 : undefined };
    }
    if (line[0] === " " || line[0] === "\t") {
      if (current === undefined) {
        throw malformed(where, lineNo, "the first header line is indented like a continuation line", line);
      }
      current.parts.push(line);
      continue;
    }
    const match = HEADER_NAME.exec(line);
    if (match === null) {
      const why = line.startsWith(":") ? "the header has no name" : "the line is neither a `Name: value` header nor an indented continuation";
      throw malformed(where, lineNo, why, line);
    }
    flush();
    const name = match[0].slice(0, -1);
    current = { name, parts: [line.slice(match[0].length)], line: lineNo };
  }
  flush();
  return { headers, body: "", bodyLine: undefined };
}

function malformed(where: MetadataWhere, line: number, why: string, text: string): WheelwrightError {
  const shown = text.replace(/[\r\n]+$/, "");
  const excerpt = shown.length > 60 ? `${shown.slice(0, 60)}…` : shown;
  return new WheelwrightError("ERR_WW_INVALID_METADATA", `Malformed metadata header on line ${line}: ${why}: ${JSON.stringify(excerpt)}`, {
    ...where,
    line,
    hint: "Core metadata is a block of `Name: value` lines (continuations indented), then an empty line, then the description. The file may be truncated or hand-edited.",
  });
}

/**
 * Decodes a multi-line header value written with the core-metadata escaping convention
 * (continuation lines prefixed by 8 spaces, or 7 spaces and `|`), as setuptools and distutils
 * write `Description` and `License`. Other indentation is removed by common-prefix dedent.
 */
export function unfoldHeaderValue(value: string): string {
  const [first = "", ...rest] = value.split(/\r\n|\r|\n/);
  if (rest.length === 0) return first;
  const prefixed = /^( {8}| {7}\|)/;
  let body: string[];
  if (rest.every((line) => line === "" || prefixed.test(line) || /^\s*$/.test(line))) {
    body = rest.map((line) => (prefixed.test(line) ? line.slice(8) : ""));
  } else {
    body = dedent(rest);
  }
  return [first, ...body].join("\n");
}

/** textwrap.dedent: remove the longest common leading whitespace; blank lines become "". */
function dedent(lines: string[]): string[] {
  let common: string | undefined;
  for (const line of lines) {
    if (/^[ \t]*$/.test(line)) continue;
    const indent = /^[ \t]*/.exec(line)![0];
    if (common === undefined) common = indent;
    else {
      let n = 0;
      while (n < common.length && n < indent.length && common[n] === indent[n]) n++;
      common = common.slice(0, n);
    }
  }
  const cut = common?.length ?? 0;
  return lines.map((line) => (/^[ \t]*$/.test(line) ? "" : line.slice(cut)));
}
