/**
 * `diff A B`: what changed between two environments. Each side is a venv store path, a link
 * to one (a project's `.venv`), or a project directory (its `.venv`). Members are the venv's
 * references in the store database; names and versions come from recorded derivations, else
 * from the path names.
 */
import { existsSync, lstatSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { WheelwrightError } from "../errors.js";
import type { StorePath } from "../store/path.js";
import type { Store } from "../store/store.js";
import { recordedDerivation, splitPathName } from "./record.js";

export interface EnvMember {
  name: string;
  version: string;
  storePath: string;
  narSize: number;
}

export interface EnvironmentDiff {
  a: string;
  b: string;
  added: EnvMember[];
  removed: EnvMember[];
  /** Same name, different version. */
  changed: { name: string; from: EnvMember; to: EnvMember }[];
  /** Same name and version, different store path (rebuilt with other inputs). */
  rebuilt: { name: string; from: EnvMember; to: EnvMember }[];
  /** Closure sizes (the venv path plus its members), bytes. */
  sizeA: number;
  sizeB: number;
}

/** The venv store path an argument names (see the module comment). */
export function resolveEnvironment(arg: string): string {
  let target = arg;
  if (existsSync(join(arg, "pyvenv.cfg")) === false && existsSync(join(arg, ".venv"))) target = join(arg, ".venv");
  let real: string;
  try {
    real = realpathSync(target);
  } catch (cause) {
    throw new WheelwrightError("ERR_WW_USAGE", `${arg} does not exist`, { file: arg, cause, hint: "pass a venv store path, a .venv link, or a project directory that was synced" });
  }
  if (!existsSync(join(real, "pyvenv.cfg"))) {
    throw new WheelwrightError("ERR_WW_USAGE", `${arg} is not an environment (no pyvenv.cfg in ${real})`, { file: arg, hint: "pass a venv store path, a .venv link, or a project directory that was synced" });
  }
  if (!lstatSync(target).isSymbolicLink() && real === target && !isInAStore(real)) {
    throw new WheelwrightError("ERR_WW_USAGE", `${arg} is a copy, not a store environment`, { file: arg, hint: "diff compares environments in the store; copies made with --copy have no store record" });
  }
  return real;
}

function isInAStore(real: string): boolean {
  const storeDir = dirname(real);
  return basename(storeDir) === "store" && existsSync(join(dirname(storeDir), "VERSION"));
}

/** The store root an environment lives in (`<root>/store/<path>`). */
export function storeRootOf(real: string): string | undefined {
  return isInAStore(real) ? dirname(dirname(real)) : undefined;
}

export function membersOf(store: Store, venvReal: string): EnvMember[] {
  const path = store.parseRealPath(venvReal);
  const info = store.queryPathInfo(path);
  if (info === undefined) {
    throw new WheelwrightError("ERR_WW_USAGE", `${venvReal} is not a valid path of the store ${store.root}`, { file: venvReal, hint: "pass --store with the store it belongs to" });
  }
  return info.references.filter((r) => r !== path).map((r) => memberOf(store, r));
}

function memberOf(store: Store, path: StorePath): EnvMember {
  const info = store.queryPathInfo(path);
  const record = recordedDerivation(store, info?.deriver);
  const { name, version } = record !== undefined ? { name: record.name, version: record.version } : splitPathName(path);
  return { name, version, storePath: store.toRealPath(path), narSize: info?.narSize ?? 0 };
}

export function diffEnvironments(store: Store, aReal: string, bReal: string): EnvironmentDiff {
  const a = membersOf(store, aReal);
  const b = membersOf(store, bReal);
  const byName = (list: EnvMember[]) => new Map(list.map((m) => [m.name, m]));
  const am = byName(a);
  const bm = byName(b);
  const size = (real: string, members: EnvMember[]) => (store.queryPathInfo(store.parseRealPath(real))?.narSize ?? 0) + members.reduce((s, m) => s + m.narSize, 0);
  const sorted = <T extends { name: string }>(xs: T[]) => xs.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return {
    a: aReal,
    b: bReal,
    added: sorted(b.filter((m) => !am.has(m.name))),
    removed: sorted(a.filter((m) => !bm.has(m.name))),
    changed: sorted(b.filter((m) => am.has(m.name) && am.get(m.name)!.version !== m.version).map((m) => ({ name: m.name, from: am.get(m.name)!, to: m }))),
    rebuilt: sorted(b.filter((m) => am.has(m.name) && am.get(m.name)!.version === m.version && am.get(m.name)!.storePath !== m.storePath).map((m) => ({ name: m.name, from: am.get(m.name)!, to: m }))),
    sizeA: size(aReal, a),
    sizeB: size(bReal, b),
  };
}
