CREATE TABLE Locks (
  path  TEXT PRIMARY KEY NOT NULL,
  pid   INTEGER NOT NULL,
  start TEXT NOT NULL,
  since INTEGER NOT NULL
);
CREATE TABLE Refs (
  referrer  INTEGER NOT NULL,
  reference INTEGER NOT NULL,
  PRIMARY KEY (referrer, reference),
  FOREIGN KEY (referrer) REFERENCES ValidPaths(id) ON DELETE CASCADE,
  FOREIGN KEY (reference) REFERENCES ValidPaths(id) ON DELETE RESTRICT
);
CREATE TABLE SchemaVersion (
  version INTEGER NOT NULL
);
CREATE TABLE SourceFacts (
  key     TEXT PRIMARY KEY NOT NULL,
  value   TEXT NOT NULL,
  updated INTEGER NOT NULL
);
CREATE TABLE TempRoots (
  path  TEXT NOT NULL,
  pid   INTEGER NOT NULL,
  start TEXT NOT NULL,
  owner TEXT NOT NULL,
  PRIMARY KEY (path, owner)
);
CREATE TABLE ValidPaths (
  id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  path             TEXT NOT NULL UNIQUE,
  narHash          TEXT NOT NULL,
  narSize          INTEGER NOT NULL,
  registrationTime INTEGER NOT NULL,
  deriver          TEXT,
  ca               TEXT
);
CREATE INDEX IndexReference ON Refs(reference);
