/**
 * The store database: valid paths, references, source facts, locks and temporary roots.
 * Every multi-step decision (take a lock, add temp roots, register, invalidate for GC) is one
 * IMMEDIATE transaction, so concurrent processes see each other's steps in a serial order.
 */
import Database from "better-sqlite3";
import type { Database as SqliteDatabase, Statement } from "better-sqlite3";
import { WheelwrightError } from "../errors.js";
import type { StorePath } from "./path.js";
import { isProcessAlive } from "./process.js";
import type { ProcessId } from "./process.js";
import { SCHEMA_SQL, SCHEMA_VERSION } from "./schema.js";

/** What the store knows about a valid path. */
export interface PathInfo {
  path: StorePath;
  /** `sha256:<nix-base32>` of the path's NAR. */
  narHash: string;
  narSize: number;
  /** Seconds since the epoch. */
  registrationTime: number;
  deriver?: string;
  /** Content address, e.g. `fixed:sha256:<hex>` for fixed-output sources. */
  ca?: string;
  references: StorePath[];
}

export interface Registration {
  path: StorePath;
  narHash: string;
  narSize: number;
  deriver?: string;
  ca?: string;
  references: readonly StorePath[];
}

interface PathRow {
  id: number;
  path: string;
  narHash: string;
  narSize: number;
  registrationTime: number;
  deriver: string | null;
  ca: string | null;
}

interface HolderRow {
  path: string;
  pid: number;
  start: string;
}

export type LockAttempt = { acquired: true } | { acquired: false; holder: ProcessId };

export class StoreDb {
  private readonly db: SqliteDatabase;
  private readonly stmt: Record<string, Statement>;

  /**
   * @param durable fsync the WAL on every commit (synchronous=FULL). Without it (NORMAL) the
   * database stays consistent after any crash, but the last commits may be lost on power
   * failure, e.g. a gc's unregistration whose files are already gone (verify reports those).
   */
  constructor(file: string, options: { durable?: boolean } = {}) {
    try {
      this.db = new Database(file, { timeout: 30_000 });
      this.db.pragma("journal_mode = WAL");
      this.db.pragma(`synchronous = ${options.durable === false ? "NORMAL" : "FULL"}`);
      this.db.pragma("foreign_keys = ON");
      this.migrate(file);
    } catch (cause) {
      if (cause instanceof WheelwrightError) throw cause;
      throw new WheelwrightError("ERR_WW_STORE", `cannot open the store database ${file}`, {
        file,
        cause,
        hint: "Check that the file is a wheelwright store database and that you may write to it.",
      });
    }
    const db = this.db;
    this.stmt = {
      isValid: db.prepare("SELECT 1 FROM ValidPaths WHERE path = ?").pluck(),
      validAmong: db.prepare("SELECT path FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?))").pluck(),
      pathRow: db.prepare("SELECT * FROM ValidPaths WHERE path = ?"),
      allRows: db.prepare("SELECT * FROM ValidPaths ORDER BY path"),
      references: db.prepare("SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.reference WHERE r.referrer = ? ORDER BY v.path").pluck(),
      allRefs: db.prepare("SELECT a.path AS referrer, b.path AS reference FROM Refs r JOIN ValidPaths a ON a.id = r.referrer JOIN ValidPaths b ON b.id = r.reference"),
      otherReferrers: db.prepare("SELECT count(*) FROM Refs WHERE reference = ? AND referrer != ?").pluck(),
      referrers: db.prepare("SELECT a.path FROM Refs r JOIN ValidPaths a ON a.id = r.referrer WHERE r.reference = ? AND r.referrer != r.reference").pluck(),
      insertPath: db.prepare("INSERT INTO ValidPaths (path, narHash, narSize, registrationTime, deriver, ca) VALUES (?, ?, ?, ?, ?, ?)"),
      insertRef: db.prepare("INSERT OR IGNORE INTO Refs (referrer, reference) VALUES (?, ?)"),
      pathId: db.prepare("SELECT id FROM ValidPaths WHERE path = ?").pluck(),
      deleteSelfRef: db.prepare("DELETE FROM Refs WHERE referrer = ? AND reference = ?"),
      deletePath: db.prepare("DELETE FROM ValidPaths WHERE id = ?"),
      lockRow: db.prepare("SELECT path, pid, start FROM Locks WHERE path = ?"),
      allLocks: db.prepare("SELECT path, pid, start FROM Locks"),
      putLock: db.prepare("INSERT OR REPLACE INTO Locks (path, pid, start, since) VALUES (?, ?, ?, ?)"),
      dropLock: db.prepare("DELETE FROM Locks WHERE path = ? AND pid = ? AND start = ?"),
      dropLockRow: db.prepare("DELETE FROM Locks WHERE path = ?"),
      putTempRoot: db.prepare("INSERT OR IGNORE INTO TempRoots (path, pid, start, owner) VALUES (?, ?, ?, ?)"),
      tempRootsOf: db.prepare("SELECT path, pid, start FROM TempRoots WHERE path = ?"),
      allTempRoots: db.prepare("SELECT path, pid, start FROM TempRoots"),
      dropTempRoots: db.prepare("DELETE FROM TempRoots WHERE owner = ?"),
      dropDeadTempRoots: db.prepare("DELETE FROM TempRoots WHERE pid = ? AND start = ?"),
      getFact: db.prepare("SELECT value FROM SourceFacts WHERE key = ?").pluck(),
      putFact: db.prepare("INSERT OR REPLACE INTO SourceFacts (key, value, updated) VALUES (?, ?, ?)"),
    };
  }

