// Scheduler benchmark: a simulated sync that builds a realistic graph from source — build
// backends first (flit_core, setuptools, hatchling, poetry-core, their own build deps), then
// a few long native builds (Cython, numpy, pandas, Rust extensions) and many short pure ones —
// with sleeps standing in for fetches and builds. It runs the graph with jobs=2 under three
// ready-queue policies and reports makespan / max(critical path, build work / jobs, fetch
// work / fetchJobs) for each: 1.00 would be a perfect schedule. Each policy also runs once
// on a virtual clock, which gives the policy's exact ratio whatever the machine's load.
//
//   npm run build && node bench/schedule.mjs        (writes bench/results/schedule.json)
//   WW_DIST=/some/dist node bench/schedule.mjs       (use another compiled tree)
//   BENCH_RUNS=5 BENCH_SCALE_MS=10 …                 (runs per policy; ms per simulated second)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = process.env.WW_DIST ?? join(root, "dist");
const { runGraph, criticalPath, makespanLowerBound, summarizeResults } = await import(join(dist, "schedule/index.js"));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SCALE_MS = Number(process.env.BENCH_SCALE_MS ?? 10);
const JOBS = 2;
const FETCH_JOBS = 4;

// name: [build seconds, build-system requirements, runtime dependencies]. Build seconds are
// typical single-core source-build times; backends bootstrapped from wheels are quick.
const packages = {
  "flit-core": [0.3, [], []],
  setuptools: [1.0, [], []],
  "poetry-core": [0.8, [], []],
  wheel: [0.4, ["flit-core"], []],
  packaging: [0.4, ["flit-core"], []],
  pathspec: [0.4, ["flit-core"], []],
  pluggy: [0.5, ["setuptools", "setuptools-scm"], []],
  "setuptools-scm": [0.7, ["setuptools"], ["packaging"]],
  "trove-classifiers": [0.4, ["setuptools", "calver"], []],
  calver: [0.3, ["setuptools"], []],
  hatchling: [0.6, ["packaging", "pathspec", "pluggy", "trove-classifiers"], ["packaging", "pathspec", "pluggy", "trove-classifiers"]],
  "hatch-vcs": [0.4, ["hatchling"], ["hatchling", "setuptools-scm"]],
  "hatch-fancy-pypi-readme": [0.4, ["hatchling"], ["hatchling"]],
  "setuptools-rust": [0.6, ["setuptools", "setuptools-scm"], ["setuptools"]],
  "pyproject-metadata": [0.3, ["flit-core"], ["packaging"]],
  meson: [1.2, ["setuptools"], []],
  "meson-python": [0.5, ["meson", "pyproject-metadata"], ["meson", "pyproject-metadata", "packaging"]],
  cython: [22, ["setuptools", "wheel"], []],
  maturin: [30, ["setuptools", "wheel", "setuptools-rust"], []],
  numpy: [40, ["meson-python", "cython"], []],
  pandas: [35, ["meson-python", "cython", "numpy"], ["numpy", "python-dateutil", "pytz", "tzdata"]],
  "pydantic-core": [25, ["maturin"], ["typing-extensions"]],
  orjson: [12, ["maturin"], []],
  markupsafe: [2.5, ["setuptools"], []],
  pyyaml: [4, ["setuptools", "cython"], []],
  "charset-normalizer": [1.5, ["setuptools"], []],
  attrs: [0.5, ["hatchling", "hatch-vcs", "hatch-fancy-pypi-readme"], []],
  idna: [0.4, ["flit-core"], []],
  certifi: [0.4, ["setuptools"], []],
  urllib3: [0.6, ["hatchling"], []],
  requests: [0.6, ["setuptools"], ["idna", "certifi", "urllib3", "charset-normalizer"]],
  jinja2: [0.6, ["flit-core"], ["markupsafe"]],
  click: [0.5, ["flit-core"], []],
  itsdangerous: [0.4, ["flit-core"], []],
  blinker: [0.4, ["flit-core"], []],
  werkzeug: [0.7, ["flit-core"], ["markupsafe"]],
  flask: [0.6, ["flit-core"], ["werkzeug", "jinja2", "itsdangerous", "click", "blinker"]],
  "typing-extensions": [0.4, ["flit-core"], []],
  "annotated-types": [0.4, ["hatchling"], []],
  pydantic: [0.8, ["hatchling", "hatch-fancy-pypi-readme"], ["pydantic-core", "annotated-types", "typing-extensions"]],
  six: [0.4, ["setuptools"], []],
  "python-dateutil": [0.6, ["setuptools", "setuptools-scm"], ["six"]],
  pytz: [0.5, ["setuptools"], []],
  tzdata: [0.8, ["setuptools"], []],
  pygments: [0.8, ["hatchling"], []],
  mdurl: [0.3, ["flit-core"], []],
  "markdown-it-py": [0.5, ["flit-core"], ["mdurl"]],
  rich: [0.7, ["poetry-core"], ["pygments", "markdown-it-py"]],
};
const roots = ["pandas", "pydantic", "orjson", "flask", "requests", "rich", "attrs", "pyyaml"];

