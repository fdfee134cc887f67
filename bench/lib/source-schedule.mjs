// The schedule a `wheelwright --reporter ndjson sync` really ran, rebuilt from its `task` events
// (each task of the build graph: start with its inputs, end; `time` in ms), and how far its
// makespan is from the lower bound max(critical path, total work / slots).

/**
 * Parses ndjson output → { tasks: [{ storePath, name, version, kind, inputs, start, end, ms, ok }],
 * phases: { name: { start, end } }, summary, events }. Tasks are in start order.
 */
export function parseRun(stdout) {
  const events = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const tasks = new Map();
  const phases = {};
  let summary;
  for (const e of events) {
    if (e.type === "task" && e.state === "start") tasks.set(e.storePath, { storePath: e.storePath, name: e.name, version: e.version, kind: e.kind, inputs: e.inputs ?? [], start: e.time });
    else if (e.type === "task" && e.state === "end") {
      const t = tasks.get(e.storePath);
      if (t === undefined) throw new Error(`task end without a start: ${e.storePath}`);
      t.end = e.time;
      t.ms = e.time - t.start;
      t.ok = e.ok;
    } else if (e.type === "phase") (phases[e.phase] ??= {})[e.state] = e.time;
    else if (e.type === "summary") summary = e;
  }
  for (const t of tasks.values()) if (t.end === undefined) throw new Error(`task ${t.name} (${t.kind}) never ended`);
  return { tasks: [...tasks.values()], phases, summary, events };
}

/**
 * The heaviest chain of tasks through their inputs (inputs that ran no task were present and
 * weigh nothing), with measured durations: { ms, chain: [names] }.
 */
export function criticalPath(tasks) {
  const byPath = new Map(tasks.map((t) => [t.storePath, t]));
  const memo = new Map();
  const longest = (t, stack = new Set()) => {
    if (memo.has(t.storePath)) return memo.get(t.storePath);
    if (stack.has(t.storePath)) throw new Error(`cycle through ${t.name}`);
    stack.add(t.storePath);
    let best = { ms: 0, chain: [] };
    for (const input of t.inputs) {
      const dep = byPath.get(input);
      if (dep === undefined) continue;
      const r = longest(dep, stack);
      if (r.ms > best.ms) best = r;
    }
    stack.delete(t.storePath);
    const r = { ms: best.ms + t.ms, chain: [...best.chain, `${t.name} (${t.kind})`] };
    memo.set(t.storePath, r);
    return r;
  };
  let best = { ms: 0, chain: [] };
  for (const t of tasks) {
    const r = longest(t);
    if (r.ms > best.ms) best = r;
  }
  return best;
}

/**
 * makespan (first task start → last task end), total work, critical path, the bound
 * max(critical path, work / slots) and makespan / bound; plus the idle slot time while work was
 * ready ("ready idle": a slot free and a task whose inputs were all done, not yet started).
 */
export function analyzeSchedule(tasks, slots) {
  if (tasks.length === 0) return undefined;
  const first = Math.min(...tasks.map((t) => t.start));
  const last = Math.max(...tasks.map((t) => t.end));
  const makespanMs = last - first;
  const workMs = tasks.reduce((s, t) => s + t.ms, 0);
  const cp = criticalPath(tasks);
  const boundMs = Math.max(cp.ms, workMs / slots);
  const byKind = {};
  for (const t of tasks) {
    const k = (byKind[t.kind] ??= { count: 0, ms: 0 });
    k.count++;
    k.ms += t.ms;
  }
  // Concurrency over time: how many tasks ran at once, integrated → mean parallelism.
  // starts before ends at the same instant: a task that took 0 ms never counts as -1 running
  const edges = tasks.flatMap((t) => [[t.start, 1], [t.end, -1]]).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let running = 0;
  let prev = first;
  const timeAt = {};
  let over = 0;
  for (const [time, delta] of edges) {
    if (time > prev) timeAt[running] = (timeAt[running] ?? 0) + (time - prev);
    if (running > slots) over += time - prev;
    running += delta;
    prev = time;
  }
  const builds = tasks.filter((t) => t.kind === "build-wheel" || t.kind === "build-editable");
  return {
    tasks: tasks.length,
    sourceBuilds: builds.length,
    makespanMs,
    workMs,
    sourceBuildMs: builds.reduce((s, t) => s + t.ms, 0),
    criticalPathMs: cp.ms,
    criticalPath: cp.chain,
    workOverSlotsMs: workMs / slots,
    boundMs,
    ratio: makespanMs / boundMs,
    meanParallelism: workMs / makespanMs,
    msAtConcurrency: timeAt,
    msOverSlots: over,
    byKind,
  };
}

