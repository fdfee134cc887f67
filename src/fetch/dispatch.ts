/**
 * Getting one fixed-output source into the store. The store path depends only on the
 * sha256 and filename; a valid path means nothing is fetched. Otherwise, inside the store's
 * atomic `realise`, each fetcher's attempts run in order — cheapest first — until one
 * delivers exactly the pinned bytes. Anything else throws from the build callback, so the
 * store discards the temp output and registers nothing.
 */
import { rm } from "node:fs/promises";
import { WheelwrightError, isWheelwrightError } from "../errors.js";
import { fixedOutputPath, type StorePath } from "../store/index.js";
import type { Attempt, Fetcher, FetchContext, Trail } from "./fetcher.js";
import { findLinksFetcher } from "./find-links.js";
import { mirrorFetcher } from "./mirror.js";
import { projectNameOf } from "./names.js";
import { pathFetcher, storeCopyFetcher } from "./path-fetcher.js";
import { startProgress } from "./progress.js";
import type { FileSource, SourceKind } from "./source.js";
import { urlFetcher } from "./url-fetcher.js";
import { SizeMismatchError, checkWritten, earlySizeError, normaliseSha256 } from "./verify.js";

/**
 * The fetchers, cheapest first: bytes already in the store under another name, find-links
 * directories, the source's own local path or `file:` URL, mirrors, then its network URL.
 * Every result is verified, so the order only decides cost, never trust.
 */
export const FETCHERS: readonly Fetcher[] = [storeCopyFetcher, findLinksFetcher, pathFetcher, mirrorFetcher, urlFetcher];

interface Failure {
  location: string;
  error: WheelwrightError;
}

class RecordingTrail implements Trail {
  readonly places: string[] = [];
  readonly failures: Failure[] = [];
  looked(description: string): void {
    this.places.push(description);
  }
  failed(location: string, error: WheelwrightError): void {
    this.failures.push({ location, error });
    this.places.push(`${location} (${summarise(error)})`);
  }
}

/** A failure in a few words for the list of places looked (the location is already there). */
function summarise(error: WheelwrightError): string {
  const actual = error.details?.actual;
  if (error.code === "ERR_WW_HASH_MISMATCH" && typeof actual === "string") {
    const bytes = error.details?.bytes;
    const expectedSize = error.details?.expectedSize;
    return typeof bytes === "number" && typeof expectedSize === "number" && bytes !== expectedSize ? `wrong content: ${bytes} bytes, sha256 ${actual}` : `wrong content: sha256 ${actual}`;
  }
  return firstLine(error.message);
}

function firstLine(text: string): string {
  const newline = text.indexOf("\n");
  return newline < 0 ? text : text.slice(0, newline);
}

/**
 * Realise `source` in the store and return its store path (a name inside the store
 * directory; `store.toRealPath` locates the file).
 */
export async function realiseSource(source: FileSource, ctx: FetchContext, fetchers: readonly Fetcher[] = FETCHERS): Promise<StorePath> {
  const sha256 = normaliseSha256(source.sha256, source.filename);
  const pinned: FileSource = { ...source, sha256 };
  const storePath = fixedOutputPath(sha256, source.filename);
  // Always through realise, even when valid: it also makes the path a temp GC root of this
  // process, so a concurrent gc cannot delete it before the caller roots what uses it.
  let delivered = false;
  await ctx.store.realise(
    storePath,
    async (tmpOut) => {
      await transfer(pinned, ctx.store.toRealPath(storePath), tmpOut, ctx, fetchers);
      delivered = true;
    },
    { ca: `fixed:sha256:${sha256}` },
  );
  // Already valid (or fetched by another process while realise waited for its lock).
  if (!delivered) ctx.events?.emit({ type: "fetch-end", name: source.filename, bytes: 0, source: "store" });
  return storePath;
}

