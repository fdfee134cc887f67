/** Graph helpers over the reference relation (referrer → references). */
import type { StorePath } from "./path.js";

/** Everything reachable from `roots` over `graph`, roots included. */
export function closure(roots: Iterable<StorePath>, graph: ReadonlyMap<StorePath, readonly StorePath[]>): Set<StorePath> {
  const seen = new Set<StorePath>();
  const stack = [...roots];
  while (stack.length > 0) {
    const path = stack.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const ref of graph.get(path) ?? []) if (!seen.has(ref)) stack.push(ref);
  }
  return seen;
}

/** Inverts `graph` (reference → referrers), self-references dropped. */
export function invert(graph: ReadonlyMap<StorePath, readonly StorePath[]>): Map<StorePath, StorePath[]> {
  const inverse = new Map<StorePath, StorePath[]>();
  for (const [referrer, refs] of graph) {
    for (const ref of refs) {
      if (ref === referrer) continue;
      const list = inverse.get(ref);
      if (list === undefined) inverse.set(ref, [referrer]);
      else list.push(referrer);
    }
  }
  return inverse;
}

/**
 * Orders `paths` so that every path comes after all of its referrers within the set: the
 * order in which paths can be invalidated without breaking the "references are valid" rule.
 * Ties are broken by name so the order is deterministic.
 */
export function referrersFirst(paths: ReadonlySet<StorePath>, graph: ReadonlyMap<StorePath, readonly StorePath[]>): StorePath[] {
  const pending = new Map<StorePath, number>();
  for (const path of paths) pending.set(path, 0);
  for (const [referrer, refs] of graph) {
    if (!paths.has(referrer)) continue;
    for (const ref of refs) if (ref !== referrer && pending.has(ref)) pending.set(ref, pending.get(ref)! + 1);
  }
  const ready = [...pending].filter(([, n]) => n === 0).map(([p]) => p).sort().reverse();
  const order: StorePath[] = [];
  while (ready.length > 0) {
    const path = ready.pop()!;
    order.push(path);
    for (const ref of graph.get(path) ?? []) {
      if (ref === path || !pending.has(ref)) continue;
      const left = pending.get(ref)! - 1;
      pending.set(ref, left);
      if (left === 0) ready.push(ref);
    }
  }
  // References never form cycles other than self-references (a path's references exist
  // before it), so anything left over would be a corrupt database; keep it last.
  const placed = new Set(order);
  for (const [path] of pending) if (!placed.has(path)) order.push(path);
  return order;
}