/** Runtime closure of `names` (what a build environment or a venv contains). */
function closure(names) {
  const seen = new Set();
  const stack = [...names];
  while (stack.length > 0) {
    const name = stack.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...packages[name][2]);
  }
  return [...seen];
}

// Two shapes of the same stack: as listed, the Cython → numpy → pandas chain is longer than
// build work / jobs (critical-path bound); with lighter pandas and Rust builds, work / jobs is
// the bound instead (work bound), which is where a poor ready-queue order shows most.
const variants = {
  "critical-path bound": {},
  "work bound": { pandas: 20, maturin: 18, "pydantic-core": 30, orjson: 16 },
};

// Nodes: `fetch:X` (fetch pool), `build:X` (a build needs its source and every package of its
// build-system closure built), and the venv over the roots' runtime closure.
const deps = new Map();
for (const [name, [, buildSystem]] of Object.entries(packages)) {
  deps.set(`fetch:${name}`, []);
  deps.set(`build:${name}`, [`fetch:${name}`, ...closure(buildSystem).map((d) => `build:${d}`)]);
}
deps.set("venv", closure(roots).map((m) => `build:${m}`));
// Graph order alphabetical, so "first come first served" is not accidentally a good order.
const nodes = [...deps.keys()].sort();
const graph = { nodes, deps: (node) => deps.get(node) };
const classify = (node) => (node.startsWith("fetch:") ? "fetch" : "build");
const builds = nodes.filter((n) => classify(n) === "build" && n !== "venv");

function durations(overrides) {
  const duration = new Map([["venv", 0.5]]);
  for (const [name, [listed]] of Object.entries(packages)) {
    const seconds = overrides[name] ?? listed;
    // Source fetch time grows with package size; long native builds are the big sdists.
    duration.set(`fetch:${name}`, Math.min(2, 0.1 + seconds / 40));
    duration.set(`build:${name}`, seconds);
  }
  return duration;
}

/** max(critical path, build work / jobs, fetch work / fetchJobs) under `weight`. */
function lowerBound(weight) {
  const cp = criticalPath(graph, weight);
  const work = (kind) => nodes.filter((n) => classify(n) === kind).reduce((sum, n) => sum + weight(n), 0);
  return {
    criticalPath: cp.length,
    buildWork: work("build"),
    fetchWork: work("fetch"),
    bound: Math.max(makespanLowerBound({ length: cp.length, work: work("build") }, JOBS), work("fetch") / FETCH_JOBS),
    path: cp.path,
  };
}

