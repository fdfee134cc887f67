/**
 * Choosing a wheel for an interpreter: a wheel is compatible when any of its expanded tags is
 * supported; among compatible wheels the one whose best tag ranks highest (lowest index in
 * the supported list) wins. Ties go to the higher build tag, then the smaller file name, so
 * the choice never depends on input order.
 */
import { tryParseWheelFilename } from "./filenames.js";
import { isTagRanker, tagRanker, type Tag, type TagRanker } from "./tag-set.js";

export interface RankedWheel {
  filename: string;
  /** Index of the wheel's best tag in the supported-tag list. */
  rank: number;
  build: [number, string] | null;
}

function compareBuild(a: [number, string] | null, b: [number, string] | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] === b[1] ? 0 : a[1] < b[1] ? -1 : 1;
}

function better(a: RankedWheel, b: RankedWheel): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  const build = compareBuild(b.build, a.build); // higher build first
  if (build !== 0) return build;
  return a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0;
}

/**
 * Every compatible wheel among `filenames`, best first. File names that are not valid wheel
 * names are skipped (a lock may list odd files; they are simply never chosen).
 * Pass a prebuilt `tagRanker` when ranking many lists against the same interpreter.
 */
export function rankWheels(filenames: Iterable<string>, tags: readonly Tag[] | TagRanker): RankedWheel[] {
  const ranker = isTagRanker(tags) ? tags : tagRanker(tags);
  const ranked: RankedWheel[] = [];
  for (const filename of filenames) {
    const parsed = tryParseWheelFilename(filename);
    if (parsed === null) continue;
    const rank = ranker.bestRank(parsed.tags);
    if (rank !== undefined) ranked.push({ filename, rank, build: parsed.build });
  }
  return ranked.sort(better);
}

/** The best compatible wheel, or null when none fits. */
export function bestWheel(filenames: Iterable<string>, tags: readonly Tag[] | TagRanker): { filename: string; rank: number } | null {
  const ranker = isTagRanker(tags) ? tags : tagRanker(tags);
  let best: RankedWheel | null = null;
  for (const filename of filenames) {
    const parsed = tryParseWheelFilename(filename);
    if (parsed === null) continue;
    const rank = ranker.bestRank(parsed.tags);
    if (rank === undefined) continue;
    const candidate = { filename, rank, build: parsed.build };
    if (best === null || better(candidate, best) < 0) best = candidate;
  }
  return best === null ? null : { filename: best.filename, rank: best.rank };
}
