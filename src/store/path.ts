/**
 * Store path names. A `StorePath` is the base name of an entry of `<root>/store/`:
 * `<32 chars of nix-base32>-<name>`, where the hash part encodes 20 bytes (160 bits) and the
 * name follows Nix's rules. It never includes the store directory, so a path means the same
 * thing in every store (`Store.toRealPath` gives the absolute location).
 */
import { createHash } from "node:crypto";
import { WheelwrightError } from "../errors.js";
import { compressHash, encodeNixBase32, isNixBase32 } from "./nix-base32.js";

declare const storePathBrand: unique symbol;
/** A validated store path base name. Made only by `parseStorePath` / `makeStorePath`. */
export type StorePath = string & { readonly [storePathBrand]: true };

export const HASH_PART_LENGTH = 32;
/** Nix limits names to 211 characters so a whole base name fits common file name limits. */
export const MAX_NAME_LENGTH = 211;
const NAME_CHARS = /^[A-Za-z0-9+\-._?=]+$/;

/** Throws ERR_WW_STORE_PATH when `name` cannot be the name part of a store path. */
export function checkStorePathName(name: string): void {
  let problem: string | undefined;
  if (name.length === 0) problem = "it is empty";
  else if (name.length > MAX_NAME_LENGTH) problem = `it is longer than ${MAX_NAME_LENGTH} characters`;
  else if (name.startsWith(".")) problem = "it starts with '.'";
  else if (!NAME_CHARS.test(name)) problem = "it has characters outside [A-Za-z0-9+-._?=]";
  if (problem !== undefined) {
    throw new WheelwrightError("ERR_WW_STORE_PATH", `invalid store path name ${JSON.stringify(name)}: ${problem}`, {
      hint: "Store path names may use letters, digits and + - . _ ? = and must not start with a dot.",
    });
  }
}

/** Validates a base name `<hash>-<name>`; throws ERR_WW_STORE_PATH otherwise. */
export function parseStorePath(baseName: string): StorePath {
  const hashPart = baseName.slice(0, HASH_PART_LENGTH);
  if (baseName.length < HASH_PART_LENGTH + 2 || baseName[HASH_PART_LENGTH] !== "-" || !isNixBase32(hashPart)) {
    throw new WheelwrightError("ERR_WW_STORE_PATH", `invalid store path ${JSON.stringify(baseName)}`, {
      hint: "A store path is <32 characters of nix-base32>-<name>, e.g. 0mdqa9w1p6cmli6976v4wi0sw9r4p5pr-requests-2.31.0.",
    });
  }
  checkStorePathName(baseName.slice(HASH_PART_LENGTH + 1));
  return baseName as StorePath;
}

export function isStorePath(baseName: string): baseName is StorePath {
  try {
    parseStorePath(baseName);
    return true;
  } catch {
    return false;
  }
}

export function storePathHashPart(path: StorePath): string {
  return path.slice(0, HASH_PART_LENGTH);
}

export function storePathName(path: StorePath): string {
  return path.slice(HASH_PART_LENGTH + 1);
}

/**
 * Makes a store path from a digest or a fingerprint.
 * - bytes: a digest; folded to 20 bytes with `compressHash` when longer (Nix's truncation).
 * - string: a fingerprint (any text, e.g. a derivation's canonical JSON); its SHA-256 is folded.
 */
export function makeStorePath(hash: Uint8Array | string, name: string): StorePath {
  checkStorePathName(name);
  const digest = typeof hash === "string" ? createHash("sha256").update(hash, "utf8").digest() : hash;
  if (digest.length < 20) throw new Error(`store path digest must have at least 20 bytes, got ${digest.length}`);
  const folded = digest.length === 20 ? digest : compressHash(digest, 20);
  return `${encodeNixBase32(folded)}-${name}` as StorePath;
}

/**
 * The path of a fixed-output source: depends only on the SHA-256 of the file's bytes (a flat
 * hash, as in a lock file) and the name, so one file fetched from two URLs is one path.
 * Fingerprint: `wheelwright-fixed:sha256:<lowercase hex>:<name>` (see README.md).
 */
export function fixedOutputPath(sha256Hex: string, name: string): StorePath {
  const hex = sha256Hex.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new WheelwrightError("ERR_WW_STORE_PATH", `invalid SHA-256 ${JSON.stringify(sha256Hex)} for fixed-output path ${name}`, {
      hint: "Pass the 64 lowercase hexadecimal digits of the content's SHA-256.",
    });
  }
  return makeStorePath(`wheelwright-fixed:sha256:${hex}:${name}`, name);
}
