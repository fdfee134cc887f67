// A throw-away store under os.tmpdir() for tests. Call `cleanup()` (or use `useTempStore` in
// a describe block) to close it and delete it, read-only store paths included.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { Store } from "../../src/store/index.js";
import type { StoreOpenOptions } from "../../src/store/index.js";
import { removeTree } from "../../src/store/normalise.js";

export interface TempStore {
  store: Store;
  root: string;
  /** Closes the store (if still open) and deletes the whole root. */
  cleanup(): void;
}

/** A fresh store; fsync is off by default because tests do not survive power loss anyway. */
export async function makeTempStore(options: StoreOpenOptions = {}): Promise<TempStore> {
  const root = mkdtempSync(join(tmpdir(), "ww-store-"));
  const store = await Store.open(root, { fsync: false, ...options });
  return {
    store,
    root,
    cleanup() {
      try {
        store.close();
      } catch {
        // already closed
      }
      removeTree(root);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Registers an afterEach that cleans up every store this returns during the test. */
export function useTempStore(): (options?: StoreOpenOptions) => Promise<TempStore> {
  const made: TempStore[] = [];
  afterEach(() => {
    for (const temp of made.splice(0)) temp.cleanup();
  });
  return async (options) => {
    const temp = await makeTempStore(options);
    made.push(temp);
    return temp;
  };
}
