/**
 * Loads settings from `[tool.wheelwright]` in pyproject.toml, then environment variables,
 * then flags — later sources win. Every key is declared in schema.ts; an unknown key is an
 * error naming the file, line and the nearest valid key.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { WheelwrightError } from "../errors.js";
import { isValidName } from "../pep/names.js";
import { findKeyLine } from "../pep/toml-position.js";
import { closestNames } from "../util/suggest.js";
import { PACKAGE_SETTINGS, SETTINGS, type SettingSpec, type SettingType } from "./schema.js";

export type Origin = "default" | "pyproject" | "env" | "flag";

export interface PackageSettings {
  sourcePreference?: "wheel" | "sdist";
  dependencies: string[];
  buildSystem?: string[];
  buildSystemAdd: string[];
  buildSystemDrop: string[];
  configSettings: Record<string, string | string[]>;
  env: Record<string, string>;
  verifyRecord: boolean;
  /** Absolute paths of patch files, in the order given. */
  patches: string[];
  /** Absolute site-packages directory to adopt the installed distribution from. */
  prebuilt?: string;
  /** Where the `[tool.wheelwright.packages.<name>]` table starts in pyproject.toml, for errors. */
  line?: number;
}

export interface Settings {
  values: Record<string, unknown>;
  origins: Record<string, Origin>;
  packages: Record<string, PackageSettings>;
}

export interface LoadSettingsInput {
  /** The `[tool.wheelwright]` table, if any, with the pyproject text for line numbers. */
  tool?: Record<string, unknown>;
  pyprojectFile?: string;
  pyprojectText?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag values by setting key (undefined = not given). */
  flags?: Record<string, unknown>;
}

const BY_KEY = new Map<string, SettingSpec>(SETTINGS.map((s) => [s.key, s]));

export function loadSettings(input: LoadSettingsInput): Settings {
  const values: Record<string, unknown> = {};
  const origins: Record<string, Origin> = {};
  for (const spec of SETTINGS) {
    values[spec.key] = spec.default;
    origins[spec.key] = "default";
  }
  const where = (path: (string | number)[]) => ({
    file: input.pyprojectFile,
    line: input.pyprojectText === undefined ? undefined : findKeyLine(input.pyprojectText, ["tool", "wheelwright", ...path]),
  });

  const packages: Record<string, PackageSettings> = {};
  for (const [key, value] of flatten(input.tool ?? {})) {
    if (key.startsWith("packages.")) continue;
    const spec = BY_KEY.get(key);
    if (spec === undefined) throw unknownKey(key, [...BY_KEY.keys(), "packages"], where(key.split(".")));
    values[key] = coerce(spec.type, value, `[tool.wheelwright] ${key}`, where(key.split(".")));
    origins[key] = "pyproject";
  }
  const packageTables = (input.tool?.packages ?? {}) as Record<string, unknown>;
  if (typeof packageTables !== "object" || Array.isArray(packageTables)) throw configError("[tool.wheelwright] packages must be a table of package tables", where(["packages"]));
  for (const [name, table] of Object.entries(packageTables)) packages[name] = packageSettings(name, table, where);

  const env = input.env ?? {};
  for (const spec of SETTINGS) {
    if (!("env" in spec) || spec.env === undefined) continue;
    const raw = env[spec.env];
    if (raw === undefined || raw === "") continue;
    values[spec.key] = fromEnv(spec.type, raw, spec.env);
    origins[spec.key] = "env";
  }
  for (const [key, value] of Object.entries(input.flags ?? {})) {
    if (value === undefined) continue;
    const spec = BY_KEY.get(key);
    if (spec === undefined) throw new Error(`flag for unknown setting ${key}`);
    values[key] = coerce(spec.type, value, `flag for ${key}`, {});
    origins[key] = "flag";
  }
  return { values, origins, packages };
}

