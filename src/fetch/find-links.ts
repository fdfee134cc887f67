/**
 * Local wheelhouses (`--find-links` directories): a file is used only when its name matches
 * and its sha256 is the pinned one. Directory listings and file hashes are cached for the
 * life of the process — hashes keyed by (path, size, mtime, inode), so a replaced file is
 * hashed again; listings are not re-read, so call `clearFetchCaches()` after writing into a
 * wheelhouse that this process already looked at.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { copyLocalFile, isNetworkUrl, localPath } from "./file.js";
import type { Attempt, Fetcher, FetchContext, Trail } from "./fetcher.js";
import type { FileSource } from "./source.js";

interface Listing {
  /** lowercase filename → actual filenames (usually one). */
  byLowerName: Map<string, string[]>;
  /** Why nothing could be listed (missing directory), if so. */
  problem?: string;
}

interface CachedHash {
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
}

const listings = new Map<string, Promise<Listing>>();
const hashes = new Map<string, CachedHash>();

/** Forget cached find-links listings and hashes (after the process wrote into a wheelhouse). */
export function clearFindLinksCache(): void {
  listings.clear();
  hashes.clear();
}

function listDirectory(dir: string): Promise<Listing> {
  let listing = listings.get(dir);
  if (listing === undefined) {
    listing = readListing(dir);
    listings.set(dir, listing);
  }
  return listing;
}

async function readListing(dir: string): Promise<Listing> {
  const byLowerName = new Map<string, string[]>();
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { byLowerName, problem: code === "ENOENT" ? "no such directory" : code === "ENOTDIR" ? "not a directory" : String(code ?? error) };
  }
  for (const entry of entries) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const key = entry.name.toLowerCase();
    const names = byLowerName.get(key);
    if (names === undefined) byLowerName.set(key, [entry.name]);
    else names.push(entry.name);
  }
  return { byLowerName };
}

/** sha256 of a local file, from the cache when its size, mtime and inode are unchanged. */
export async function hashLocalFile(path: string): Promise<{ sha256: string; size: number }> {
  const info = await stat(path);
  const cached = hashes.get(path);
  if (cached !== undefined && cached.size === info.size && cached.mtimeMs === info.mtimeMs && cached.ino === info.ino) {
    return { sha256: cached.sha256, size: cached.size };
  }
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  const sha256 = hash.digest("hex");
  hashes.set(path, { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, sha256 });
  return { sha256, size: info.size };
}

export type FindResult = { found: string } | { absent: string };

/**
 * Look for `filename` with content `sha256` in `dir`. An exact name is tried before
 * case-insensitive matches (wheelhouses on case-preserving file systems differ in case).
 */
export async function findInDirectory(dir: string, filename: string, sha256: string): Promise<FindResult> {
  const listing = await listDirectory(dir);
  if (listing.problem !== undefined) return { absent: listing.problem };
  const names = [...(listing.byLowerName.get(filename.toLowerCase()) ?? [])].sort((a, b) => (a === filename ? -1 : b === filename ? 1 : 0));
  if (names.length === 0) return { absent: `no ${filename}` };
  const wrong: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let actual;
    try {
      actual = await hashLocalFile(path);
    } catch {
      wrong.push(`${name} unreadable`);
      continue;
    }
    if (actual.sha256 === sha256) return { found: path };
    wrong.push(`${name} has sha256 ${actual.sha256}`);
  }
  return { absent: wrong.join("; ") };
}

/** Fetcher for find-links directories: cheapest after the store, never touches the network. */
export const findLinksFetcher: Fetcher = {
  name: "find-links",
  supports: (_source: FileSource, ctx: FetchContext) => ctx.findLinks.length > 0,
  async *attempts(source: FileSource, ctx: FetchContext, trail: Trail): AsyncGenerator<Attempt> {
    for (const entry of ctx.findLinks) {
      if (isNetworkUrl(entry)) {
        trail.looked(`find-links ${entry} (not a local directory: give index URLs as mirrors)`);
        continue;
      }
      const dir = localPath(entry, ctx.baseDir);
      const result = await findInDirectory(dir, source.filename, source.sha256);
      if ("absent" in result) {
        trail.looked(`find-links ${dir} (${result.absent})`);
        continue;
      }
      const path = result.found;
      yield {
        location: path,
        kind: "local",
        run: (tmpOut, hooks) => copyLocalFile(path, tmpOut, hooks.onBytes, source.size),
      };
    }
  },
};
