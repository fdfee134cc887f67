/** `plan` output: the plan as text or JSON, with the reasons each derivation must be made. */
import { explainPlan } from "../inspect/explain.js";
import { recordPresent } from "../inspect/record.js";
import type { Store } from "../store/store.js";
import { describePlan, type Plan } from "../sync/index.js";

/** The JSON description with reasons, or one row per derivation plus why. */
export function planOutput(p: Plan, store: Store, json: boolean): string {
  recordPresent(store, p.items.map((i) => i.derivation));
  const explained = explainPlan(p, store);
  if (json) {
    const description = describePlan(p, store) as { derivations: Record<string, unknown>[] };
    description.derivations.forEach((row, i) => {
      const e = explained[i]!;
      if (e.reasons.length > 0) row.reasons = e.reasons;
      if (e.previous !== undefined) row.previous = e.previous;
    });
    return JSON.stringify(description, null, 2) + "\n";
  }
  const lines: string[] = [];
  for (const e of explained) {
    lines.push(`${e.status.padEnd(8)} ${`${e.name} ${e.version}`.trim().padEnd(40)} ${e.kind.padEnd(14)} ${e.storePath}`);
    if (e.reasons.length > 0) lines.push(`         why: ${e.reasons.join("; ")}`);
  }
  const count = (s: string) => explained.filter((e) => e.status === s).length;
  lines.push(`${explained.length} derivations: ${count("present")} present, ${count("fetch")} to fetch, ${count("build")} to build`);
  return lines.join("\n") + "\n";
}
