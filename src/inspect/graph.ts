/**
 * The two graphs of an environment, side by side: the build graph (derivations → the
 * derivations they read: a package → its build environment, a venv → its members) and the
 * runtime graph (recipes' dependency edges, with extras as `pkg[extra]` nodes). Rendered as
 * Graphviz dot, Mermaid, or one self-contained HTML page (inline SVG, no external URLs).
 */
import type { Plan } from "../sync/index.js";
import { displayKey, runtimeGraph } from "./runtime-graph.js";
import { layoutGraph } from "./layout.js";

export interface GraphNode {
  id: string;
  label: string;
  /** present / fetch / build for derivations; "package" or "extra" for runtime keys. */
  kind: string;
}

export interface SimpleGraph {
  title: string;
  nodes: GraphNode[];
  edges: [string, string][];
}

export function buildGraphOf(plan: Plan): SimpleGraph {
  const nodes = plan.items.map((item) => {
    const d = item.derivation;
    const label = d === plan.venv ? `${d.name} (environment)` : d.builder === "venv" ? `build-env ${d.path.slice(0, 8)}` : `${d.name} ${d.version}`;
    return { id: d.path, label, kind: item.status };
  });
  const edges = plan.items.flatMap((item) => item.derivation.inputs.map((input) => [item.derivation.path, input.path] as [string, string]));
  return { title: "build graph", nodes, edges };
}

export function runtimeGraphOf(plan: Plan): SimpleGraph {
  const graph = runtimeGraph(plan.set, plan.locked.roots);
  const roots = new Set(graph.roots);
  const nodes = [...graph.edges.keys()].map((key) => ({ id: key, label: displayKey(key), kind: roots.has(key) ? "root" : key.includes("@") ? "extra" : "package" }));
  const edges = [...graph.edges].flatMap(([from, tos]) => tos.map((to) => [from, to] as [string, string]));
  return { title: "runtime graph", nodes, edges };
}

export type GraphFormat = "dot" | "mermaid" | "html";

export function renderGraphs(plan: Plan, format: GraphFormat): string {
  const graphs = [buildGraphOf(plan), runtimeGraphOf(plan)];
  if (format === "dot") return renderDot(graphs);
  if (format === "mermaid") return renderMermaid(graphs);
  return renderHtml(graphs, `${plan.project.name}: build and runtime graphs`);
}

const quote = (s: string) => `"${s.replace(/["\\]/g, "\\$&")}"`;
const DOT_FILL: Record<string, string> = { present: "#d9f2d9", fetch: "#dbe8fb", build: "#fde2c8", root: "#f3e5f5", extra: "#f5f5f5", package: "#ffffff" };

export function renderDot(graphs: SimpleGraph[]): string {
  const out = ["digraph wheelwright {", "  rankdir=LR;", "  node [shape=box, style=\"rounded,filled\", fontname=\"sans-serif\"];"];
  graphs.forEach((g, i) => {
    const p = `g${i}_`;
    out.push(`  subgraph cluster_${i} {`, `    label=${quote(g.title)};`);
    g.nodes.forEach((n, j) => out.push(`    ${p}${j} [label=${quote(n.label)}, fillcolor=${quote(DOT_FILL[n.kind] ?? "#ffffff")}];`));
    const index = new Map(g.nodes.map((n, j) => [n.id, j]));
    for (const [a, b] of g.edges) out.push(`    ${p}${index.get(a)} -> ${p}${index.get(b)};`);
    out.push("  }");
  });
  out.push("}");
  return out.join("\n") + "\n";
}

export function renderMermaid(graphs: SimpleGraph[]): string {
  const out = ["flowchart LR"];
  graphs.forEach((g, i) => {
    out.push(`  subgraph s${i} ["${g.title}"]`);
    const index = new Map(g.nodes.map((n, j) => [n.id, j]));
    g.nodes.forEach((n, j) => out.push(`    g${i}_${j}["${n.label.replace(/"/g, "#quot;")}"]:::${n.kind}`));
    for (const [a, b] of g.edges) out.push(`    g${i}_${index.get(a)} --> g${i}_${index.get(b)}`);
    out.push("  end");
  });
  for (const [kind, fill] of Object.entries(DOT_FILL)) out.push(`  classDef ${kind} fill:${fill},stroke:#555`);
  return out.join("\n") + "\n";
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** One page, two inline SVGs laid out in layers (sources left, what they need to the right). */
export function renderHtml(graphs: SimpleGraph[], title: string): string {
  const svgs = graphs.map((g, i) => renderSvg(g, i));
  const legend = Object.entries(DOT_FILL).map(([k, c]) => `<span class="key"><i style="background:${c}"></i>${k}</span>`).join(" ");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1em;color:#222}
main{display:flex;gap:2em;align-items:flex-start;flex-wrap:wrap}
section{overflow:auto;max-width:100%;border:1px solid #ddd;border-radius:6px;padding:.5em}
h2{font-size:1.1em;margin:.2em 0 .5em}
.key{margin-right:1em;font-size:.9em}.key i{display:inline-block;width:.9em;height:.9em;border:1px solid #555;margin-right:.3em;vertical-align:middle}
svg text{font-size:12px;dominant-baseline:middle}
</style></head>
<body><h1>${esc(title)}</h1><p>${legend}</p>
<main>
${svgs.map((svg, i) => `<section><h2>${esc(graphs[i]!.title)} (${graphs[i]!.nodes.length} nodes, ${graphs[i]!.edges.length} edges)</h2>\n${svg}</section>`).join("\n")}
</main></body></html>
`;
}

function renderSvg(g: SimpleGraph, n: number): string {
  const layout = layoutGraph(g.nodes.map((x) => ({ id: x.id, width: Math.max(60, x.label.length * 7 + 16) })), g.edges);
  const pos = new Map(layout.nodes.map((p) => [p.id, p]));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}">`);
  parts.push(`<defs><marker id="arrow${n}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#777"/></marker></defs>`);
  for (const [a, b] of g.edges) {
    const p = pos.get(a)!;
    const q = pos.get(b)!;
    const x1 = p.x + p.width;
    const y1 = p.y;
    const x2 = q.x;
    const y2 = q.y;
    const mid = (x1 + x2) / 2;
    parts.push(`<path d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}" fill="none" stroke="#999" marker-end="url(#arrow${n})"/>`);
  }
  for (const node of g.nodes) {
    const p = pos.get(node.id)!;
    parts.push(`<g><title>${esc(node.id)}</title><rect x="${p.x}" y="${p.y - 11}" width="${p.width}" height="22" rx="5" fill="${DOT_FILL[node.kind] ?? "#fff"}" stroke="#555"/><text x="${p.x + 8}" y="${p.y}">${esc(node.label)}</text></g>`);
  }
  parts.push("</svg>");
  return parts.join("\n");
}
