/**
 * Fetching fixed-output sources (wheels, sdists) into the store: store → find-links →
 * local path → mirrors → URL, every result verified against the pinned sha256 (and size).
 */
import { clearFindLinksCache } from "./find-links.js";
import { clearMirrorCache } from "./mirror.js";
import { FetchSession } from "./pool.js";
import type { FetchOptions, FileSource } from "./source.js";
import type { StorePath } from "../store/index.js";

export type { FetchOptions, FetchStore, FileSource, SourceKind } from "./source.js";
export type { Attempt, Fetcher, FetchContext, Trail, TransferHooks } from "./fetcher.js";
export type { IndexFile } from "./simple-types.js";
export type { ProjectPage } from "./mirror.js";
export { FetchSession, createFetchContext } from "./pool.js";
export { FETCHERS, realiseSource } from "./dispatch.js";
export { fetchProjectPage, pickFiles, projectPageUrl, SIMPLE_ACCEPT } from "./mirror.js";
export { parseSimpleHtml } from "./simple-html.js";
export { parseSimpleJson, SIMPLE_JSON_TYPE } from "./simple-json.js";
export { findInDirectory, hashLocalFile } from "./find-links.js";
export { projectNameOf } from "./names.js";
export { backoffDelay, parseRetryAfter } from "./retry.js";

/**
 * Fetch one source into the store (if not already valid); resolves to its store path (a
 * name in the store directory: `store.toRealPath(path)` is the file).
 */
export async function fetchSource(source: FileSource, options: FetchOptions): Promise<StorePath> {
  return new FetchSession(options).fetch(source);
}

/**
 * Fetch many sources, at most `options.concurrency` at a time, each sha256 transferred once.
 * Resolves to sha256 → store path.
 */
export async function fetchSources(sources: FileSource[], options: FetchOptions): Promise<Map<string, StorePath>> {
  return new FetchSession(options).fetchAll(sources);
}

/** Forget the process-wide caches (find-links listings and hashes, mirror project pages). */
export function clearFetchCaches(): void {
  clearFindLinksCache();
  clearMirrorCache();
}
