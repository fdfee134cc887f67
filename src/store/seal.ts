/**
 * Sealing a build output: making it canonical (`normaliseTree`) and then computing its NAR
 * hash. `realise` seals every output after its build, unless the build sealed it itself
 * (a wheel installed in a worker thread is sealed there, next to the bytes it just wrote)
 * and said so with `BuiltOutput.sealed` (`sealBuilt` takes either). One function for both, so both give the same tree and hash.
 */
import { narHash, type NarHash } from "./nar.js";
import { normaliseTree } from "./normalise.js";
import type { BuiltOutput } from "./realise.js";

export interface SealOptions {
  /** fsync every file and directory (the store's setting, passed to the build). */
  fsync: boolean;
  /** Bytes the build holds of files it wrote (see `NarOptions.known`). */
  known?: ReadonlyMap<string, Buffer>;
}

export async function sealOutput(path: string, options: SealOptions): Promise<NarHash> {
  await normaliseTree(path, { fsync: options.fsync });
  return narHash(path, options.known !== undefined ? { known: options.known } : {});
}

/** The NAR hash of a build's output: the one the build sealed it with, else `sealOutput` with the bytes it handed over. */
export function sealBuilt(path: string, built: void | BuiltOutput, fsync: boolean): Promise<NarHash> {
  if (built?.sealed !== undefined) return Promise.resolve(built.sealed);
  return sealOutput(path, { fsync, ...(built?.contents !== undefined ? { known: built.contents } : {}) });
}
