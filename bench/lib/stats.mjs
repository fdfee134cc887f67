// Summaries of repeated measurements. Medians, not means: on a shared, disk-heavy machine a
// single stalled run would drag a mean far from the typical cost.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `{ n, min, median, max }` of a list of numbers. */
export function summarize(values) {
  return { n: values.length, min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/**
 * Ratios a[i]/b[i] of runs made as a pair (same round of an alternation), summarized. Pairing
 * cancels slow drift of the machine that a ratio of two medians would keep.
 */
export function pairedRatios(a, b) {
  const n = Math.min(a.length, b.length);
  const ratios = Array.from({ length: n }, (_, i) => a[i] / b[i]);
  return { ...summarize(ratios), values: ratios };
}
