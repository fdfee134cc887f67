/**
 * Fetchers that copy from this machine: the same bytes already in the store under another
 * name, and a source's own local `path` or `file:` URL. A missing local file is "not here"
 * (so offline mode can report it among the places looked), not a failure.
 */
import { stat } from "node:fs/promises";
import { copyLocalFile, isLocalLocation, localPath } from "./file.js";
import type { Attempt, Fetcher, FetchContext, Trail } from "./fetcher.js";
import type { FileSource } from "./source.js";

/** Same sha256, different filename: copy from the store path that already holds the bytes. */
export const storeCopyFetcher: Fetcher = {
  name: "store-copy",
  supports: (source: FileSource, ctx: FetchContext) => ctx.knownCopies.has(source.sha256),
  async *attempts(source: FileSource, ctx: FetchContext): AsyncGenerator<Attempt> {
    const storePath = ctx.knownCopies.get(source.sha256);
    if (storePath === undefined || !ctx.store.isValid(storePath)) return;
    const path = ctx.store.toRealPath(storePath);
    yield { location: path, kind: "local", run: (tmpOut, hooks) => copyLocalFile(path, tmpOut, hooks.onBytes, source.size) };
  },
};

/** The locations of `source` that are on this machine, in the order they should be tried. */
function localLocations(source: FileSource): string[] {
  const locations: string[] = [];
  if (source.path !== undefined && source.path !== "") locations.push(source.path);
  if (source.url !== undefined && source.url !== "" && isLocalLocation(source.url)) locations.push(source.url);
  return locations;
}

export const pathFetcher: Fetcher = {
  name: "path",
  supports: (source: FileSource) => localLocations(source).length > 0,
  async *attempts(source: FileSource, ctx: FetchContext, trail: Trail): AsyncGenerator<Attempt> {
    for (const location of localLocations(source)) {
      const path = localPath(location, ctx.baseDir);
      const exists = await stat(path).then(
        (info) => info.isFile(),
        () => false,
      );
      if (!exists) {
        trail.looked(`${path} (no such file)`);
        continue;
      }
      yield { location: path, kind: "local", run: (tmpOut, hooks) => copyLocalFile(path, tmpOut, hooks.onBytes, source.size) };
    }
  },
};
