/**
 * Choosing a source among a lock's distributions for one interpreter, as uv2nix does:
 * the best compatible wheel when wheels are preferred (or builds are forbidden), the sdist
 * when preferred (or wheels are forbidden), the other one as a fallback, else an error that
 * says what the package offers and what the interpreter accepts.
 */
import { WheelwrightError } from "../errors.js";
import { bestWheel, formatTag, tagRanker, type Tag, type TagRanker } from "../pep/tags.js";
import { tryParseWheelFilename } from "../pep/filenames.js";
import type { Candidates, Source } from "./source.js";

export interface SourcePrefs {
  preference: "wheel" | "sdist";
  /** Never build from source (no-build). */
  noBuild: boolean;
  /** Never use a wheel (no-binary). */
  noBinary: boolean;
}

const rankers = new WeakMap<readonly Tag[], TagRanker>();

/** `tags` is the interpreter's supported list, best first (rankers are cached per list). */
export function chooseSource(pkg: { name: string; version: string; file?: string; line?: number }, candidates: Candidates, prefs: SourcePrefs, tags: readonly Tag[]): Source {
  let ranker = rankers.get(tags);
  if (ranker === undefined) rankers.set(tags, (ranker = tagRanker(tags)));
  const wheel = () => {
    if (prefs.noBinary || candidates.wheels.length === 0) return undefined;
    const best = bestWheel(
      candidates.wheels.map((w) => w.filename),
      ranker,
    );
    const file = best === null ? undefined : candidates.wheels.find((w) => w.filename === best.filename);
    return file === undefined ? undefined : ({ kind: "wheel", file } as const);
  };
  const sdist = () => (prefs.noBuild || candidates.sdist === undefined ? undefined : ({ kind: "sdist", file: candidates.sdist } as const));
  const chosen = prefs.preference === "wheel" ? (wheel() ?? sdist()) : (sdist() ?? wheel());
  if (chosen !== undefined) return chosen;
  throw noCompatibleDist(pkg, candidates, prefs, tags);
}

function noCompatibleDist(pkg: { name: string; version: string; file?: string; line?: number }, candidates: Candidates, prefs: SourcePrefs, tags: readonly Tag[]): WheelwrightError {
  const offered = new Set<string>();
  for (const w of candidates.wheels) {
    const parsed = tryParseWheelFilename(w.filename);
    if (parsed !== null) for (const t of parsed.tags) offered.add(formatTag(t));
  }
  const offeredList = [...offered].sort();
  const shown = offeredList.length > 8 ? `${offeredList.slice(0, 8).join(", ")} and ${offeredList.length - 8} more` : offeredList.join(", ");
  const parts = [
    candidates.wheels.length === 0 ? "no wheels" : `wheels for ${shown}`,
    candidates.sdist === undefined ? "no sdist" : prefs.noBuild ? "an sdist (but building is off: no-build)" : "an sdist",
  ];
  if (prefs.noBinary && candidates.wheels.length > 0) parts[0] += " (but wheels are off: no-binary)";
  const top = tags[0];
  return new WheelwrightError("ERR_WW_NO_COMPATIBLE_DIST", `${pkg.name} ${pkg.version} has no compatible wheel nor sdist: the lock offers ${parts.join(" and ")}`, {
    package: pkg.name,
    ...(pkg.file !== undefined ? { file: pkg.file } : {}),
    ...(pkg.line !== undefined ? { line: pkg.line } : {}),
    hint: `this interpreter accepts tags like ${top ? formatTag(top) : "(none)"}; relock for it, pick another interpreter with --python, or allow what is available (source-preference / no-build / no-binary in [tool.wheelwright])`,
  });
}