async function transfer(source: FileSource, storePath: string, tmpOut: string, ctx: FetchContext, fetchers: readonly Fetcher[]): Promise<void> {
  const packageName = projectNameOf(source.filename);
  const trail = new RecordingTrail();
  trail.looked(`store ${storePath} (not present)`);
  // A mirror entry may point at the source's own URL: one try per location is enough.
  const tried = new Set<string>();
  for (const fetcher of fetchers) {
    if (!fetcher.supports(source, ctx)) continue;
    for await (const attempt of fetcher.attempts(source, ctx, trail)) {
      ctx.signal?.throwIfAborted();
      if (tried.has(attempt.location)) continue;
      tried.add(attempt.location);
      const kind = await runAttempt(attempt, source, tmpOut, ctx, trail, packageName);
      if (kind !== undefined) return;
    }
  }
  await rm(tmpOut, { force: true, recursive: true });
  throw nowhereError(source, ctx, trail, packageName);
}

/** Run one attempt; the SourceKind on success, undefined after a recorded failure. */
async function runAttempt(attempt: Attempt, source: FileSource, tmpOut: string, ctx: FetchContext, trail: RecordingTrail, packageName: string | undefined): Promise<SourceKind | undefined> {
  await rm(tmpOut, { force: true, recursive: true });
  const progress = startProgress(ctx.events, source.filename, attempt.location, source.size);
  let failure: WheelwrightError;
  try {
    const written = await attempt.run(tmpOut, { onBytes: (bytes) => progress.bytes(bytes), onRestart: () => progress.restart() });
    const mismatch = checkWritten(source, source.sha256, attempt.location, written, packageName);
    if (mismatch === undefined) {
      progress.end(written.bytes, attempt.kind);
      return attempt.kind;
    }
    failure = mismatch;
  } catch (error) {
    if (error instanceof SizeMismatchError) failure = earlySizeError(source, source.sha256, attempt.location, error, packageName);
    else if (isWheelwrightError(error)) failure = error;
    else throw error; // aborts, disk errors, bugs: not a reason to try elsewhere
  }
  trail.failed(attempt.location, failure);
  ctx.events?.emit({
    type: "log",
    level: failure.code === "ERR_WW_HASH_MISMATCH" ? "warn" : "debug",
    message: firstLine(failure.message),
    ...(packageName === undefined ? {} : { package: packageName }),
  });
  return undefined;
}

/** The error for a source that no place could deliver. */
function nowhereError(source: FileSource, ctx: FetchContext, trail: RecordingTrail, packageName: string | undefined): WheelwrightError {
  const pkg = packageName === undefined ? {} : { package: packageName };
  const places = trail.places.map((place) => `\n  - ${place}`).join("");
  const last = trail.failures.at(-1);
  if (last !== undefined) {
    // One failure is the whole story; several get the list of places appended.
    if (trail.places.length <= 2) return last.error;
    return new WheelwrightError(last.error.code, `${last.error.message}\nlooked in:${places}`, {
      ...last.error.location,
      ...pkg,
      ...(last.error.hint === undefined ? {} : { hint: last.error.hint }),
      cause: last.error,
      details: { ...last.error.details, looked: trail.places },
    });
  }
  const networkUrl = source.url !== undefined && /^https?:\/\//i.test(source.url) ? source.url : undefined;
  if (ctx.offline) {
    return new WheelwrightError("ERR_WW_OFFLINE_MISSING", `offline: ${source.filename}${packageName === undefined ? "" : ` (package ${packageName})`} is in no local source; looked in:${places}`, {
      file: source.filename,
      ...pkg,
      hint: `Put ${source.filename} in a directory passed with --find-links (or a file: mirror), or drop --offline${networkUrl === undefined ? "" : ` to download it from ${networkUrl}`}.`,
      details: { looked: trail.places, sha256: source.sha256 },
    });
  }
  return new WheelwrightError("ERR_WW_FETCH", `no source for ${source.filename}${packageName === undefined ? "" : ` (package ${packageName})`}; looked in:${places}`, {
    file: source.filename,
    ...pkg,
    hint: "Give the lock entry a url or path, or provide the file with --find-links or a mirror.",
    details: { looked: trail.places, sha256: source.sha256 },
  });
}