function packageSettings(name: string, table: unknown, where: (path: (string | number)[]) => { file?: string; line?: number }): PackageSettings {
  const at = (key?: string) => where(key === undefined ? ["packages", name] : ["packages", name, key]);
  if (table === null || typeof table !== "object" || Array.isArray(table)) throw configError(`[tool.wheelwright.packages.${name}] must be a table`, at());
  if (!isValidName(name)) {
    throw new WheelwrightError("ERR_WW_INVALID_NAME", `[tool.wheelwright.packages.${JSON.stringify(name)}]: ${JSON.stringify(name)} is not a valid package name`, {
      ...(at().file !== undefined ? { file: at().file } : {}),
      ...(at().line !== undefined ? { line: at().line } : {}),
      hint: "name the package as the lock does: ASCII letters, digits, '.', '_' and '-'",
    });
  }
  const known = new Map<string, (typeof PACKAGE_SETTINGS)[number]>(PACKAGE_SETTINGS.map((s) => [s.key, s]));
  const out: PackageSettings = { dependencies: [], buildSystemAdd: [], buildSystemDrop: [], configSettings: {}, env: {}, verifyRecord: true, patches: [] };
  const line = at().line;
  if (line !== undefined) out.line = line;
  for (const [key, value] of Object.entries(table as Record<string, unknown>)) {
    const spec = known.get(key);
    if (spec === undefined) throw unknownKey(`packages.${name}.${key}`, [...known.keys()].map((k) => `packages.${name}.${k}`), at(key));
    const label = `[tool.wheelwright.packages.${name}] ${key}`;
    if (spec.type === "table") {
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw configError(`${label} must be a table`, at(key));
      const entries = Object.entries(value as Record<string, unknown>);
      if (key === "env") {
        for (const [k, v] of entries) if (typeof v !== "string") throw configError(`${label}.${k} must be a string`, at(key));
        out.env = Object.fromEntries(entries) as Record<string, string>;
      } else {
        for (const [k, v] of entries) {
          if (typeof v !== "string" && !(Array.isArray(v) && v.every((x) => typeof x === "string"))) throw configError(`${label}.${k} must be a string or a list of strings`, at(key));
        }
        out.configSettings = Object.fromEntries(entries) as Record<string, string | string[]>;
      }
      continue;
    }
    const v = coerce(spec.type, value, label, at(key));
    switch (key) {
      case "source-preference":
        out.sourcePreference = v as "wheel" | "sdist";
        break;
      case "dependencies":
        out.dependencies = v as string[];
        break;
      case "build-system":
        out.buildSystem = v as string[];
        break;
      case "build-system-add":
        out.buildSystemAdd = v as string[];
        break;
      case "build-system-drop":
        out.buildSystemDrop = v as string[];
        break;
      case "verify-record":
        out.verifyRecord = v as boolean;
        break;
      case "prebuilt": {
        const file = at(key).file;
        const path = resolve(file === undefined ? process.cwd() : dirname(file), v as string);
        if (!existsSync(path) || !statSync(path).isDirectory()) throw configError(`${label}: ${v as string} is not a directory (looked for ${path})`, at(key), "give the site-packages directory the package is installed in, relative to pyproject.toml");
        out.prebuilt = path;
        break;
      }
      case "patches": {
        const file = at(key).file;
        const base = file === undefined ? process.cwd() : dirname(file);
        out.patches = (v as string[]).map((p) => {
          const path = resolve(base, p);
          if (!existsSync(path) || !statSync(path).isFile()) throw configError(`${label}: the patch ${p} does not exist (looked for ${path})`, at(key), "patch paths are relative to the directory of pyproject.toml");
          return path;
        });
        break;
      }
    }
  }
  return out;
}

/** `{venv: {skip: [...]}}` → `["venv.skip", [...]]`, stopping at the keys the schema knows. */
function flatten(table: Record<string, unknown>, prefix = ""): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, value] of Object.entries(table)) {
    const full = prefix + key;
    if (full === "packages") continue;
    if (!BY_KEY.has(full) && value !== null && typeof value === "object" && !Array.isArray(value)) out.push(...flatten(value as Record<string, unknown>, `${full}.`));
    else out.push([full, value]);
  }
  return out;
}

function coerce(type: SettingType | "table", value: unknown, label: string, where: { file?: string; line?: number }): unknown {
  const fail = (expected: string) => configError(`${label} must be ${expected}, not ${JSON.stringify(value)}`, where);
  if (typeof value === "bigint") value = Number(value);
  if (typeof type === "object") {
    if (typeof value !== "string" || !type.enum.includes(value)) throw fail(`one of ${type.enum.map((e) => `"${e}"`).join(", ")}`);
    return value;
  }
  switch (type) {
    case "string":
      if (typeof value !== "string") throw fail("a string");
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw fail("true or false");
      return value;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw fail("a non-negative integer");
      return value;
    case "string[]":
      if (typeof value === "string") return [value];
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw fail("a list of strings");
      return value;
    case "boolean|string[]":
      if (typeof value === "boolean") return value;
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw fail("true, false or a list of package names");
      return value;
    case "table":
      return value;
  }
}

function fromEnv(type: SettingType, raw: string, variable: string): unknown {
  if (type === "boolean") {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw configError(`${variable}=${raw} is not a boolean`, {}, "use 1/0, true/false, yes/no or on/off");
  }
  if (type === "integer") {
    if (!/^\d+$/.test(raw)) throw configError(`${variable}=${raw} is not a non-negative integer`, {});
    return Number(raw);
  }
  if (type === "string[]") return raw.split(":").filter((s) => s !== "");
  if (typeof type === "object" && !type.enum.includes(raw)) throw configError(`${variable}=${raw} must be one of ${type.enum.join(", ")}`, {});
  return raw;
}

function unknownKey(key: string, known: string[], where: { file?: string; line?: number }): WheelwrightError {
  const near = closestNames(key, known, 1);
  return configError(`unknown setting '${key}' in [tool.wheelwright]`, where, near.length > 0 ? `did you mean '${near[0]}'?` : `known settings: ${known.join(", ")}`);
}

function configError(message: string, where: { file?: string; line?: number }, hint?: string): WheelwrightError {
  return new WheelwrightError("ERR_WW_CONFIG", message, {
    ...(where.file !== undefined ? { file: where.file } : {}),
    ...(where.line !== undefined ? { line: where.line } : {}),
    hint: hint ?? "see docs/configuration.md for every setting, its type and default",
  });
}
