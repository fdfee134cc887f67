/** One file listed on a simple-repository project page, in either format (PEP 503 / PEP 691). */
export interface IndexFile {
  filename: string;
  /** Absolute URL (relative links already resolved), without the hash fragment. */
  url: string;
  /** Hash name → lowercase hex digest, e.g. `{ sha256: "…" }`; may be empty. */
  hashes: Record<string, string>;
  size?: number;
  requiresPython?: string;
  /** `true`, or the reason given, when the file is yanked (PEP 592). */
  yanked?: true | string;
  /** PEP 658/714: the `<url>.metadata` file exists; its hashes when given (else `{}`). */
  coreMetadata?: Record<string, string>;
}
