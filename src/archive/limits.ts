/**
 * Resource limits applied while reading untrusted archives. Every limit is checked against
 * what the archive *declares* before anything is read, and again against the bytes actually
 * produced while streaming, so a header that lies cannot get past either check.
 */

export interface ArchiveLimits {
  /** Most entries (files, directories, links) one archive may hold. */
  maxEntries: number;
  /** Most bytes all entries may expand to, together. */
  maxTotalBytes: number;
  /** Most bytes any single entry may expand to. */
  maxEntryBytes: number;
  /**
   * Largest expanded/compressed ratio allowed, per zip entry and for a whole compressed tar
   * stream. Only enforced once the expanded side passes `RATIO_GRACE_BYTES`, so tiny
   * repetitive files (empty `__init__.py`, zero-filled fixtures) never trip it.
   */
  maxCompressionRatio: number;
}

/**
 * Defaults sized for real Python distributions, with headroom:
 * - 100k entries: the largest wheels seen (e.g. big SDKs) hold ~30k files.
 * - 8 GiB total / 4 GiB per entry: CUDA-bundling wheels reach ~3 GiB; anything past this
 *   is a bomb or a mistake, and 4 GiB is also where zip needs zip64 per entry.
 * - ratio 1000: one layer of deflate cannot exceed ~1032:1, so only an entry that is almost
 *   entirely one repeated byte comes near it. The worst real file (> 64 KiB) among the 103
 *   distributions of the reference interpreter's site-packages is 234:1 (see README), so this
 *   leaves ~4x headroom while refusing multi-megabyte runs of zeros early, before the byte
 *   limits (which are what ultimately bound a bomb) are reached.
 */
export const defaultLimits: ArchiveLimits = Object.freeze({
  maxEntries: 100_000,
  maxTotalBytes: 8 * 1024 ** 3,
  maxEntryBytes: 4 * 1024 ** 3,
  maxCompressionRatio: 1000,
});

/** Below this many expanded bytes the compression ratio is not judged (see maxCompressionRatio). */
export const RATIO_GRACE_BYTES = 1024 * 1024;

/** Fills the limits a caller left out with the defaults and rejects nonsense values. */
export function resolveLimits(partial?: Partial<ArchiveLimits>): ArchiveLimits {
  const limits = { ...defaultLimits, ...(partial ?? {}) };
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new Error(`archive limit ${key} must be a non-negative number, got ${String(value)}`);
    }
  }
  return limits;
}

/** True when `expanded` bytes from `compressed` bytes exceed the ratio limit (after the grace). */
export function ratioExceeded(expanded: number, compressed: number, limits: ArchiveLimits): boolean {
  if (expanded <= RATIO_GRACE_BYTES) return false;
  return expanded / Math.max(compressed, 1) > limits.maxCompressionRatio;
}
