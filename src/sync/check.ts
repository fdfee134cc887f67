/**
 * `check NAME`: rebuild a package's store path from scratch, in a temporary directory, and
 * compare the content hash with the registered one. Equal hashes mean the build is
 * reproducible here; the store itself is never touched (beyond the build log).
 */
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { builderFor } from "../build/builders.js";
import { WheelwrightError } from "../errors.js";
import type { Events } from "../events/emitter.js";
import { normalizeName } from "../pep/names.js";
import { removeTree } from "../store/normalise.js";
import { sealBuilt } from "../store/seal.js";
import type { Store } from "../store/store.js";
import { fetchPlanSources, fileSourcesOf, makeBuildContext } from "./execute.js";
import type { Plan, PlanItem } from "./plan.js";

export interface CheckResult {
  name: string;
  version: string;
  storePath: string;
  /** Registered NAR hash (`sha256:<nix-base32>`). */
  expected: string;
  /** NAR hash of the rebuild. */
  actual: string;
  same: boolean;
  log: string;
}

/** The plan item of a package by name (members and build-system packages alike). */
export function findPlanItem(plan: Plan, name: string): PlanItem {
  const wanted = normalizeName(name);
  const item = plan.items.find((i) => i.derivation.builder !== "venv" && normalizeName(i.derivation.name) === wanted);
  if (item === undefined) {
    throw new WheelwrightError("ERR_WW_UNKNOWN_PACKAGE", `${name} is not part of this project's environment or build environments`, {
      package: name,
      hint: "run `wheelwright plan` to list the packages",
    });
  }
  return item;
}

export async function checkRebuild(plan: Plan, store: Store, name: string, events?: Events): Promise<CheckResult> {
  const item = findPlanItem(plan, name);
  const drv = item.derivation;
  const info = store.queryPathInfo(drv.path);
  if (info === undefined || item.recipe === undefined) {
    throw new WheelwrightError("ERR_WW_USAGE", `${drv.name} ${drv.version} is not built yet (${store.toRealPath(drv.path)})`, { package: drv.name, hint: "run `wheelwright sync` first, then check it" });
  }
  const missingInputs = drv.inputs.filter((input) => !store.isValid(input.path));
  if (missingInputs.length > 0) {
    throw new WheelwrightError("ERR_WW_USAGE", `the build environment of ${drv.name} is not in the store`, { package: drv.name, hint: "run `wheelwright sync` first, then check it" });
  }
  const sources = await fetchPlanSources(plan, store, fileSourcesOf(item), events);
  const ctx = makeBuildContext(plan, store, sources, { needsSandbox: drv.builder === "build-wheel" || drv.builder === "build-editable", ...(events !== undefined ? { events } : {}) });
  const tmp = mkdtempSync(join(store.layout.tmpDir, "check-"));
  try {
    const out = join(tmp, drv.path);
    const built = await builderFor(drv, item.recipe).build(ctx, drv, item.recipe, out, { fsync: false });
    const actual = (await sealBuilt(out, built, false)).nixHash;
    return { name: drv.name, version: drv.version, storePath: store.toRealPath(drv.path), expected: info.narHash, actual, same: actual === info.narHash, log: store.logFile(drv.path) };
  } finally {
    removeTree(tmp);
  }
}
