/**
 * TOML reading for lock files: syntax errors with line and column, the line of the Nth
 * `[[package]]` table for messages, and typed accessors that throw ERR_WW_LOCK_PARSE naming
 * the file, line, package and key. When a context carries the document text and the TOML
 * path of the table being read, an error points at the offending key's own line (found by
 * re-scanning the text, only on the error path); otherwise at the entry's header line.
 */
import { parse, TomlError } from "smol-toml";
import { WheelwrightError } from "../errors.js";
import { isValidName, normalizeName } from "../pep/names.js";
import { findKeyLine, findNearestLine, type TomlPath } from "../pep/toml-position.js";

export type Table = Record<string, unknown>;

export function parseLockToml(text: string, file: string): Table {
  try {
    return parse(text, { integersAsBigInt: "asNeeded" }) as Table;
  } catch (cause) {
    const at = cause instanceof TomlError ? { line: cause.line, column: cause.column } : {};
    throw new WheelwrightError("ERR_WW_LOCK_PARSE", `${file} is not valid TOML: ${(cause as Error).message.split("\n")[0]}`, {
      file,
      ...at,
      cause,
      hint: "the lock file is damaged; regenerate it with the tool that wrote it",
    });
  }
}

/** Line numbers (1-based) of each `[[<array>]]` header, in order. Inline arrays give none. */
export function tableHeaderLines(text: string, array: string): number[] {
  const lines: number[] = [];
  const escaped = array.replace(/[.]/g, "\\.");
  const header = new RegExp(`^[ \\t]*\\[\\[[ \\t]*${escaped}[ \\t]*\\]\\]`, "gm");
  // Count newlines incrementally instead of splitting a megabyte-sized text into lines.
  let line = 1;
  let from = 0;
  for (let match = header.exec(text); match !== null; match = header.exec(text)) {
    for (let i = text.indexOf("\n", from); i !== -1 && i < match.index; i = text.indexOf("\n", i + 1)) line++;
    from = match.index;
    lines.push(line);
  }
  return lines;
}

/**
 * Lines of each element of the top-level array `key`: header lines for `[[key]]` tables, or
 * (for an inline `key = [...]` array) lines found by scanning the text.
 */
export function entryLines(text: string, key: string, count: number): (number | undefined)[] {
  const headers = tableHeaderLines(text, key);
  if (headers.length === count) return headers;
  return Array.from({ length: count }, (_, i) => findKeyLine(text, [key, i]));
}

/** Where an entry is: file, the line of its table header, its package name. */
export interface EntryContext {
  file: string;
  line?: number | undefined;
  package?: string | undefined;
  /** The document text and the TOML path of the table being read, for key-precise lines. */
  text?: string;
  path?: TomlPath;
}

/** A context for a sub-table or array element of the current one (same entry, deeper path). */
export function within(ctx: EntryContext, ...keys: (string | number)[]): EntryContext {
  return ctx.path === undefined ? ctx : { ...ctx, path: [...ctx.path, ...keys] };
}

/** The line of `key` in the context's table, else of the nearest enclosing key, else the header. */
export function lineOfKey(ctx: EntryContext, key?: string | number): number | undefined {
  if (ctx.text !== undefined && ctx.path !== undefined) {
    const path = key === undefined ? ctx.path : [...ctx.path, key];
    const line = findKeyLine(ctx.text, path) ?? findNearestLine(ctx.text, path);
    if (line !== undefined) return line;
  }
  return ctx.line;
}

export type LockErrorCode = "ERR_WW_LOCK_PARSE" | "ERR_WW_LOCK_INVALID" | "ERR_WW_LOCK_VERSION" | "ERR_WW_INVALID_NAME";

