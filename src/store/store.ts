/**
 * The store: a directory of immutable, content-addressed paths plus the database that says
 * which of them are valid. `Store.open` prepares the layout; everything else is a method.
 */
import { randomUUID } from "node:crypto";
import { join, sep } from "node:path";
import { WheelwrightError } from "../errors.js";
import { StoreDb } from "./db.js";
import type { PathInfo } from "./db.js";
import { collectGarbage } from "./gc.js";
import type { GcOptions, GcResult } from "./gc.js";
import { defaultStoreRoot, ensureLayout, storeLayout } from "./layout.js";
import type { StoreLayout } from "./layout.js";
import { parseStorePath, storePathHashPart } from "./path.js";
import type { StorePath } from "./path.js";
import { realisePath, removeDeadTempDirs, rootPaths } from "./realise.js";
import type { BuildOutput, RealiseContext, RealiseOptions } from "./realise.js";
import { addRoot, listRoots, removeRoot } from "./roots.js";
import type { RootInfo } from "./roots.js";
import { verifyStore } from "./verify.js";
import type { VerifyOptions, VerifyResult } from "./verify.js";

export interface StoreOpenOptions {
  /** Environment used to find the default root (defaults to `process.env`). */
  env?: NodeJS.ProcessEnv;
  /**
   * fsync outputs before registering them and the database on commit: a registered path
   * then survives a power loss intact. Without it a SIGKILL is still harmless; only power
   * loss is not. Default: off (as in Nix, where it is opt-in) unless WHEELWRIGHT_FSYNC=1 —
   * fsyncing every file of ~30k costs tens of seconds on an ordinary disk.
   */
  fsync?: boolean;
}

export class Store {
  readonly layout: StoreLayout;
  private readonly db: StoreDb;
  private readonly fsync: boolean;
  /** Identifies this handle's temp roots (see schema.ts). */
  private readonly owner = randomUUID();
  private readonly rooted = new Set<StorePath>();

  private constructor(layout: StoreLayout, db: StoreDb, fsync: boolean) {
    this.layout = layout;
    this.db = db;
    this.fsync = fsync;
  }

  /**
   * Opens (creating if needed) the store at `root`, else at `defaultStoreRoot(env)`. Checks
   * the layout version and removes temp directories left by dead processes.
   */
  static async open(root?: string, options: StoreOpenOptions = {}): Promise<Store> {
    const layout = storeLayout(root ?? defaultStoreRoot(options.env ?? process.env));
    await ensureLayout(layout);
    const env = options.env ?? process.env;
    const fsync = options.fsync ?? /^(1|true|yes|on)$/i.test(env.WHEELWRIGHT_FSYNC ?? "");
    const db = new StoreDb(layout.dbFile, { durable: fsync });
    try {
      removeDeadTempDirs(layout);
    } catch (cause) {
      db.close();
      throw new WheelwrightError("ERR_WW_STORE", `cannot clean ${layout.tmpDir}`, { file: layout.tmpDir, cause });
    }
    return new Store(layout, db, fsync);
  }

  get root(): string {
    return this.layout.root;
  }

  get storeDir(): string {
    return this.layout.storeDir;
  }

  /** The absolute location of a store path in this store. */
  toRealPath(path: StorePath): string {
    return join(this.layout.storeDir, path);
  }

  /** Where a builder writes the log of building `path` (`<root>/logs/<hash part>.log`). */
  logFile(path: StorePath): string {
    return join(this.layout.logsDir, `${storePathHashPart(path)}.log`);
  }

  /**
   * The store path an absolute path lies in (`<storeDir>/<path>[/…]`); throws
   * ERR_WW_STORE_PATH when it is not inside this store.
   */
  parseRealPath(absolute: string): StorePath {
    if (!absolute.startsWith(this.layout.storeDir + sep)) {
      throw new WheelwrightError("ERR_WW_STORE_PATH", `${absolute} is not in the store ${this.layout.storeDir}`, {
        hint: "Pass a path inside the store directory.",
      });
    }
    return parseStorePath(absolute.slice(this.layout.storeDir.length + 1).split(sep)[0]!);
  }

  isValid(path: StorePath): boolean {
    return this.db.isValid(path);
  }

  /** Which of `paths` are valid, in one query (the no-op sync check). */
  validPaths(paths: readonly StorePath[]): Set<StorePath> {
    return this.db.validAmong(paths);
  }

  queryPathInfo(path: StorePath): PathInfo | undefined {
    return this.db.queryPathInfo(path);
  }

  /** Every valid path, sorted by name. */
  list(): PathInfo[] {
    return this.db.list();
  }

  /**
   * Makes `path` valid: returns its info at once if it is; otherwise builds it exactly once
   * across processes (see realise.ts). The path is then a temp root of this process until
   * `close()`, so a concurrent gc keeps it until the caller has rooted it.
   */
  realise(path: StorePath, build: BuildOutput, options: RealiseOptions = {}): Promise<PathInfo> {
    return realisePath(this.context(), path, build, options);
  }

  private context(): RealiseContext {
    return { layout: this.layout, db: this.db, fsync: this.fsync, owner: this.owner, rooted: this.rooted };
  }

  /**
   * Keeps valid paths alive against gc until this store is closed (or the process dies), in
   * one transaction. Returns the paths that were not valid and therefore not rooted. A no-op
   * sync calls `validPaths` then this once; `realise` of a rooted valid path is then a read.
   */
  addTempRoots(paths: readonly StorePath[]): StorePath[] {
    return rootPaths(this.context(), paths);
  }

  /** Points `link` at `path` (atomically) and registers it as a GC root. */
  addRoot(link: string, path: StorePath): RootInfo {
    if (!this.db.isValid(path)) {
      throw new WheelwrightError("ERR_WW_STORE", `cannot add a root to ${path}: it is not a valid store path`, {
        file: link,
        hint: "Realise the path before linking to it.",
      });
    }
    return addRoot(this.layout, link, path);
  }

  removeRoot(link: string): boolean {
    return removeRoot(this.layout, link);
  }

  roots(): RootInfo[] {
    return listRoots(this.layout);
  }

  gc(options: GcOptions = {}): Promise<GcResult> {
    return collectGarbage({ layout: this.layout, db: this.db }, options);
  }

  verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    return verifyStore({ layout: this.layout, db: this.db }, options);
  }

  /** A cached fact about a source (e.g. an sdist's build-system.requires), keyed by the caller. */
  getSourceFact<T = unknown>(key: string): T | undefined {
    return this.db.getSourceFact(key) as T | undefined;
  }

  setSourceFact(key: string, value: unknown): void {
    this.db.setSourceFact(key, value);
  }

  /** The database schema text (for golden tests and diagnostics). */
  schemaText(): string {
    return this.db.schemaText();
  }

  /** Drops this handle's temp roots and closes the database. */
  close(): void {
    try {
      this.db.dropTempRoots(this.owner);
      this.rooted.clear();
    } finally {
      this.db.close();
    }
  }
}
