/**
 * The pluggable part of fetching. A `Fetcher` says whether it `supports()` a source and then
 * yields `Attempt`s — concrete places to copy the bytes from, cheapest first. The dispatcher
 * (dispatch.ts) runs attempts in order until one delivers the pinned bytes. A new kind of
 * source (say, an S3 bucket) is a new Fetcher, not a new branch in the dispatcher.
 */
import type { Events } from "../events/emitter.js";
import type { WheelwrightError } from "../errors.js";
import type { StorePath } from "../store/index.js";
import type { HttpContext } from "./http.js";
import type { FetchStore, FileSource, SourceKind } from "./source.js";
import type { Written } from "./verify.js";

/** Callbacks a transfer reports through; the dispatcher turns them into progress events. */
export interface TransferHooks {
  onBytes(bytes: number): void;
  /** A retry is starting the transfer over from byte zero. */
  onRestart(): void;
}

export interface Attempt {
  /** Where the bytes come from (URL or path), for events and messages. */
  location: string;
  kind: SourceKind;
  /** Write the file to `tmpOut` (replacing anything there); the dispatcher verifies it. */
  run(tmpOut: string, hooks: TransferHooks): Promise<Written>;
}

/** Where a fetch looked, for the error that says the file was nowhere. */
export interface Trail {
  /** A place that did not have the file (or was skipped), e.g. `find-links /w (no x.whl)`. */
  looked(description: string): void;
  /** A place that failed with a user-facing error; fetching goes on with the next place. */
  failed(location: string, error: WheelwrightError): void;
}

/** Everything a fetcher may use, resolved once per fetch session. */
export interface FetchContext {
  store: FetchStore;
  /** Absolute directories or `file:` URLs. */
  findLinks: string[];
  mirrors: string[];
  offline: boolean;
  baseDir: string;
  events: Events | undefined;
  http: HttpContext;
  signal: AbortSignal | undefined;
  /** sha256 → a valid store path with those bytes under another name (same file, two names). */
  knownCopies: Map<string, StorePath>;
}

export interface Fetcher {
  readonly name: string;
  supports(source: FileSource, ctx: FetchContext): boolean;
  /**
   * The attempts this fetcher can make for `source` (whose sha256 is already normalised).
   * Places without the file go to `trail.looked`; failures that should not stop other
   * places (an index page that errors) go to `trail.failed`.
   */
  attempts(source: FileSource, ctx: FetchContext, trail: Trail): AsyncIterable<Attempt>;
}