/** An error about the entry `ctx` (at `key` of its table when given). */
export function lockError(code: LockErrorCode, message: string, ctx: EntryContext, hint: string, key?: string | number): WheelwrightError {
  const line = lineOfKey(ctx, key);
  return new WheelwrightError(code, message, {
    file: ctx.file,
    ...(line !== undefined ? { line } : {}),
    ...(ctx.package !== undefined ? { package: ctx.package } : {}),
    hint,
  });
}

const REGENERATE = "regenerate the lock file, or fix the entry by hand";

function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  if (typeof value === "object" && value !== null) return "a table";
  return `${typeof value === "bigint" ? "number" : typeof value} ${JSON.stringify(typeof value === "bigint" ? String(value) : value)}`;
}

function typeError(table: Table, key: string, expected: string, ctx: EntryContext): WheelwrightError {
  const where = ctx.path !== undefined ? `${formatPath([...ctx.path, key])}` : `'${key}'`;
  const who = ctx.package !== undefined ? `${ctx.package}: ` : "";
  return lockError("ERR_WW_LOCK_PARSE", `${who}${where} must be ${expected}, but it is ${describeValue(table[key])}`, ctx, REGENERATE, key);
}

/** `package[3].wheels[0].hash` → `'wheels[0].hash'` (the entry index is left out: the line says it). */
function formatPath(path: TomlPath): string {
  const rest = (path[0] === "package" || path[0] === "packages") && typeof path[1] === "number" ? path.slice(2) : path;
  return `'${rest.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("")}'`;
}

export function str(table: Table, key: string, ctx: EntryContext): string {
  const value = table[key];
  if (typeof value !== "string") throw typeError(table, key, "a string", ctx);
  return value;
}

/** A package name (PEP 508 grammar), normalized (PEP 503); ERR_WW_INVALID_NAME at its line otherwise. */
export function nameStr(table: Table, key: string, ctx: EntryContext): string {
  const value = str(table, key, ctx);
  if (!isValidName(value)) {
    throw lockError("ERR_WW_INVALID_NAME", `${JSON.stringify(value)} is not a valid package name`, ctx, "names are ASCII letters, digits, '.', '_' and '-', starting and ending with a letter or digit; fix the entry or relock", key);
  }
  return normalizeName(value);
}

export function optStr(table: Table, key: string, ctx: EntryContext): string | undefined {
  return table[key] === undefined ? undefined : str(table, key, ctx);
}

export function optInt(table: Table, key: string, ctx: EntryContext): number | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value === "bigint") return Number(value);
  if (typeof value !== "number" || !Number.isInteger(value)) throw typeError(table, key, "an integer", ctx);
  return value;
}

export function optBool(table: Table, key: string, ctx: EntryContext): boolean | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw typeError(table, key, "a boolean", ctx);
  return value;
}

export function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export function optTable(table: Table, key: string, ctx: EntryContext): Table | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (!isTable(value)) throw typeError(table, key, "a table", ctx);
  return value;
}

export function optArray(table: Table, key: string, ctx: EntryContext): unknown[] | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw typeError(table, key, "an array", ctx);
  return value;
}

export function tableArray(table: Table, key: string, ctx: EntryContext): Table[] {
  const value = optArray(table, key, ctx) ?? [];
  value.forEach((item, i) => {
    if (!isTable(item)) throw lockError("ERR_WW_LOCK_PARSE", `${ctx.package !== undefined ? `${ctx.package}: ` : ""}'${key}[${i}]' must be a table, but it is ${describeValue(item)}`, within(ctx, key), REGENERATE, i);
  });
  return value as Table[];
}

export function stringArray(table: Table, key: string, ctx: EntryContext): string[] {
  const value = optArray(table, key, ctx) ?? [];
  value.forEach((item, i) => {
    if (typeof item !== "string") throw lockError("ERR_WW_LOCK_PARSE", `${ctx.package !== undefined ? `${ctx.package}: ` : ""}'${key}[${i}]' must be a string, but it is ${describeValue(item)}`, within(ctx, key), REGENERATE, i);
  });
  return value as string[];
}
