/** The last resort: download a source from its own `http:`/`https:` URL. */
import { isLocalLocation, isNetworkUrl } from "./file.js";
import type { Attempt, Fetcher, FetchContext, Trail } from "./fetcher.js";
import { downloadToFile } from "./http.js";
import type { FileSource } from "./source.js";

export const urlFetcher: Fetcher = {
  name: "url",
  // file: URLs and bare paths belong to pathFetcher; any other scheme lands here to be reported.
  supports: (source: FileSource) => source.url !== undefined && source.url !== "" && !isLocalLocation(source.url),
  async *attempts(source: FileSource, ctx: FetchContext, trail: Trail): AsyncGenerator<Attempt> {
    const url = source.url!;
    if (!isNetworkUrl(url)) {
      trail.looked(`${url} (unsupported URL scheme)`);
      return;
    }
    if (ctx.offline) {
      trail.looked(`${url} (skipped: offline)`);
      return;
    }
    yield {
      location: url,
      kind: "network",
      run: (tmpOut, hooks) => downloadToFile(url, tmpOut, ctx.http, { size: source.size, onBytes: hooks.onBytes, onRestart: hooks.onRestart }),
    };
  },
};