const policies = (duration) => ({
  // The default: longest remaining path first, paths weighted by expected durations.
  "critical-path (duration estimates)": { estimate: (n) => duration.get(n) },
  // Same rule without estimates: path length counted in nodes.
  "critical-path (node count)": {},
  // A plain ready queue in graph order, for comparison.
  "graph order (FIFO)": { priority: () => 0 },
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The same run on a virtual clock: each task's end is queued at now + duration, and the
 * earliest is released only once the pool has started everything it can (a setImmediate
 * turn). Exact and independent of machine load: it measures the policy alone.
 */
async function virtualMakespan(duration, policy) {
  let now = 0;
  const pending = [];
  let settled;
  const done = runGraph(graph, (node) => new Promise((resolve) => pending.push({ end: now + duration.get(node), resolve })), {
    jobs: JOBS,
    fetchJobs: FETCH_JOBS,
    classify,
    ...policy,
  }).then((results) => (settled = results));
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    if (settled !== undefined) break;
    if (pending.length === 0) throw new Error("virtual clock: nothing pending but the run is not over");
    pending.sort((a, b) => a.end - b.end);
    now = pending[0].end;
    while (pending.length > 0 && pending[0].end === now) pending.shift().resolve();
  }
  await done;
  if (!summarizeResults(settled).success) throw new Error("a simulated task failed");
  return now;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 1000) / 1000;

async function measure(overrides) {
  const duration = durations(overrides);
  const planned = lowerBound((n) => duration.get(n));
  const result = {
    plannedSeconds: { criticalPath: round(planned.criticalPath), buildWork: round(planned.buildWork), fetchWork: round(planned.fetchWork), lowerBound: round(planned.bound), criticalChain: planned.path },
    policies: {},
  };
  for (const [name, policy] of Object.entries(policies(duration))) {
    const makespan = await virtualMakespan(duration, policy);
    result.policies[name] = { virtualClock: { makespanSeconds: round(makespan), ratioToBound: round(makespan / planned.bound) } };
  }
  // Policies in turn (A B C A B C) so drift in machine load hits all alike.
  const samples = Object.fromEntries(Object.keys(result.policies).map((p) => [p, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, policy] of Object.entries(policies(duration))) {
      const started = performance.now();
      const results = await runGraph(graph, (node) => sleep(duration.get(node) * SCALE_MS), { jobs: JOBS, fetchJobs: FETCH_JOBS, classify, ...policy });
      const makespan = (performance.now() - started) / SCALE_MS;
      if (!summarizeResults(results).success) throw new Error("a simulated task failed");
      // The bound again from measured task times: timer overshoot on a loaded machine then
      // raises the bound as well as the makespan, instead of looking like a scheduling loss.
      const measured = lowerBound((n) => (results.get(n).seconds * 1000) / SCALE_MS);
      samples[name].push({ makespan, ratioPlanned: makespan / planned.bound, ratioMeasured: makespan / measured.bound });
    }
  }
  for (const [name, runs] of Object.entries(samples)) {
    result.policies[name].sleeps = {
      makespanSeconds: runs.map((r) => round(r.makespan)),
      medianMakespan: round(median(runs.map((r) => r.makespan))),
      medianRatioToPlannedBound: round(median(runs.map((r) => r.ratioPlanned))),
      medianRatioToMeasuredBound: round(median(runs.map((r) => r.ratioMeasured))),
      bestRatioToMeasuredBound: round(Math.min(...runs.map((r) => r.ratioMeasured))),
    };
  }
  return result;
}

const report = {
  date: new Date().toISOString(),
  node: process.version,
  jobs: JOBS,
  fetchJobs: FETCH_JOBS,
  scaleMs: SCALE_MS,
  runs: RUNS,
  graph: { builds: builds.length, fetches: nodes.length - builds.length - 1, nodes: nodes.length, edges: nodes.reduce((s, n) => s + deps.get(n).length, 0) },
  variants: {},
};
console.log(`${report.graph.builds} builds, ${report.graph.fetches} fetches, 1 venv; jobs=${JOBS}, fetchJobs=${FETCH_JOBS}; simulated seconds (1 s = ${SCALE_MS} ms)`);
for (const [variant, overrides] of Object.entries(variants)) {
  const result = await measure(overrides);
  report.variants[variant] = result;
  const p = result.plannedSeconds;
  console.log(`\n${variant}: critical path ${p.criticalPath.toFixed(1)} s, build work ${p.buildWork.toFixed(1)} s (/${JOBS} = ${(p.buildWork / JOBS).toFixed(1)}), lower bound ${p.lowerBound.toFixed(1)} s`);
  for (const [name, { virtualClock: v, sleeps: r }] of Object.entries(result.policies)) {
    console.log(`  ${name.padEnd(36)} virtual clock: makespan ${v.makespanSeconds.toFixed(1)} s, ratio ${v.ratioToBound.toFixed(3)}`);
    console.log(`  ${"".padEnd(36)} sleeps (median of ${RUNS}): makespan ${r.medianMakespan.toFixed(1)} s, ratio ${r.medianRatioToPlannedBound.toFixed(3)} (planned bound), ${r.medianRatioToMeasuredBound.toFixed(3)} (bound from measured task times)`);
  }
}
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/schedule.json"), JSON.stringify(report, null, 2) + "\n");
