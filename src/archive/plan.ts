import { unsafeEntry } from "./errors.js";
import { checkEntryName, stripComponents } from "./paths.js";
import type { ArchiveEntry, ExtractOptions } from "./types.js";

/**
 * Where an (already validated) entry goes, relative to the destination, after
 * stripComponents and the caller's map; null when it is skipped. A path returned by `map`
 * is held to the same rules as an entry name.
 */
export function destinationOf(archive: string, entry: ArchiveEntry, options: ExtractOptions): string | null {
  const stripped = stripComponents(entry.name, options.stripComponents ?? 0);
  if (stripped === null) return null;
  if (options.map === undefined) return stripped;
  const mapped = options.map({ ...entry, name: stripped });
  if (mapped === null) return null;
  const check = checkEntryName(mapped);
  if (!check.ok) throw unsafeEntry(archive, entry.name, `was mapped to ${JSON.stringify(mapped)}, which ${check.problem}`);
  if (check.name === "" && entry.type !== "directory") {
    throw unsafeEntry(archive, entry.name, "was mapped onto the extraction target itself");
  }
  return check.name;
}
