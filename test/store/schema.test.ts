// The database schema is an on-disk format: pinned by a golden file. Regenerate with
// WW_ACCEPT=1 after an intended change (which also needs a SCHEMA_VERSION bump).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { Store } from "../../src/store/index.js";
import { SCHEMA_VERSION } from "../../src/store/schema.js";
import { useTempStore } from "../helpers/temp-store.js";

const GOLDEN = join(import.meta.dirname, "golden", "schema.sql");

describe("store database schema", () => {
  const tempStore = useTempStore();

  it("matches the golden schema", async () => {
    const { store } = await tempStore();
    const text = store.schemaText();
    if (process.env.WW_ACCEPT === "1") writeFileSync(GOLDEN, text);
    expect(existsSync(GOLDEN), `${GOLDEN} is missing; run with WW_ACCEPT=1 to create it`).toBe(true);
    expect(text).toBe(readFileSync(GOLDEN, "utf8"));
    expect(text).toMatch(/CREATE TABLE ValidPaths/);
  });

  it("uses WAL and records the schema version", async () => {
    const { store, root } = await tempStore();
    store.close();
    const db = new Database(join(root, "var", "db.sqlite"), { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.prepare("SELECT version FROM SchemaVersion").pluck().all()).toEqual([SCHEMA_VERSION]);
    } finally {
      db.close();
    }
  });

  it("refuses a database with a newer schema version", async () => {
    const { store, root } = await tempStore();
    store.close();
    const db = new Database(join(root, "var", "db.sqlite"));
    db.prepare("UPDATE SchemaVersion SET version = ?").run(SCHEMA_VERSION + 1);
    db.close();
    const error = await Store.open(root).catch((e: unknown) => e);
    expect(isWheelwrightError(error, "ERR_WW_STORE")).toBe(true);
    expect((error as Error).message).toMatch(/newer/);
  });
});
