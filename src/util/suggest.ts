/**
 * Near-miss suggestions for "unknown X" errors. The distance is optimal string alignment:
 * Levenshtein plus adjacent transpositions at cost 1, the commonest typo (`nmupy` → `numpy`).
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** Up to `limit` candidates within a distance budget scaled to the word's length. */
export function closestNames(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const budget = Math.max(1, Math.floor(word.length / 3));
  const scored: [number, string][] = [];
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance <= budget) scored.push([distance, candidate]);
  }
  return scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1])).slice(0, limit).map(([, c]) => c);
}
