/**
 * The tag triple itself (PEP 425): formatting, expanding compressed tag sets, and ranking
 * tags against an interpreter's supported list. Kept apart from tags.ts so file-name parsing
 * can use it without pulling in interpreter logic.
 */

export interface Tag {
  interpreter: string;
  abi: string;
  platform: string;
}

export function formatTag(tag: Tag): string {
  return `${tag.interpreter}-${tag.abi}-${tag.platform}`;
}

/**
 * Expands a (possibly compressed) tag set such as "py2.py3-none-any" into its tags, in
 * interpreter × abi × platform order, lowercased and without duplicates. Throws a plain
 * `Error` when the string has not exactly three dash-separated parts: callers parsing user
 * input (wheel file names) validate that first and raise their own coded error.
 */
export function parseTagSet(tagSet: string): Tag[] {
  const parts = tagSet.split("-");
  if (parts.length !== 3) throw new Error(`not a tag triple: ${JSON.stringify(tagSet)}`);
  const [interpreters, abis, platforms] = parts as [string, string, string];
  const seen = new Set<string>();
  const tags: Tag[] = [];
  for (const interpreter of interpreters.toLowerCase().split(".")) {
    for (const abi of abis.toLowerCase().split(".")) {
      for (const platform of platforms.toLowerCase().split(".")) {
        const tag = { interpreter, abi, platform };
        const key = formatTag(tag);
        if (!seen.has(key)) {
          seen.add(key);
          tags.push(tag);
        }
      }
    }
  }
  return tags;
}

/** True when every dotted component of a compressed tag set is sorted, as PEP 425 asks. */
export function isTagSetSorted(tagSet: string): boolean {
  return tagSet.split("-").every((component) => {
    const parts = component.split(".");
    return parts.every((part, i) => i === 0 || (parts[i - 1] as string) <= part);
  });
}

/** `packaging.tags._normalize_string`: sysconfig platform → tag platform. */
export function normalizePlatform(platform: string): string {
  return platform.replace(/[.\- ]/g, "_");
}

/** O(1) rank lookups over a supported-tag list: rank = index of the first occurrence. */
export interface TagRanker {
  readonly size: number;
  /** The rank of one tag (object or "interp-abi-platform" string), undefined if unsupported. */
  rank(tag: Tag | string): number | undefined;
  /** The best (lowest) rank among tags, undefined when none is supported. */
  bestRank(tags: Iterable<Tag>): number | undefined;
}

export function tagRanker(tags: Iterable<Tag>): TagRanker {
  const ranks = new Map<string, number>();
  let index = 0;
  for (const tag of tags) {
    const key = formatTag(tag);
    if (!ranks.has(key)) ranks.set(key, index);
    index++;
  }
  return {
    size: ranks.size,
    rank: (tag) => ranks.get(typeof tag === "string" ? tag : formatTag(tag)),
    bestRank(candidates) {
      let best: number | undefined;
      for (const tag of candidates) {
        const rank = ranks.get(formatTag(tag));
        if (rank !== undefined && (best === undefined || rank < best)) best = rank;
      }
      return best;
    },
  };
}

export function isTagRanker(value: unknown): value is TagRanker {
  return typeof value === "object" && value !== null && typeof (value as TagRanker).bestRank === "function";
}