/** Names of the source builds of a run (sorted). */
export function builtNames(tasks) {
  return tasks.filter((t) => t.kind === "build-wheel" || t.kind === "build-editable").map((t) => t.name).sort();
}

const KIND_COLORS = { "install-wheel": "#38a169", venv: "#805ad5", "build-wheel": "#2b6cb0", "build-editable": "#2b6cb0", "adopt-prebuilt": "#718096" };
const esc = (s) => String(s).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/**
 * A Gantt chart of a run's tasks ({ name, kind, start, end } in ms from the first start): one row
 * per concurrently running task (lanes are filled greedily, so `slots` rows when the pool never
 * ran more), the critical path outlined in red. Returns an SVG document.
 */
export function scheduleSvg(tasks, { title, slots, width = 1000 }) {
  const sorted = [...tasks].sort((a, b) => a.start - b.start || a.end - b.end);
  const lanes = [];
  const laneOf = new Map();
  for (const t of sorted) {
    let lane = lanes.findIndex((end) => end <= t.start);
    if (lane < 0) lane = lanes.push(0) - 1;
    lanes[lane] = t.end;
    laneOf.set(t, lane);
  }
  const critical = new Set();
  if (tasks.every((t) => t.storePath !== undefined && t.inputs !== undefined)) {
    const byPath = new Map(tasks.map((t) => [t.storePath, { ...t, ms: t.end - t.start }]));
    const cp = criticalPath([...byPath.values()]);
    // walk the chain again to know which tasks it holds
    const names = new Set(cp.chain);
    for (const t of tasks) if (names.has(`${t.name} (${t.kind})`)) critical.add(t);
  }
  const endMs = Math.max(...tasks.map((t) => t.end));
  const left = 60;
  const right = 20;
  const top = 44;
  const laneH = 26;
  const plotW = width - left - right;
  const x = (ms) => left + (ms / endMs) * plotW;
  const height = top + lanes.length * laneH + 64;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="10">`, `<rect width="100%" height="100%" fill="white"/>`];
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${esc(title)}</text>`);
  const step = endMs > 120000 ? 20000 : endMs > 40000 ? 10000 : endMs > 10000 ? 2000 : 1000;
  for (let t = 0; t <= endMs; t += step) {
    out.push(`<line x1="${x(t).toFixed(1)}" y1="${top - 4}" x2="${x(t).toFixed(1)}" y2="${top + lanes.length * laneH}" stroke="#e2e2e2"/>`);
    out.push(`<text x="${x(t).toFixed(1)}" y="${top + lanes.length * laneH + 14}" text-anchor="middle" fill="#555">${t / 1000} s</text>`);
  }
  for (let i = 0; i < lanes.length; i++) out.push(`<text x="${left - 6}" y="${top + i * laneH + laneH / 2 + 4}" text-anchor="end" fill="${i < slots ? "#333" : "#c53030"}">slot ${i + 1}</text>`);
  for (const t of sorted) {
    const y = top + laneOf.get(t) * laneH + 2;
    const w = Math.max(1, x(t.end) - x(t.start));
    const stroke = critical.has(t) ? ` stroke="#c53030" stroke-width="2"` : ` stroke="white" stroke-width="0.5"`;
    out.push(`<rect x="${x(t.start).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${laneH - 4}" fill="${KIND_COLORS[t.kind] ?? "#999"}"${stroke}><title>${esc(`${t.name} (${t.kind}): ${((t.end - t.start) / 1000).toFixed(2)} s, ${(t.start / 1000).toFixed(2)}–${(t.end / 1000).toFixed(2)} s`)}</title></rect>`);
    if (w > 34) out.push(`<text x="${(x(t.start) + 3).toFixed(1)}" y="${y + laneH / 2 + 2}" fill="white" clip-path="none">${esc(t.name.length * 5.5 > w - 4 ? t.name.slice(0, Math.max(3, Math.floor((w - 4) / 5.5))) : t.name)}</text>`);
  }
  let lx = left;
  for (const [kind, color] of Object.entries({ "source build": KIND_COLORS["build-wheel"], "wheel install": KIND_COLORS["install-wheel"], "venv (build env / environment)": KIND_COLORS.venv })) {
    out.push(`<rect x="${lx}" y="${height - 26}" width="12" height="12" fill="${color}"/>`, `<text x="${lx + 16}" y="${height - 16}">${esc(kind)}</text>`);
    lx += 40 + kind.length * 5.5;
  }
  out.push(`<rect x="${lx}" y="${height - 26}" width="12" height="12" fill="white" stroke="#c53030" stroke-width="2"/>`, `<text x="${lx + 16}" y="${height - 16}">critical path</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}
