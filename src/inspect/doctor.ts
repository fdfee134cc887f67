/**
 * `doctor`: what wheelwright finds on this machine and in this project — interpreters, the
 * build sandbox, the store's health (layout version, paths, database integrity, leftovers)
 * and every setting with its value and where it came from. Problems are listed so the
 * command can fail when there are any.
 */
import Database from "better-sqlite3";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { sandboxStatus, type SandboxStatus } from "../build/sandbox.js";
import { loadSettings, type Origin, type Settings } from "../config/load.js";
import { SETTINGS } from "../config/schema.js";
import { isWheelwrightError } from "../errors.js";
import { readPyproject, toolTable } from "../pep/pyproject.js";
import { findInterpreters } from "../python/discover.js";
import { STORE_LAYOUT_VERSION } from "../store/layout.js";
import { Store } from "../store/store.js";
import { loadProject } from "../sync/index.js";

export interface DoctorInput {
  dir?: string;
  env?: NodeJS.ProcessEnv;
  flags?: Record<string, unknown>;
  /** Interpreter search options (tests pass a fixed PATH). */
  discover?: Parameters<typeof findInterpreters>[0];
}

export interface StoreHealth {
  root: string;
  layoutVersion: string;
  supportedLayoutVersion: number;
  paths: number;
  narBytes: number;
  roots: { live: number; dead: number };
  integrity: string;
  /** Entries of tmp/ still there after dead builds were cleaned (live builds, or leftovers). */
  tempEntries: string[];
  /** Directory entries of store/ the database does not list as valid. */
  unregistered: string[];
}

export interface DoctorReport {
  interpreters: { implementation: string; version: string; executable: string }[];
  sandbox: SandboxStatus & { mode: string };
  store: StoreHealth | { root: string; error: string };
  project: { dir: string; lockFile?: string; pyproject?: string; note?: string };
  settings: { key: string; value: unknown; origin: Origin }[];
  problems: string[];
}

export async function doctor(input: DoctorInput = {}): Promise<DoctorReport> {
  const env = input.env ?? process.env;
  const problems: string[] = [];
  const { settings, project } = settingsOf(input, env);
  const interpreters = (await findInterpreters(input.discover ?? {})).map((i) => ({ implementation: i.implementation, version: i.version, executable: i.executable }));
  if (interpreters.length === 0) problems.push("no Python interpreter found on PATH or under pyenv");
  const sandbox = { ...sandboxStatus(), mode: String(settings.values.sandbox) };
  if (sandbox.mode === "required" && sandbox.available === "none") problems.push("sandbox = required, but neither bwrap nor unshare works here");
  const store = await storeHealth(settings.values.store as string | undefined, env);
  if ("error" in store) problems.push(`store: ${store.error}`);
  else {
    if (store.integrity !== "ok") problems.push(`store database integrity check: ${store.integrity}`);
    if (store.unregistered.length > 0) problems.push(`${store.unregistered.length} unregistered entr${store.unregistered.length === 1 ? "y" : "ies"} in ${store.root}/store (run wheelwright gc)`);
  }
  const rows = SETTINGS.map((s) => ({ key: s.key, value: settings.values[s.key], origin: settings.origins[s.key] ?? "default" }));
  return { interpreters, sandbox, store, project, settings: rows, problems };
}

/** The project's settings when there is a project here, else defaults < environment < flags. */
function settingsOf(input: DoctorInput, env: NodeJS.ProcessEnv): { settings: Settings; project: DoctorReport["project"] } {
  const dir = resolve(input.dir ?? process.cwd());
  try {
    const p = loadProject({ dir, env, ...(input.flags !== undefined ? { flags: input.flags } : {}) });
    return { settings: p.settings, project: { dir: p.dir, lockFile: p.lockFile, ...(p.pyprojectFile !== undefined ? { pyproject: p.pyprojectFile } : {}) } };
  } catch (error) {
    if (!isWheelwrightError(error, "ERR_WW_USAGE")) throw error;
    const pyprojectFile = join(dir, "pyproject.toml");
    const text = existsSync(pyprojectFile) ? readFileSync(pyprojectFile, "utf8") : undefined;
    const tool = text === undefined ? undefined : (toolTable(readPyproject(text, pyprojectFile), "wheelwright") as Record<string, unknown> | undefined);
    const settings = loadSettings({ env, ...(input.flags !== undefined ? { flags: input.flags } : {}), ...(tool !== undefined ? { tool, pyprojectFile, pyprojectText: text! } : {}) });
    return { settings, project: { dir, ...(text !== undefined ? { pyproject: pyprojectFile } : {}), note: error.message } };
  }
}

async function storeHealth(root: string | undefined, env: NodeJS.ProcessEnv): Promise<DoctorReport["store"]> {
  let store: Store;
  try {
    store = await Store.open(root, { env });
  } catch (error) {
    return { root: root ?? "(default)", error: error instanceof Error ? error.message : String(error) };
  }
  try {
    const layout = store.layout;
    const list = store.list();
    const valid = new Set<string>(list.map((i) => i.path));
    const roots = store.roots();
    const db = new Database(layout.dbFile, { readonly: true, fileMustExist: true });
    let integrity: string;
    try {
      integrity = (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check).join("; ");
    } finally {
      db.close();
    }
    return {
      root: layout.root,
      layoutVersion: readFileSync(layout.versionFile, "utf8").trim(),
      supportedLayoutVersion: STORE_LAYOUT_VERSION,
      paths: list.length,
      narBytes: list.reduce((s, i) => s + i.narSize, 0),
      roots: { live: roots.filter((r) => r.storePath !== undefined).length, dead: roots.filter((r) => r.storePath === undefined).length },
      integrity,
      tempEntries: readdirSync(layout.tmpDir).sort(),
      unregistered: readdirSync(layout.storeDir).filter((e) => !valid.has(e)).sort(),
    };
  } finally {
    store.close();
  }
}
