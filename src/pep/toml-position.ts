/**
 * Line numbers for TOML key paths. smol-toml returns plain values without positions, so
 * errors about a value ("project.dependencies[2] is not a requirement") re-scan the text to
 * point at the right line. The scanner follows TOML's structure (headers, array tables,
 * dotted keys, strings of all four kinds, arrays, inline tables) but does not validate: it
 * is run on text that already parsed, and on anything else it degrades to "no line known".
 */

export type TomlPath = readonly (string | number)[];

/** The 1-based line where `path` is defined (its key, its array element, or its header). */
export function findKeyLine(text: string, path: TomlPath): number | undefined {
  return indexOf(text).get(pathKey(path));
}

/**
 * The line of `path`, or else of its deepest ancestor that exists — the place to point at
 * when a required key is missing from a table.
 */
export function findNearestLine(text: string, path: TomlPath): number | undefined {
  const index = indexOf(text);
  for (let length = path.length; length > 0; length--) {
    const line = index.get(pathKey(path.slice(0, length)));
    if (line !== undefined) return line;
  }
  return undefined;
}

function pathKey(path: TomlPath): string {
  return JSON.stringify(path);
}

// One-entry cache: callers typically ask several paths of the same document in a row.
let cachedText: string | undefined;
let cachedIndex: Map<string, number> | undefined;

function indexOf(text: string): Map<string, number> {
  if (cachedText === text && cachedIndex !== undefined) return cachedIndex;
  const scanner = new Scanner(text);
  try {
    scanner.scanDocument();
  } catch {
    // Malformed text: keep whatever was indexed before the scanner lost its way.
  }
  cachedText = text;
  cachedIndex = scanner.lines;
  return scanner.lines;
}

class ScanError extends Error {}

class Scanner {
  readonly lines = new Map<string, number>();
  private pos = 0;
  private line = 1;
  /** Array-of-tables paths (without indices) → number of elements seen so far. */
  private readonly arrayTables = new Map<string, number>();

  constructor(private readonly text: string) {}

  scanDocument(): void {
    let table: (string | number)[] = [];
    for (;;) {
      this.skipBlank(true);
      if (this.pos >= this.text.length) return;
      const ch = this.text[this.pos];
      if (ch === "[") {
        table = this.scanHeader();
      } else {
        this.scanKeyValue(table);
      }
      this.skipBlank(false);
    }
  }

  private record(path: TomlPath, line: number, overwrite = false): void {
    // Every prefix gets the first line that mentions it, so implicit tables have a line too.
    for (let length = 1; length < path.length; length++) {
      const key = pathKey(path.slice(0, length));
      if (!this.lines.has(key)) this.lines.set(key, line);
    }
    const key = pathKey(path);
    if (overwrite || !this.lines.has(key)) this.lines.set(key, line);
  }

  private scanHeader(): (string | number)[] {
    const line = this.line;
    const isArray = this.text.startsWith("[[", this.pos);
    this.pos += isArray ? 2 : 1;
    this.skipSpaces();
    const keys = this.scanDottedKey();
    this.skipSpaces();
    if (!this.text.startsWith(isArray ? "]]" : "]", this.pos)) throw new ScanError("header");
    this.pos += isArray ? 2 : 1;
    // Resolve keys against earlier array tables: `[a.b]` after `[[a]]` means a[last].b.
    const resolved: (string | number)[] = [];
    const plain: string[] = [];
    keys.forEach((key, i) => {
      resolved.push(key);
      plain.push(key);
      const count = this.arrayTables.get(pathKey(plain));
      const last = i === keys.length - 1;
      if (last && isArray) {
        const next = count ?? 0;
        this.arrayTables.set(pathKey(plain), next + 1);
        this.record(resolved, line);
        resolved.push(next);
      } else if (count !== undefined) {
        resolved.push(count - 1);
      }
    });
    this.record(resolved, line, isArray);
    return resolved;
  }

  private scanKeyValue(table: (string | number)[]): void {
    const line = this.line;
    const keys = this.scanDottedKey();
    const path = [...table, ...keys];
    this.record(path, line);
    this.skipSpaces();
    if (this.text[this.pos] !== "=") throw new ScanError("expected =");
    this.pos++;
    this.skipSpaces();
    this.scanValue(path);
  }

