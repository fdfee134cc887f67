/**
 * The contract of the fetch stage: what a fixed-output source is, what the caller passes in,
 * and the narrow slice of the store that fetching needs.
 */
import type { Events } from "../events/emitter.js";
import type { Store } from "../store/index.js";

/** One distribution file (wheel or sdist) pinned by content hash, as a lock file records it. */
export interface FileSource {
  filename: string;
  /** sha256 of the file, hex (normalised to lowercase). */
  sha256: string;
  /** Expected size in bytes; when given, a different size is a hash mismatch. */
  size?: number;
  /** Where the file lives upstream: `https:`, `http:` or `file:` URL. */
  url?: string;
  /** A local path, absolute or relative to `FetchOptions.baseDir`. */
  path?: string;
}

/**
 * What fetching needs from the store: validity, atomic `realise` (the build callback writes
 * a file at `tmpOut`; if it throws, nothing is registered) and locating a path on disk.
 */
export type FetchStore = Pick<Store, "isValid" | "realise" | "toRealPath">;

export interface FetchOptions {
  store: FetchStore;
  /** Local directories (or `file:` URLs of directories) holding distribution files. */
  findLinks?: string[];
  /** Simple-repository base URLs (PEP 503 HTML / PEP 691 JSON), `file:` or `http(s):`. */
  mirrors?: string[];
  /** Never touch the network (`http:`/`https:`); local sources only. */
  offline?: boolean;
  /** Simultaneous sources in flight (default 8). */
  concurrency?: number;
  /** Retries after a transient failure, per URL (default 3, so at most 4 attempts). */
  retries?: number;
  events?: Events;
  /** Directory that relative `FileSource.path`s and find-links entries are resolved against (default: cwd). */
  baseDir?: string;
  signal?: AbortSignal;
  /** First retry delay in ms before exponential growth and jitter (default 250). */
  retryBaseDelayMs?: number;
  /** Upper bound for one retry delay, including an honoured `Retry-After` (default 30 000). */
  retryMaxDelayMs?: number;
  /** A request is abandoned when no bytes arrive for this long (default 60 000). */
  idleTimeoutMs?: number;
}

/** Where bytes came from, as reported in `fetch-end` events. */
export type SourceKind = "network" | "mirror" | "local" | "store";

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_RETRIES = 3;
export const DEFAULT_RETRY_BASE_DELAY_MS = 250;
export const DEFAULT_RETRY_MAX_DELAY_MS = 30_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
