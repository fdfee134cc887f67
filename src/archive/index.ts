/** Safe reading of wheels (zip) and sdists (tar, tar.gz, zip). See README.md for the contract. */
import { badFormat } from "./errors.js";
import { detectKind, readHead, refuseUnreadable } from "./sniff.js";
import { extractTar } from "./tar.js";
import type { ExtractOptions, ExtractedFile } from "./types.js";
import { extractZip } from "./zip.js";

export { defaultLimits, resolveLimits, RATIO_GRACE_BYTES, type ArchiveLimits } from "./limits.js";
export type { ArchiveEntry, ExtractOptions, ExtractedFile } from "./types.js";
export { checkEntryName, checkLinkTarget, type NameCheck } from "./paths.js";
export { detectKind, type ArchiveKind } from "./sniff.js";
export { listZip, readZipEntry, extractZip, openZip, type ZipArchive } from "./zip.js";
export { extractTar } from "./tar.js";
export { crc32 } from "./crc32.js";

/** Extracts a zip or (compressed) tar, chosen by the file's magic bytes, not its name. */
export async function extractArchive(path: string, dest: string, options?: ExtractOptions): Promise<ExtractedFile[]> {
  const kind = detectKind(await readHead(path));
  if (kind === undefined) throw badFormat(path, undefined, "is neither a zip nor a tar archive");
  refuseUnreadable(path, kind);
  return kind === "zip" ? extractZip(path, dest, options) : extractTar(path, dest, options);
}
