/**
 * A fetch session: one resolved context, a bound on sources in flight, and de-duplication.
 * The same sha256 is transferred once per session: a second source with that hash waits for
 * the first and, under another filename, is copied from its store path rather than fetched.
 * A scheduler that fetches per derivation should share one session so the bound holds.
 */
import { resolve } from "node:path";
import pLimit, { type LimitFunction } from "p-limit";
import { realiseSource } from "./dispatch.js";
import type { FetchContext } from "./fetcher.js";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  type FetchOptions,
  type FileSource,
} from "./source.js";
import { normaliseSha256 } from "./verify.js";
import { fixedOutputPath, type StorePath } from "../store/index.js";

function positiveInteger(value: number | undefined, fallback: number, what: string, minimum = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < minimum) throw new Error(`fetch option ${what} must be an integer ≥ ${minimum}, got ${value}`);
  return value;
}

/** Resolve options into the context fetchers read (defaults applied once, here). */
export function createFetchContext(options: FetchOptions): FetchContext {
  const baseDir = resolve(options.baseDir ?? process.cwd());
  const events = options.events;
  return {
    store: options.store,
    findLinks: options.findLinks ?? [],
    mirrors: options.mirrors ?? [],
    offline: options.offline ?? false,
    baseDir,
    events,
    signal: options.signal,
    knownCopies: new Map(),
    http: {
      idleTimeoutMs: positiveInteger(options.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS, "idleTimeoutMs"),
      retry: {
        retries: positiveInteger(options.retries, DEFAULT_RETRIES, "retries", 0),
        baseDelayMs: positiveInteger(options.retryBaseDelayMs, DEFAULT_RETRY_BASE_DELAY_MS, "retryBaseDelayMs", 0),
        maxDelayMs: positiveInteger(options.retryMaxDelayMs, DEFAULT_RETRY_MAX_DELAY_MS, "retryMaxDelayMs", 0),
        signal: options.signal,
      },
      onRetry: (url, reason, attempt, delayMs) => events?.emit({ type: "log", level: "debug", message: `${url}: ${reason}; retry ${attempt} in ${delayMs} ms` }),
    },
  };
}

export class FetchSession {
  readonly context: FetchContext;
  private readonly limit: LimitFunction;
  /** store path → its realisation (one per session). */
  private readonly byPath = new Map<string, Promise<StorePath>>();
  /** sha256 → the first realisation of those bytes. */
  private readonly bySha = new Map<string, Promise<StorePath>>();

  constructor(options: FetchOptions) {
    this.context = createFetchContext(options);
    this.limit = pLimit(positiveInteger(options.concurrency, DEFAULT_CONCURRENCY, "concurrency"));
  }

  /** Realise one source (bounded, de-duplicated); resolves to its store path. */
  fetch(source: FileSource): Promise<StorePath> {
    const sha256 = normaliseSha256(source.sha256, source.filename);
    const storePath = fixedOutputPath(sha256, source.filename);
    const existing = this.byPath.get(storePath);
    if (existing !== undefined) return existing;
    const first = this.bySha.get(sha256);
    const run = async (): Promise<StorePath> => {
      // Same bytes under another name: wait, so they are transferred once (then copied).
      if (first !== undefined) await first.catch(() => undefined);
      const path = await this.limit(() => realiseSource({ ...source, sha256 }, this.context));
      if (!this.context.knownCopies.has(sha256)) this.context.knownCopies.set(sha256, path);
      return path;
    };
    const promise = run();
    this.byPath.set(storePath, promise);
    if (first === undefined) this.bySha.set(sha256, promise);
    return promise;
  }

  /**
   * Realise every source; resolves to sha256 → store path (the first source's path when one
   * hash appears under several names). All sources are attempted; the first error (in input
   * order) is thrown after the others have settled, so no transfer is left running.
   */
  async fetchAll(sources: FileSource[]): Promise<Map<string, StorePath>> {
    const settled = await Promise.allSettled(
      sources.map((source) => {
        try {
          return this.fetch(source);
        } catch (error) {
          return Promise.reject(error); // a malformed hash must not strand the transfers already started
        }
      }),
    );
    const result = new Map<string, StorePath>();
    for (const [index, outcome] of settled.entries()) {
      if (outcome.status === "rejected") throw outcome.reason;
      const sha256 = normaliseSha256(sources[index]!.sha256, sources[index]!.filename);
      if (!result.has(sha256)) result.set(sha256, outcome.value);
    }
    return result;
  }
}
