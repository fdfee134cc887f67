/** The store's public API. */
export { Store } from "./store.js";
export type { StoreOpenOptions } from "./store.js";
export type { PathInfo } from "./db.js";
export type { BuildOutput, RealiseOptions } from "./realise.js";
export type { GcOptions, GcResult } from "./gc.js";
export type { VerifyOptions, VerifyResult, CorruptPath } from "./verify.js";
export type { RootInfo } from "./roots.js";
export { swapSymlink } from "./roots.js";
export { defaultStoreRoot, storeLayout, STORE_LAYOUT_VERSION } from "./layout.js";
export type { StoreLayout } from "./layout.js";
export {
  parseStorePath,
  isStorePath,
  makeStorePath,
  fixedOutputPath,
  storePathHashPart,
  storePathName,
  checkStorePathName,
  HASH_PART_LENGTH,
} from "./path.js";
export type { StorePath } from "./path.js";
export { encodeNixBase32, decodeNixBase32, compressHash, nixBase32Length, NIX_BASE32_ALPHABET } from "./nix-base32.js";
export { narChunks, narHash, writeNar } from "./nar.js";
export type { NarHash } from "./nar.js";
export { CANONICAL_MTIME } from "./normalise.js";
export { SCHEMA_VERSION } from "./schema.js";
