/**
 * Per-path locks kept as rows of the Locks table (see db.ts). Taking one is a single
 * transaction that either inserts our (pid, start) row or finds a live holder; a row left by
 * a process that died (even by SIGKILL) is simply overwritten. Waiting polls with exponential
 * backoff, so a waiter costs nothing while the holder builds.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { StoreDb } from "./db.js";
import type { StorePath } from "./path.js";
import { currentProcess } from "./process.js";
import type { ProcessId } from "./process.js";

const FIRST_DELAY_MS = 5;
const MAX_DELAY_MS = 250;

export interface HeldLock {
  path: StorePath;
  release(): void;
}

export interface LockWaitOptions {
  /** Called once when the lock is busy, before the first wait (e.g. to report "waiting"). */
  onWait?: (holder: ProcessId) => void;
  /** Stop waiting when aborted (acquire then rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Takes the lock of `path`, waiting for a live holder to finish. */
export async function acquirePathLock(db: StoreDb, path: StorePath, options: LockWaitOptions = {}): Promise<HeldLock> {
  const self = currentProcess();
  let delay = FIRST_DELAY_MS;
  let reported = false;
  for (;;) {
    const attempt = db.tryLock(path, self);
    if (attempt.acquired) {
      let held = true;
      return {
        path,
        release: () => {
          if (!held) return;
          held = false;
          db.unlock(path, self);
        },
      };
    }
    if (!reported) {
      reported = true;
      options.onWait?.(attempt.holder);
    }
    options.signal?.throwIfAborted();
    // Jitter keeps two waiters from polling in lockstep.
    await sleep(delay * (0.75 + Math.random() / 2));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
  }
}
