/**
 * The on-disk layout of a store root and its version stamp.
 *
 *   <root>/VERSION        "wheelwright-store-1"
 *   <root>/store/         store paths (directories or single files), read-only
 *   <root>/var/db.sqlite  the database (WAL mode: db.sqlite-wal, db.sqlite-shm beside it)
 *   <root>/tmp/           builds in progress, one private directory each
 *   <root>/locks/         part of the layout contract but empty for now: per-path locks are
 *                         rows of the database (see lock.ts), which survive SIGKILL cleanly
 *   <root>/roots/         GC roots: symlinks to the user's links (e.g. a project's .venv)
 *   <root>/logs/          build logs
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { WheelwrightError } from "../errors.js";

export const STORE_LAYOUT_VERSION = 1;
const VERSION_PREFIX = "wheelwright-store-";

export interface StoreLayout {
  root: string;
  storeDir: string;
  varDir: string;
  dbFile: string;
  tmpDir: string;
  locksDir: string;
  rootsDir: string;
  logsDir: string;
  versionFile: string;
}

/**
 * The store root when none is given: `$WHEELWRIGHT_STORE`, else `$XDG_DATA_HOME/wheelwright`,
 * else `~/.local/share/wheelwright`. Relative values are taken from the current directory.
 */
export function defaultStoreRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WHEELWRIGHT_STORE) return resolve(env.WHEELWRIGHT_STORE);
  const dataHome = env.XDG_DATA_HOME ? resolve(env.XDG_DATA_HOME) : join(env.HOME || homedir(), ".local", "share");
  return join(dataHome, "wheelwright");
}

export function storeLayout(root: string): StoreLayout {
  const abs = resolve(root);
  return {
    root: abs,
    storeDir: join(abs, "store"),
    varDir: join(abs, "var"),
    dbFile: join(abs, "var", "db.sqlite"),
    tmpDir: join(abs, "tmp"),
    locksDir: join(abs, "locks"),
    rootsDir: join(abs, "roots"),
    logsDir: join(abs, "logs"),
    versionFile: join(abs, "VERSION"),
  };
}

/**
 * Creates the layout if missing and checks its version stamp. Safe to run from several
 * processes at once: directories are created idempotently and the stamp is written by rename.
 */
export async function ensureLayout(layout: StoreLayout): Promise<void> {
  try {
    for (const dir of [layout.storeDir, layout.varDir, layout.tmpDir, layout.locksDir, layout.rootsDir, layout.logsDir]) {
      await mkdir(dir, { recursive: true });
    }
  } catch (cause) {
    throw new WheelwrightError("ERR_WW_STORE", `cannot create the store layout under ${layout.root}`, {
      file: layout.root,
      cause,
      hint: "Check the directory's permissions, or choose another root with WHEELWRIGHT_STORE.",
    });
  }
  const stamp = await readVersion(layout);
  if (stamp === undefined) {
    const temp = `${layout.versionFile}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(temp, `${VERSION_PREFIX}${STORE_LAYOUT_VERSION}\n`);
    await rename(temp, layout.versionFile);
    return;
  }
  checkVersion(stamp, layout.versionFile);
}

async function readVersion(layout: StoreLayout): Promise<string | undefined> {
  try {
    return (await readFile(layout.versionFile, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new WheelwrightError("ERR_WW_STORE", `cannot read ${layout.versionFile}`, { file: layout.versionFile, cause: error });
  }
}

function checkVersion(stamp: string, file: string): void {
  const match = /^wheelwright-store-(\d+)$/.exec(stamp);
  if (match === null) {
    throw new WheelwrightError("ERR_WW_STORE", `${file} does not hold a wheelwright store version (found ${JSON.stringify(stamp)})`, {
      file,
      hint: "This directory is not a wheelwright store; choose another root with WHEELWRIGHT_STORE.",
    });
  }
  const version = Number(match[1]);
  if (version > STORE_LAYOUT_VERSION) {
    throw new WheelwrightError("ERR_WW_STORE", `the store at ${file} has layout version ${version}, newer than this wheelwright understands (${STORE_LAYOUT_VERSION})`, {
      file,
      hint: "Upgrade wheelwright, or use a separate store root (WHEELWRIGHT_STORE) for this version.",
    });
  }
  if (version < STORE_LAYOUT_VERSION) {
    throw new WheelwrightError("ERR_WW_STORE", `the store at ${file} has layout version ${version}, which this wheelwright cannot migrate`, {
      file,
      hint: "Remove the store directory (it only holds rebuildable data) or use another root.",
    });
  }
}