  private scanDottedKey(): string[] {
    const keys = [this.scanKey()];
    for (;;) {
      this.skipSpaces();
      if (this.text[this.pos] !== ".") return keys;
      this.pos++;
      this.skipSpaces();
      keys.push(this.scanKey());
    }
  }

  private scanKey(): string {
    const ch = this.text[this.pos];
    if (ch === '"' || ch === "'") return this.scanString();
    const match = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.pos, this.pos + 256));
    if (match === null) throw new ScanError("key");
    this.pos += match[0].length;
    return match[0];
  }

  private scanValue(path: (string | number)[]): void {
    const ch = this.text[this.pos];
    if (ch === '"' || ch === "'") {
      this.scanString();
    } else if (ch === "[") {
      this.pos++;
      for (let i = 0; ; i++) {
        this.skipBlank(true);
        if (this.text[this.pos] === "]") break;
        this.record([...path, i], this.line);
        this.scanValue([...path, i]);
        this.skipBlank(true);
        if (this.text[this.pos] === ",") this.pos++;
        else if (this.text[this.pos] !== "]") throw new ScanError("array");
      }
      this.pos++;
    } else if (ch === "{") {
      this.pos++;
      for (;;) {
        this.skipBlank(true);
        if (this.text[this.pos] === "}") break;
        const line = this.line;
        const keys = this.scanDottedKey();
        const inner = [...path, ...keys];
        this.record(inner, line);
        this.skipSpaces();
        if (this.text[this.pos] !== "=") throw new ScanError("inline =");
        this.pos++;
        this.skipSpaces();
        this.scanValue(inner);
        this.skipBlank(true);
        if (this.text[this.pos] === ",") this.pos++;
        else if (this.text[this.pos] !== "}") throw new ScanError("inline table");
      }
      this.pos++;
    } else {
      // Numbers, booleans, dates (which may contain one space): up to a delimiter.
      const start = this.pos;
      while (this.pos < this.text.length && !",]}#\r\n".includes(this.text[this.pos]!)) this.pos++;
      if (this.pos === start) throw new ScanError("value");
    }
  }

  /** Scans any of the four string forms and returns its content (escapes left raw). */
  private scanString(): string {
    const quote = this.text[this.pos]!;
    const triple = quote.repeat(3);
    if (this.text.startsWith(triple, this.pos)) {
      this.pos += 3;
      const start = this.pos;
      for (;;) {
        if (this.pos >= this.text.length) throw new ScanError("unterminated");
        const ch = this.text[this.pos]!;
        if (ch === "\\" && quote === '"') {
          this.advance(2);
          continue;
        }
        if (this.text.startsWith(triple, this.pos)) {
          // Up to two quotes may sit right before the closing delimiter.
          let end = this.pos + 3;
          while (end < this.pos + 5 && this.text[end] === quote) end++;
          const content = this.text.slice(start, end - 3);
          this.pos = end;
          return content;
        }
        this.advance(1);
      }
    }
    this.pos++;
    const start = this.pos;
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined || ch === "\n") throw new ScanError("unterminated");
      if (ch === "\\" && quote === '"') {
        this.pos += 2;
        continue;
      }
      if (ch === quote) {
        const content = this.text.slice(start, this.pos);
        this.pos++;
        return content;
      }
      this.pos++;
    }
  }

  /** Moves forward `count` characters, counting newlines passed. */
  private advance(count: number): void {
    for (let i = 0; i < count && this.pos < this.text.length; i++) {
      if (this.text[this.pos] === "\n") this.line++;
      this.pos++;
    }
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === " " || this.text[this.pos] === "\t") this.pos++;
  }

  /** Skips spaces and comments, and newlines too when `newlines` is set. */
  private skipBlank(newlines: boolean): void {
    for (;;) {
      this.skipSpaces();
      const ch = this.text[this.pos];
      if (ch === "#") {
        while (this.pos < this.text.length && this.text[this.pos] !== "\n") this.pos++;
      } else if (newlines && (ch === "\n" || ch === "\r")) {
        this.advance(1);
      } else {
        return;
      }
    }
  }
}
