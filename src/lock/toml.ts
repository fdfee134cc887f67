/**
 * TOML reading for lock files: syntax errors with line and column, the line of the Nth
 * `[[package]]` table for messages, and typed accessors that throw ERR_WW_LOCK_PARSE naming
 * the file, line, package and key.
 */
import { parse, TomlError } from "smol-toml";
import { WheelwrightError } from "../errors.js";

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
  const header = new RegExp(`^\\s*\\[\\[\\s*${array.replace(/[.]/g, "\\.")}\\s*\\]\\]`);
  text.split("\n").forEach((line, i) => {
    if (header.test(line)) lines.push(i + 1);
  });
  return lines;
}

/** Where an entry is: file, the line of its table header, its package name. */
export interface EntryContext {
  file: string;
  line?: number;
  package?: string;
}

export function lockError(code: "ERR_WW_LOCK_PARSE" | "ERR_WW_LOCK_INVALID" | "ERR_WW_LOCK_VERSION", message: string, ctx: EntryContext, hint: string): WheelwrightError {
  return new WheelwrightError(code, message, {
    file: ctx.file,
    ...(ctx.line !== undefined ? { line: ctx.line } : {}),
    ...(ctx.package !== undefined ? { package: ctx.package } : {}),
    hint,
  });
}

const REGENERATE = "regenerate the lock file, or fix the entry by hand";

function typeError(table: Table, key: string, expected: string, ctx: EntryContext): WheelwrightError {
  const value = table[key];
  const got = value === undefined ? "missing" : Array.isArray(value) ? "an array" : typeof value === "object" ? "a table" : `${typeof value} ${JSON.stringify(typeof value === "bigint" ? String(value) : value)}`;
  return lockError("ERR_WW_LOCK_PARSE", `'${key}' must be ${expected}, but it is ${got}`, ctx, REGENERATE);
}

export function str(table: Table, key: string, ctx: EntryContext): string {
  const value = table[key];
  if (typeof value !== "string") throw typeError(table, key, "a string", ctx);
  return value;
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
    if (!isTable(item)) throw lockError("ERR_WW_LOCK_PARSE", `'${key}[${i}]' must be a table`, ctx, REGENERATE);
  });
  return value as Table[];
}

export function stringArray(table: Table, key: string, ctx: EntryContext): string[] {
  const value = optArray(table, key, ctx) ?? [];
  value.forEach((item, i) => {
    if (typeof item !== "string") throw lockError("ERR_WW_LOCK_PARSE", `'${key}[${i}]' must be a string`, ctx, REGENERATE);
  });
  return value as string[];
}
