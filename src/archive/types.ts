import type { ArchiveLimits } from "./limits.js";

/** One entry of an archive, after its name has been validated and normalised. */
export interface ArchiveEntry {
  /** Normalised posix relative path: no leading `./`, no trailing `/`, no `.`/`..`/empty parts. */
  name: string;
  type: "file" | "directory" | "symlink";
  /** Expanded size in bytes (0 for directories; for symlinks, the target's length). */
  size: number;
  /** Permission bits (`& 0o777`) as recorded in the archive; 0 when the archive records none. */
  mode: number;
  /** Any execute bit set on a regular file. */
  executable: boolean;
  /** Symlink target as stored (validated to be relative). Hardlinks are reported as files. */
  linkTarget?: string;
}

/** A regular file written by an extraction. Directories and symlinks are not listed. */
export interface ExtractedFile {
  /** The archive entry name (normalised, before stripComponents/map). */
  name: string;
  /** Absolute path written. */
  dest: string;
  size: number;
  /** sha256 of the bytes written, computed while writing. */
  sha256: Buffer;
  executable: boolean;
  /** The bytes written, for files up to `ExtractOptions.keepContents` bytes (zip only). */
  data?: Buffer;
}

export interface ExtractOptions {
  limits?: Partial<ArchiveLimits>;
  /** Drop this many leading path components (entries with no more components are skipped). */
  stripComponents?: number;
  /**
   * Where an entry goes, relative to dest, or null to skip it. Called after stripComponents;
   * the returned path is validated like an entry name.
   */
  map?: (entry: ArchiveEntry) => string | null;
  /** Default false for zip (wheels), true for tar (sdists). Targets must stay inside dest. */
  allowSymlinks?: boolean;
  /**
   * Keep the content of files up to this many bytes in `ExtractedFile.data` (zip only; only
   * files that arrive whole in memory are kept, at most 1 MiB each). Default 0: none.
   */
  keepContents?: number;
}
