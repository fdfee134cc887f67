/**
 * Why a plan item must be made: "not in store", and when an earlier path of the same package
 * is in the store, which of the derivation's inputs differ from the one that made it (source,
 * build system, interpreter, settings). Earlier derivations come from `record.ts`.
 */
import type { Derivation } from "../derivation/derivation.js";
import type { Plan, PlanItem } from "../sync/index.js";
import type { Store } from "../store/store.js";
import { pathsByName, type DerivationRecord, type RecordedPath } from "./record.js";

export interface ItemExplanation {
  name: string;
  version: string;
  status: PlanItem["status"];
  kind: string;
  storePath: string;
  /** Empty for present items. */
  reasons: string[];
  /** The earlier path the reasons compare against. */
  previous?: string;
}

/** One explanation per plan item, in plan order. */
export function explainPlan(plan: Plan, store: Store): ItemExplanation[] {
  const byName = pathsByName(store);
  const users = buildEnvUsers(plan);
  return plan.items.map((item) => {
    const drv = item.derivation;
    const base = { name: drv.name, version: drv.version, status: item.status, kind: drv.builder, storePath: store.toRealPath(drv.path) };
    if (item.status === "present") return { ...base, reasons: [] };
    if (drv.builder === "venv" && drv !== plan.venv) {
      const forWhom = users.get(drv.path) ?? [];
      return { ...base, reasons: [`not in store: build environment${forWhom.length > 0 ? ` of ${forWhom.join(", ")}` : ""}`] };
    }
    const previous = latest((byName.get(drv.name) ?? []).filter((p) => p.info.path !== drv.path && sameKind(p, drv)));
    if (previous === undefined) return { ...base, reasons: ["not in store"] };
    return { ...base, reasons: ["not in store", ...differences(drv, previous)], previous: store.toRealPath(previous.info.path) };
  });
}

/** What changed between the recorded derivation of `previous` and `drv`, in words. */
export function differences(drv: Derivation, previous: RecordedPath): string[] {
  const record = previous.record;
  if (record === undefined) {
    if (previous.version !== drv.version) return [`version changed (${previous.version} → ${drv.version})`];
    return [`inputs changed since ${previous.info.path} (how it was made is not recorded)`];
  }
  return compareRecords(drv, record);
}

export function compareRecords(drv: Derivation, old: DerivationRecord): string[] {
  const now = JSON.parse(drv.canonical) as DerivationRecord;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const reasons: string[] = [];
  if (old.version !== now.version) reasons.push(`version changed (${old.version} → ${now.version})`);
  else if (!same(old.source, now.source)) reasons.push("source hash changed");
  if (now.builder === "venv") {
    const removed = old.inputs.filter((p) => !now.inputs.includes(p)).length;
    const added = now.inputs.filter((p) => !old.inputs.includes(p)).length;
    if (added + removed > 0) reasons.push(`packages changed (${added} new, ${removed} gone)`);
    else if (!same(old.inputs, now.inputs)) reasons.push("package order changed");
  } else if (old.builder !== now.builder || old.builderVersion !== now.builderVersion || !same(old.inputs, now.inputs)) {
    reasons.push(old.builder !== now.builder ? `build system changed (${old.builder} → ${now.builder})` : "build system changed");
  }
  if (!same(old.python, now.python)) reasons.push("interpreter changed");
  if (!same(old.settings, now.settings)) reasons.push("settings changed");
  if (old.storeDir !== now.storeDir) reasons.push("store directory changed");
  if (reasons.length === 0) reasons.push("derivation format changed");
  return reasons;
}

/** A project venv is compared with project venvs, packages with packages. */
function sameKind(p: RecordedPath, drv: Derivation): boolean {
  if (p.record !== undefined) return (p.record.builder === "venv") === (drv.builder === "venv");
  return true;
}

function latest(paths: RecordedPath[]): RecordedPath | undefined {
  let best: RecordedPath | undefined;
  for (const p of paths) if (best === undefined || p.info.registrationTime > best.info.registrationTime || (p.info.registrationTime === best.info.registrationTime && p.info.path > best.info.path)) best = p;
  return best;
}

/** Build environment store path → names of the packages built in it. */
function buildEnvUsers(plan: Plan): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const item of plan.items) {
    if (item.derivation.builder === "venv") continue;
    for (const input of item.derivation.inputs) users.set(input.path, [...(users.get(input.path) ?? []), item.derivation.name]);
  }
  return users;
}