  private migrate(file: string): void {
    this.db
      .transaction(() => {
        this.db.exec(SCHEMA_SQL);
        const version = this.db.prepare("SELECT max(version) FROM SchemaVersion").pluck().get() as number | null;
        if (version === null) this.db.prepare("INSERT INTO SchemaVersion (version) VALUES (?)").run(SCHEMA_VERSION);
        else if (version > SCHEMA_VERSION) {
          throw new WheelwrightError("ERR_WW_STORE", `the store database ${file} has schema version ${version}, newer than this wheelwright understands (${SCHEMA_VERSION})`, {
            file,
            hint: "Upgrade wheelwright, or use a separate store root (WHEELWRIGHT_STORE).",
          });
        }
      })
      .immediate();
  }

  /** The schema as SQLite holds it (for the golden test). */
  schemaText(): string {
    const rows = this.db.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC, name").pluck().all() as string[];
    return rows.map((sql) => sql + ";\n").join("");
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  isValid(path: StorePath): boolean {
    return this.stmt.isValid!.get(path) !== undefined;
  }

  /** The subset of `paths` that is valid, in one query. */
  validAmong(paths: readonly StorePath[]): Set<StorePath> {
    if (paths.length === 0) return new Set();
    return new Set(this.stmt.validAmong!.all(JSON.stringify(paths)) as StorePath[]);
  }

  queryPathInfo(path: StorePath): PathInfo | undefined {
    const row = this.stmt.pathRow!.get(path) as PathRow | undefined;
    return row === undefined ? undefined : this.toInfo(row);
  }

  list(): PathInfo[] {
    return (this.stmt.allRows!.all() as PathRow[]).map((row) => this.toInfo(row));
  }

  /** All reference edges, for closure computations. */
  referenceGraph(): Map<StorePath, StorePath[]> {
    const graph = new Map<StorePath, StorePath[]>();
    for (const { referrer, reference } of this.stmt.allRefs!.all() as { referrer: StorePath; reference: StorePath }[]) {
      const list = graph.get(referrer);
      if (list === undefined) graph.set(referrer, [reference]);
      else list.push(reference);
    }
    return graph;
  }

  /** Valid paths that reference `path` (itself excluded). */
  referrers(path: StorePath): StorePath[] {
    const id = this.stmt.pathId!.get(path) as number | undefined;
    return id === undefined ? [] : (this.stmt.referrers!.all(id) as StorePath[]);
  }

  private toInfo(row: PathRow): PathInfo {
    const info: PathInfo = {
      path: row.path as StorePath,
      narHash: row.narHash,
      narSize: row.narSize,
      registrationTime: row.registrationTime,
      references: this.stmt.references!.all(row.id) as StorePath[],
    };
    if (row.deriver !== null) info.deriver = row.deriver;
    if (row.ca !== null) info.ca = row.ca;
    return info;
  }

  /**
   * Registers a path. References must be valid or the path itself (self-reference); an
   * already valid path is left as it is (its first registration wins).
   */
  register(reg: Registration): void {
    this.db
      .transaction(() => {
        if (this.isValid(reg.path)) return;
        const missing = reg.references.filter((ref) => ref !== reg.path && !this.isValid(ref));
        if (missing.length > 0) {
          throw new WheelwrightError("ERR_WW_STORE", `cannot register ${reg.path}: its references ${missing.join(", ")} are not valid`, {
            hint: "Realise a path's references before the path itself (and keep them alive with temp roots).",
          });
        }
        const now = Math.floor(Date.now() / 1000);
        const id = Number(this.stmt.insertPath!.run(reg.path, reg.narHash, reg.narSize, now, reg.deriver ?? null, reg.ca ?? null).lastInsertRowid);
        for (const ref of reg.references) {
          const refId = ref === reg.path ? id : (this.stmt.pathId!.get(ref) as number);
          this.stmt.insertRef!.run(id, refId);
        }
      })
      .immediate();
  }

  /**
   * Takes the per-path lock if no live process holds it. A row left by a dead holder is
   * replaced. Holding a lock also tells GC to keep its hands off the path.
   */
  tryLock(path: StorePath, self: ProcessId): LockAttempt {
    return this.db
      .transaction((): LockAttempt => {
        const row = this.stmt.lockRow!.get(path) as HolderRow | undefined;
        if (row !== undefined && isProcessAlive(row)) return { acquired: false, holder: { pid: row.pid, start: row.start } };
        this.stmt.putLock!.run(path, self.pid, self.start, Date.now());
        return { acquired: true };
      })
      .immediate();
  }

  unlock(path: StorePath, self: ProcessId): void {
    this.stmt.dropLock!.run(path, self.pid, self.start);
  }

  /** Paths locked by live processes. */
  lockedPaths(): Set<string> {
    return new Set((this.stmt.allLocks!.all() as HolderRow[]).filter((row) => isProcessAlive(row)).map((row) => row.path));
  }

  /** Deletes lock rows whose holder died (they would be overwritten anyway; this tidies). */
  purgeDeadLocks(): number {
    return this.db
      .transaction(() => {
        let purged = 0;
        for (const row of this.stmt.allLocks!.all() as HolderRow[]) {
          if (!isProcessAlive(row)) purged += this.stmt.dropLockRow!.run(row.path).changes;
        }
        return purged;
      })
      .immediate();
  }

  /**
   * Records `paths` as temporary roots of this process, provided they are valid now; returns
   * the ones that were not valid (and so were not rooted).
   */
  addTempRoots(paths: readonly StorePath[], self: ProcessId, owner: string): StorePath[] {
    return this.db
      .transaction(() => {
        const invalid: StorePath[] = [];
        for (const path of paths) {
          if (this.isValid(path)) this.stmt.putTempRoot!.run(path, self.pid, self.start, owner);
          else invalid.push(path);
        }
        return invalid;
      })
      .immediate();
  }

  /** Unconditionally roots `path` for this process (used for paths about to be registered). */
  addTempRootUnchecked(path: StorePath, self: ProcessId, owner: string): void {
    this.stmt.putTempRoot!.run(path, self.pid, self.start, owner);
  }

  /** Drops the temp roots of one Store handle. */
  dropTempRoots(owner: string): void {
    this.stmt.dropTempRoots!.run(owner);
  }

  /** Temp roots of live processes; rows of dead ones are deleted on the way. */
  liveTempRoots(): Set<string> {
    const live = new Set<string>();
    const dead = new Map<string, ProcessId>();
    for (const row of this.stmt.allTempRoots!.all() as HolderRow[]) {
      if (isProcessAlive(row)) live.add(row.path);
      else dead.set(`${row.pid}:${row.start}`, row);
    }
    for (const holder of dead.values()) this.stmt.dropDeadTempRoots!.run(holder.pid, holder.start);
    return live;
  }

  /**
   * GC's per-path step: in one transaction, if `path` is not locked or temp-rooted by a live
   * process and nothing else references it, invalidate it and take its lock (so no realise
   * can rename a new copy into place while the files are being deleted). Returns whether the
   * caller now owns the deletion; the caller releases the lock when the files are gone.
   */
  claimForDeletion(path: StorePath, self: ProcessId): boolean {
    return this.db
      .transaction(() => {
        const lock = this.stmt.lockRow!.get(path) as HolderRow | undefined;
        if (lock !== undefined && isProcessAlive(lock)) return false;
        for (const row of this.stmt.tempRootsOf!.all(path) as HolderRow[]) if (isProcessAlive(row)) return false;
        const id = this.stmt.pathId!.get(path) as number | undefined;
        if (id !== undefined) {
          if ((this.stmt.otherReferrers!.get(id, id) as number) > 0) return false;
          this.stmt.deleteSelfRef!.run(id, id);
          this.stmt.deletePath!.run(id);
        }
        this.stmt.putLock!.run(path, self.pid, self.start, Date.now());
        return true;
      })
      .immediate();
  }

  /** Invalidates `paths` (referrers first is the caller's job); used by verify's repair. */
  invalidate(path: StorePath): void {
    this.db
      .transaction(() => {
        const id = this.stmt.pathId!.get(path) as number | undefined;
        if (id === undefined) return;
        this.stmt.deleteSelfRef!.run(id, id);
        this.stmt.deletePath!.run(id);
      })
      .immediate();
  }

  getSourceFact(key: string): unknown {
    const value = this.stmt.getFact!.get(key) as string | undefined;
    return value === undefined ? undefined : JSON.parse(value);
  }

  setSourceFact(key: string, value: unknown): void {
    this.stmt.putFact!.run(key, JSON.stringify(value), Math.floor(Date.now() / 1000));
  }
}
