// A child realising paths is SIGKILLed at random moments, many times. After every kill the
// store must be consistent: every registered path verifies and is complete, temp dirs of the
// dead child are cleaned on open, at most the path being renamed sits unregistered in store/,
// and the next run realises the same paths (breaking the dead child's lock).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Store, makeStorePath } from "../../src/store/index.js";
import { removeTree } from "../../src/store/normalise.js";
import { compileStoreForChildren } from "./compiled-store.js";

const PATHS = 16;
const KILLS = 30;

let storeModule: string;
let root: string;

beforeAll(() => {
  storeModule = pathToFileURL(compileStoreForChildren()).href;
  root = mkdtempSync(join(tmpdir(), "ww-kill-"));
}, 120_000);

afterAll(() => {
  if (root) removeTree(root);
});

interface Child {
  /** Resolves once the child has opened the store and is about to realise. */
  ready: Promise<void>;
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
  kill: () => void;
}

function startChild(): Child {
  const child = spawn(process.execPath, [join(import.meta.dirname, "fixtures", "kill-child.mjs"), storeModule, root, String(PATHS)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on("data", (d: Buffer) => {
    stdout += d;
    if (stdout.startsWith("ready\n")) onReady();
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  // "close" fires after the process is reaped, so it cannot linger as a zombie holding locks.
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  void done.then(() => onReady());
  return { ready, done, kill: () => child.kill("SIGKILL") };
}

async function checkConsistent(): Promise<{ valid: number; unregistered: string[] }> {
  const store = await Store.open(root, { fsync: false });
  try {
    // Opening removed the dead child's temp directories.
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
    const report = await store.verify();
    expect(report.missing).toEqual([]);
    expect(report.corrupt).toEqual([]);
    // Only the path caught between rename and registration can be an unregistered leftover.
    expect(report.unregistered.length).toBeLessThanOrEqual(1);
    for (const info of store.list()) {
      const real = store.toRealPath(info.path);
      // Registered means complete: the marker written last is there, and so is every file.
      expect(readFileSync(join(real, "DONE"), "utf8")).toBe(info.path);
      for (let d = 0; d < 4; d++) expect(readdirSync(join(real, `d${d}`))).toHaveLength(10);
    }
    return { valid: report.checked, unregistered: report.unregistered };
  } finally {
    store.close();
  }
}

describe("SIGKILL during realise", () => {
  it(`leaves a consistent store after ${KILLS} kills at random moments`, async () => {
    const outcomes = { killed: 0, finished: 0, leftovers: 0 };
    const progress: number[] = [];
    for (let round = 0; round < KILLS; round++) {
      const child = startChild();
      // Start-up time varies a lot with machine load, so most kills are timed from the moment
      // the child is ready to realise (hitting build, normalise, hash, rename, register);
      // every fifth is timed from spawn instead, to also hit opening the store.
      if (round % 5 === 4) await sleep(Math.random() * 300);
      else {
        await child.ready;
        await sleep(Math.random() * 250);
      }
      child.kill();
      const result = await child.done;
      if (result.signal === "SIGKILL") outcomes.killed++;
      else {
        expect(result.code, result.stderr).toBe(0);
        outcomes.finished++;
      }
      const state = await checkConsistent();
      if (state.unregistered.length > 0) outcomes.leftovers++;
      progress.push(state.valid);
    }
    console.log("kill outcomes", JSON.stringify(outcomes), "valid paths after each kill:", progress.join(","));
    expect(outcomes.killed).toBeGreaterThan(0);

    // A run to completion realises every path, replacing any leftover and breaking dead locks.
    const final = await startChild().done;
    expect(final.code, final.stderr).toBe(0);
    expect(final.stdout).toBe("ready\ncomplete\n");
    const state = await checkConsistent();
    expect(state).toEqual({ valid: PATHS, unregistered: [] });
    const store = await Store.open(root, { fsync: false });
    try {
      for (let i = 0; i < PATHS; i++) expect(store.isValid(makeStorePath(`kill-${i}`, `kill-${i}`))).toBe(true);
      expect(existsSync(join(root, "store"))).toBe(true);
      expect(readdirSync(join(root, "store"))).toHaveLength(PATHS);
    } finally {
      store.close();
    }
  }, 300_000); // 30 real process spawns: seconds on an idle machine, much more under load
});
