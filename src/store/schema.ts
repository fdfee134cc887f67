/**
 * The store database schema (SQLite). Modelled on Nix's: paths are rows of ValidPaths and
 * references point at row ids, so a path that something references cannot be invalidated
 * (ON DELETE RESTRICT) while invalidating a referrer drops its reference rows (CASCADE).
 * Paths are stored as base names (`<hash>-<name>`), never absolute, so a store can move.
 *
 * Locks and TempRoots record (pid, start) holders; a row whose holder died means nothing and
 * is overwritten or ignored, which is what makes them survive a SIGKILL of the holder.
 * TempRoots.owner is a random id per open Store, so closing one handle keeps the roots of
 * another handle in the same process.
 * test/store/golden/schema.sql pins this text; change it only with a SCHEMA_VERSION bump.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS SchemaVersion (
  version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ValidPaths (
  id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  path             TEXT NOT NULL UNIQUE,
  narHash          TEXT NOT NULL,
  narSize          INTEGER NOT NULL,
  registrationTime INTEGER NOT NULL,
  deriver          TEXT,
  ca               TEXT
);
CREATE TABLE IF NOT EXISTS Refs (
  referrer  INTEGER NOT NULL,
  reference INTEGER NOT NULL,
  PRIMARY KEY (referrer, reference),
  FOREIGN KEY (referrer) REFERENCES ValidPaths(id) ON DELETE CASCADE,
  FOREIGN KEY (reference) REFERENCES ValidPaths(id) ON DELETE RESTRICT
);
CREATE INDEX IF NOT EXISTS IndexReference ON Refs(reference);
CREATE TABLE IF NOT EXISTS SourceFacts (
  key     TEXT PRIMARY KEY NOT NULL,
  value   TEXT NOT NULL,
  updated INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS Locks (
  path  TEXT PRIMARY KEY NOT NULL,
  pid   INTEGER NOT NULL,
  start TEXT NOT NULL,
  since INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS TempRoots (
  path  TEXT NOT NULL,
  pid   INTEGER NOT NULL,
  start TEXT NOT NULL,
  owner TEXT NOT NULL,
  PRIMARY KEY (path, owner)
);
`;
