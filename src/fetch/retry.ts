/**
 * Retrying transient failures with exponential backoff and jitter. Only errors explicitly
 * marked transient are retried; everything else (4xx, hash mismatch, disk errors) fails at once.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** A failure worth another attempt: a reset connection, a timeout, a 5xx, a 429. */
export class TransientError extends Error {
  constructor(
    message: string,
    /** How long the server asked us to wait (Retry-After), if it did. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "TransientError";
  }
}

export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal | undefined;
  /** Told before each wait, e.g. to emit a debug event. */
  onRetry?: (error: TransientError, attempt: number, delayMs: number) => void;
}

/** The wait before retry number `attempt` (1-based): base·2^(attempt-1), halved-jittered, capped. */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">, retryAfterMs?: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": at least half the exponential delay, so retries never bunch up at zero.
  const jittered = exponential / 2 + random() * (exponential / 2);
  const wanted = retryAfterMs === undefined ? jittered : Math.max(jittered, retryAfterMs);
  return Math.min(policy.maxDelayMs, Math.round(wanted));
}

/**
 * Run `attempt` until it succeeds, throws a non-transient error, or `retries` retries are
 * used up (then the last TransientError is rethrown for the caller to turn into a user error).
 */
export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let n = 1; ; n++) {
    policy.signal?.throwIfAborted();
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof TransientError) || n > policy.retries) throw error;
      policy.signal?.throwIfAborted();
      const delay = backoffDelay(n, policy, error.retryAfterMs);
      policy.onRetry?.(error, n, delay);
      await sleep(delay, undefined, policy.signal === undefined ? {} : { signal: policy.signal });
    }
  }
}

/**
 * Parse a Retry-After header: delta-seconds or an HTTP date. Returns milliseconds from `now`,
 * or undefined when absent or unparsable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
