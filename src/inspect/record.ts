/**
 * Remembering what made a store path, so `plan` can say why a package must be made again.
 * The store's deriver column holds a derivation's hash; the derivation itself (its canonical
 * JSON, parsed) is kept as a source fact under `derivation:<hash>`. Sync records every path it
 * realises; `recordPresent` back-fills paths made before this existed.
 */
import type { Derivation } from "../derivation/derivation.js";
import type { PathInfo } from "../store/db.js";
import type { Store } from "../store/store.js";

/** The parsed canonical JSON of a derivation (see derivationFingerprint). */
export interface DerivationRecord {
  format: string;
  name: string;
  version: string;
  builder: string;
  builderVersion: number;
  storeDir: string;
  python: unknown;
  source: unknown;
  inputs: string[];
  settings: Record<string, unknown>;
}

const factKey = (hash: string) => `derivation:${hash}`;

/** Stores `drv`'s canonical form under its hash (idempotent; a no-op when already there). */
export function recordDerivation(store: Store, drv: Derivation): void {
  if (store.getSourceFact(factKey(drv.hash)) !== undefined) return;
  store.setSourceFact(factKey(drv.hash), JSON.parse(drv.canonical) as DerivationRecord);
}

/** The derivation recorded under `hash` (a path's deriver), if any. */
export function recordedDerivation(store: Store, hash: string | undefined): DerivationRecord | undefined {
  return hash === undefined ? undefined : store.getSourceFact<DerivationRecord>(factKey(hash));
}

/** Records the derivations of paths that are valid and were made by exactly that derivation. */
export function recordPresent(store: Store, derivations: Iterable<Derivation>): void {
  for (const drv of derivations) {
    const info = store.queryPathInfo(drv.path);
    if (info !== undefined && info.deriver === drv.hash) recordDerivation(store, drv);
  }
}

/** A valid path with what is known about how it was made. */
export interface RecordedPath {
  info: PathInfo;
  record: DerivationRecord | undefined;
  /** Name and version: from the record, else parsed from the path's name. */
  name: string;
  version: string;
}

/** `<hash>-<name>-<version>` → name and version (versions hold no `-` once normalized). */
export function splitPathName(path: string): { name: string; version: string } {
  const rest = path.slice(path.indexOf("-") + 1);
  const dash = rest.lastIndexOf("-");
  return dash < 0 ? { name: rest, version: "" } : { name: rest.slice(0, dash), version: rest.slice(dash + 1) };
}

/** Every valid path made by a derivation (fetched sources left out), grouped by package name. */
export function pathsByName(store: Store): Map<string, RecordedPath[]> {
  const byName = new Map<string, RecordedPath[]>();
  for (const info of store.list()) {
    if (info.ca !== undefined) continue;
    const record = recordedDerivation(store, info.deriver);
    const parsed = record !== undefined ? { name: record.name, version: record.version } : splitPathName(info.path);
    const list = byName.get(parsed.name) ?? [];
    list.push({ info, record, ...parsed });
    byName.set(parsed.name, list);
  }
  return byName;
}
