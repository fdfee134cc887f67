/**
 * A small layered layout for directed graphs (used by the HTML graph page): each node's layer
 * is its longest distance from a source (cycles broken by visiting order), nodes in a layer
 * are ordered by the mean position of their parents (one barycentre sweep), and each layer is
 * a column whose width is its widest node.
 */
export interface LayoutInput {
  id: string;
  width: number;
}

export interface PlacedNode {
  id: string;
  /** Left edge. */
  x: number;
  /** Vertical centre. */
  y: number;
  width: number;
}

const ROW = 30;
const GAP = 60;
const MARGIN = 10;

export function layoutGraph(nodes: LayoutInput[], edges: [string, string][]): { nodes: PlacedNode[]; width: number; height: number } {
  const out = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const [a, b] of edges) out.get(a)?.push(b);
  const layer = new Map<string, number>();
  const state = new Map<string, 1 | 2>();
  // Longest path from sources: a node sits one column right of its deepest parent.
  const order: string[] = [];
  const visit = (id: string): void => {
    if (state.has(id)) return;
    state.set(id, 1);
    for (const next of out.get(id) ?? []) if (state.get(next) !== 1) visit(next);
    state.set(id, 2);
    order.push(id);
  };
  for (const n of nodes) visit(n.id);
  order.reverse(); // topological where acyclic
  const rank = new Map(order.map((id, i) => [id, i]));
  for (const id of order) {
    const l = layer.get(id) ?? 0;
    layer.set(id, l);
    for (const next of out.get(id) ?? []) if (rank.get(next)! > rank.get(id)!) layer.set(next, Math.max(layer.get(next) ?? 0, l + 1));
  }
  const columns: string[][] = [];
  for (const id of order) (columns[layer.get(id)!] ??= []).push(id);
  const parents = new Map<string, string[]>();
  for (const [a, b] of edges) parents.set(b, [...(parents.get(b) ?? []), a]);
  const index = new Map<string, number>();
  for (const column of columns) {
    if (column === undefined) continue;
    const score = (id: string) => {
      const ps = (parents.get(id) ?? []).filter((p) => index.has(p));
      return ps.length === 0 ? Number.MAX_SAFE_INTEGER : ps.reduce((s, p) => s + index.get(p)!, 0) / ps.length;
    };
    column.sort((a, b) => score(a) - score(b) || (a < b ? -1 : 1));
    column.forEach((id, i) => index.set(id, i));
  }
  const widthOf = new Map(nodes.map((n) => [n.id, n.width]));
  const placed: PlacedNode[] = [];
  let x = MARGIN;
  let rows = 0;
  for (const column of columns) {
    if (column === undefined) continue;
    const w = Math.max(...column.map((id) => widthOf.get(id)!));
    column.forEach((id, i) => placed.push({ id, x, y: MARGIN + ROW / 2 + i * ROW, width: widthOf.get(id)! }));
    rows = Math.max(rows, column.length);
    x += w + GAP;
  }
  return { nodes: placed, width: Math.max(x - GAP + MARGIN, 2 * MARGIN), height: rows * ROW + 2 * MARGIN };
}
