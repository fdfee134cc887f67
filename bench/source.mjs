// The SOURCE corpus: ~40 real packages built from source through four backends (plus C
// extensions), `wheelwright sync --jobs 2` against the schedule's lower bound, and pip building
// the same sdists. Alternating runs per cell.
//
//   npm run bench:source          (= npm run build && node bench/source.mjs)
//
// Environment: BENCH_RUNS (measured rounds per cell, default 5), BENCH_WARMUP (dropped rounds,
// default 1), BENCH_RUNS_<SCENARIO> / BENCH_WARMUP_<SCENARIO> for one cell (e.g.
// BENCH_RUNS_COLD=3, BENCH_WARMUP_BUMP_BUILD=0), BENCH_SCENARIOS
// (cold,warm,noop,bump-runtime,bump-build), BENCH_PIP=0 (leave pip out), BENCH_JOBS (default 2),
// BENCH_PYTHON, BENCH_DIST (a built dist/ to use), BENCH_RERENDER=<source.json> (only re-render
// the report). Writes bench/results/source.json, source.md (also printed), source.svg and
// source-schedule.svg (the median cold run's schedule). See bench/README.md.
import { spawnSync } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { alternate } from "./lib/alternate.mjs";
import { findRepackedCorpus } from "./lib/corpus.mjs";
import { snapshotDist } from "./lib/dist.mjs";
import { measure, measureSteps, RSS_METHOD } from "./lib/measure.mjs";
import { BUILD_TOOL, RUNTIME_BUMP, makeSourceCorpus, sourceCorpusUnavailable, writeSourceBuildLock, writeSourceLock } from "./lib/source-corpus.mjs";
import { analyzeSchedule, builtNames, parseRun, scheduleSvg } from "./lib/source-schedule.mjs";
import { median, pairedRatios, summarize } from "./lib/stats.mjs";
import { barChartSvg } from "./lib/svg.mjs";
import { formatMs, formatRatio, markdownTable } from "./lib/table.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const results = join(root, "bench/results");
const PYTHON = process.env.BENCH_PYTHON ?? "/root/.pyenv/versions/3.11.7/bin/python3.11";
const JOBS = Number(process.env.BENCH_JOBS ?? 2);
const TARGET = 1.15;
const ALL_SCENARIOS = ["cold", "warm", "noop", "bump-runtime", "bump-build"];
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? ALL_SCENARIOS.join(",")).split(",");
const WITH_PIP = process.env.BENCH_PIP !== "0";
const envKey = (scenario) => scenario.toUpperCase().replace(/-/g, "_");
let recorded = null;
const runsFor = (s) => recorded?.runs[s] ?? Number(process.env[`BENCH_RUNS_${envKey(s)}`] ?? process.env.BENCH_RUNS ?? 5);
const warmupFor = (s) => recorded?.warmup[s] ?? Number(process.env[`BENCH_WARMUP_${envKey(s)}`] ?? process.env.BENCH_WARMUP ?? 1);
const log = (msg) => process.stderr.write(`${msg}\n`);

function versionOf(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return (r.stdout || r.stderr || "").trim();
}

/** Deletes a tree that may hold read-only store paths. */
function remove(path) {
  if (!existsSync(path)) return;
  spawnSync("chmod", ["-R", "u+w", path]);
  rmSync(path, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Report (also used alone with BENCH_RERENDER)

const cells = [];
const load = [];
const meta = { startedAt: new Date().toISOString() };

function toolSummary(samples) {
  return { wallMs: summarize(samples.map((s) => s.wallMs)), rssKb: summarize(samples.map((s) => s.rssKb)), samples };
}

function writeReport() {
  const out = cells.map((c) => {
    const tools = Object.fromEntries(Object.entries(c.samples).map(([t, s]) => [t, toolSummary(s)]));
    const wall = (t) => c.samples[t]?.map((s) => s.wallMs) ?? [];
    return { scenario: c.scenario, runs: runsFor(c.scenario), warmup: warmupFor(c.scenario), ...(c.samples.pip ? { ratioWheelwrightPip: pairedRatios(wall("wheelwright"), wall("pip")) } : {}), ...(c.expected ? { expected: c.expected } : {}), tools };
  });
  const json = { meta: { ...meta, finishedAt: recorded ? meta.finishedAt : new Date().toISOString(), loadavgSamples: load, runs: Object.fromEntries(cells.map((c) => [c.scenario, runsFor(c.scenario)])), warmup: Object.fromEntries(cells.map((c) => [c.scenario, warmupFor(c.scenario)])) }, results: out };
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, "source.json"), JSON.stringify(json, null, 1) + "\n");

  const md = [`# SOURCE corpus: wheelwright sync --jobs ${meta.jobs} vs pip — ${meta.startedAt}`, ""];
  const loads = load.map((l) => l.map((x) => x.toFixed(1)).join(" "));
  md.push(
    `${meta.python}, ${meta.pip}, node ${meta.node}, ${meta.cpus} CPUs, gcc ${meta.gcc}. Load average (1, 5, 15 min) at start ${loads[0] ?? "?"}, at the end ${loads[loads.length - 1] ?? "?"}; other jobs shared the machine, so absolute times are inflated — ratios within a run are what count.`,
    `Corpus: ${meta.corpus.packages} packages from sdists (${Object.entries(meta.corpus.backends).map(([b, n]) => `${b} ${n}`).join(", ")}; ${meta.corpus.cExtensions} with C extensions) + the build tool \`${BUILD_TOOL}\` (flit_core, from source), ${meta.corpus.sourceBuilds} source builds in a cold sync; backends as ${meta.corpus.backendWheels} wheels in the build lock. "runs" = measured (+ dropped warm-up rounds). Peak RSS: ${meta.rss}.`,
    "",
  );
  const rows = [];
  for (const c of out) {
    for (const [tool, t] of Object.entries(c.tools)) {
      const builds = t.samples.map((s) => s.built).filter((b) => b !== undefined);
      rows.push([
        c.scenario,
        tool,
        `${t.wallMs.n} (+${c.warmup})`,
        formatMs(t.wallMs.min),
        formatMs(t.wallMs.median),
        formatMs(t.wallMs.max),
        tool === "wheelwright" && c.ratioWheelwrightPip ? `${formatRatio(c.ratioWheelwrightPip.median)} (${formatRatio(c.ratioWheelwrightPip.min)}–${formatRatio(c.ratioWheelwrightPip.max)})` : "",
        builds.length > 0 ? String(median(builds)) : "",
        `${(t.rssKb.median / 1000).toFixed(0)} MB`,
      ]);
    }
  }
  md.push("## Wall time", "", markdownTable(["scenario", "tool", "runs", "min", "median", "max", "wheelwright/pip (median of pairs, min–max)", "source builds", "peak RSS"], rows, ["l", "l", "r", "r", "r", "r", "r", "r", "r"]), "");

  // the cells whose graph holds many source builds (warm and the runtime bump run one task or two)
  const scheduled = out.filter((c) => (c.scenario === "cold" || c.scenario === "bump-build") && c.tools.wheelwright?.samples.some((s) => s.schedule));
  if (scheduled.length > 0) {
    md.push(
      `## Schedule: makespan against max(critical path, total work / ${meta.jobs})`,
      "",
      `From wheelwright's own \`task\` events (\`--reporter ndjson\`): every task of the build graph (wheel installs, build environments, source builds, the environment) with its start, end and inputs. **makespan** = first task start → last task end; **work** = the sum of all task durations; **critical path** = the heaviest chain through the inputs, with the measured durations; **bound** = max(critical path, work / ${meta.jobs}), below which no schedule on ${meta.jobs} slots can finish. Target: makespan / bound ≤ ${TARGET}. "outside the graph" = the sync's wall time not spent running the graph; "before it" = from the first event (the first source copied into the store) to the graph's start: build-system discovery (every sdist is read, one per core at a time, and only its pyproject.toml written) and copying sources into the store; the rest is process start, interpreter probe, lock reading and linking. "wall / bound" = the whole sync against the graph's bound.`,
      "",
    );
    const srows = [];
    for (const c of scheduled) {
      c.tools.wheelwright.samples.forEach((s, i) => {
        const a = s.schedule;
        srows.push([c.scenario, i + 1, a.sourceBuilds, a.tasks, formatMs(a.makespanMs), formatMs(a.criticalPathMs), formatMs(a.workOverSlotsMs), formatMs(a.boundMs), a.ratio.toFixed(3), a.meanParallelism.toFixed(2), formatMs(s.wallMs - a.makespanMs), s.beforeGraphMs !== undefined ? formatMs(s.beforeGraphMs) : "", (s.wallMs / a.boundMs).toFixed(3)]);
      });
      const ratios = c.tools.wheelwright.samples.map((s) => s.schedule.ratio);
      const r = summarize(ratios);
      const ws = c.tools.wheelwright.samples;
      const m = (f) => median(ws.map(f));
      srows.push([`**${c.scenario}**`, "median", "", "", formatMs(m((s) => s.schedule.makespanMs)), formatMs(m((s) => s.schedule.criticalPathMs)), formatMs(m((s) => s.schedule.workOverSlotsMs)), formatMs(m((s) => s.schedule.boundMs)), `**${r.median.toFixed(3)}** (${r.min.toFixed(3)}–${r.max.toFixed(3)}) ${r.max <= TARGET ? "≤" : ">"} ${TARGET}`, m((s) => s.schedule.meanParallelism).toFixed(2), formatMs(m((s) => s.wallMs - s.schedule.makespanMs)), ws.every((s) => s.beforeGraphMs !== undefined) ? formatMs(m((s) => s.beforeGraphMs)) : "", m((s) => s.wallMs / s.schedule.boundMs).toFixed(3)]);
    }
    md.push(markdownTable(["scenario", "run", "source builds", "tasks", "makespan", "critical path", `work / ${meta.jobs}`, "bound", "makespan / bound", "mean parallelism", "outside the graph", "of which before it", "wall / bound"], srows, ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"]), "");
    const cold = out.find((c) => c.scenario === "cold")?.tools.wheelwright?.samples;
    if (cold) {
      const mid = [...cold].sort((a, b) => a.schedule.ratio - b.schedule.ratio)[cold.length >> 1];
      md.push(`Median cold run: critical path ${mid.schedule.criticalPath.join(" → ")}; work by kind: ${Object.entries(mid.schedule.byKind).map(([k, v]) => `${k} ${v.count} tasks, ${formatMs(v.ms)}`).join(", ")}. Its schedule: [source-schedule.svg](source-schedule.svg).`, "");
    }
  }

  const bumps = out.filter((c) => c.scenario.startsWith("bump-"));
  if (bumps.length > 0) {
    md.push("## Rebuilds after a bump", "", "Each round bumps to a new version (so every round really rebuilds) and syncs a new project against the primed store.", "");
    const brows = bumps.map((c) => {
      const samples = c.tools.wheelwright.samples;
      const others = samples.map((s) => s.unexpected.length + s.missing.length);
      return [c.scenario, c.expected.what, samples.map((s) => s.built).join(", "), c.expected.count, samples.every((s) => s.ok) ? "yes" : `no (${others.join(", ")} off)`, formatMs(median(samples.map((s) => s.wallMs)))];
    });
    md.push(markdownTable(["scenario", "what changed", "source builds per run", "expected", "exactly the expected packages", "median wall"], brows, ["l", "l", "r", "r", "l", "r"]), "");
    for (const c of bumps) md.push(`- ${c.scenario}: expected ${c.expected.names.join(", ")}.`);
    md.push("");
  }
  md.push(
    "Commands:",
    "",
    `- wheelwright: \`${meta.commands.wheelwright}\``,
    `- pip: \`${meta.commands.pipVenv}\` then \`${meta.commands.pipInstall}\``,
    "",
  );
  writeFileSync(join(results, "source.md"), md.join("\n"));

  const groups = out.map((c) => ({ label: c.scenario, bars: Object.entries(c.tools).map(([tool, t]) => ({ series: tool, median: t.wallMs.median, min: t.wallMs.min, max: t.wallMs.max })) }));
  if (groups.length > 0) writeFileSync(join(results, "source.svg"), barChartSvg({ title: `SOURCE corpus (${meta.corpus.sourceBuilds} source builds), --jobs ${meta.jobs}: wall time`, groups }));
  const cold = out.find((c) => c.scenario === "cold")?.tools.wheelwright?.samples;
  if (cold?.[0]?.tasks) {
    const mid = [...cold].sort((a, b) => a.schedule.ratio - b.schedule.ratio)[cold.length >> 1];
    writeFileSync(join(results, "source-schedule.svg"), scheduleSvg(mid.tasks, { title: `cold sync, --jobs ${meta.jobs}: makespan ${formatMs(mid.schedule.makespanMs)}, bound ${formatMs(mid.schedule.boundMs)} (ratio ${mid.schedule.ratio.toFixed(3)})`, slots: meta.jobs }));
  }
  return md.join("\n");
}

if (process.env.BENCH_RERENDER) {
  const previous = JSON.parse(readFileSync(process.env.BENCH_RERENDER, "utf8"));
  Object.assign(meta, previous.meta);
  load.push(...previous.meta.loadavgSamples);
  recorded = { runs: previous.meta.runs, warmup: previous.meta.warmup };
  for (const r of previous.results) cells.push({ scenario: r.scenario, expected: r.expected, samples: Object.fromEntries(Object.entries(r.tools).map(([t, v]) => [t, v.samples])) });
  // the analysis is recomputed from the recorded tasks (so a fix of the analysis applies)
  for (const c of cells) for (const s of c.samples.wheelwright ?? []) if (s.tasks) s.schedule = analyzeSchedule(s.tasks.map((t) => ({ ...t, ms: t.end - t.start })), previous.meta.jobs);
  process.stdout.write(writeReport() + "\n");
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Inputs

const unavailable = sourceCorpusUnavailable();
if (unavailable !== undefined) {
  log(`bench/source.mjs: skipped — ${unavailable}. The SOURCE corpus needs the backends' wheels from the machine's local mirror.`);
  process.exit(0);
}

const dist = snapshotDist(root);
const pep = { ...(await import(join(dist.dir, "pep/names.js"))), ...(await import(join(dist.dir, "pep/pep508.js"))) };
const work = mkdtempSync(join(tmpdir(), "ww-bench-source-"));
load.push(loadavg());
log(`making the SOURCE corpus in ${work} …`);
const corpus = makeSourceCorpus({ corpus: findRepackedCorpus(root), python: PYTHON, out: join(work, "corpus"), pep });
const packages = corpus.packages;
const buildToolDependents = packages.filter((p) => p.buildRequires.includes(BUILD_TOOL)).map((p) => p.name).sort();
const baseBuildLock = join(work, "build-lock.toml");
writeSourceBuildLock(baseBuildLock, corpus.backends, corpus.buildTool);

Object.assign(meta, {
  jobs: JOBS,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  node: process.version,
  python: versionOf(PYTHON, ["--version"]),
  pip: versionOf(PYTHON, ["-m", "pip", "--version"]).split(" from ")[0],
  gcc: versionOf("gcc", ["-dumpfullversion"]),
  rss: RSS_METHOD,
  corpus: {
    source: "pure wheels of the repacked pyenv 3.11.7 site-packages turned into sdists (bench/lib/source-corpus.mjs) + 2 generated C extensions",
    packages: packages.length,
    backends: packages.reduce((m, p) => ({ ...m, [p.backend]: (m[p.backend] ?? 0) + 1 }), {}),
    cExtensions: packages.filter((p) => p.extensions).length,
    sourceBuilds: packages.length + 1,
    backendWheels: corpus.backends.length,
    list: packages.map((p) => `${p.name}==${p.version} (${p.backend})`),
    buildTool: `${BUILD_TOOL}==${corpus.buildTool.version}`,
    buildToolDependents,
    runtimeBump: RUNTIME_BUMP,
  },
  commands: {
    wheelwright: `node dist/cli/main.js --reporter ndjson sync --jobs ${JOBS} --offline --store <store> --python ${PYTHON} --build-lock <build-lock.toml> -C <project>   (HOME, XDG_CACHE_HOME private; cold: empty store and cache)`,
    pipVenv: `${PYTHON} -m venv <dir>`,
    pipInstall: `<dir>/bin/python -m pip install --isolated --no-index --find-links <sdists + backend wheels> --no-cache-dir --disable-pip-version-check --no-warn-script-location -q <name==version of every package>`,
  },
});

// ---------------------------------------------------------------------------------------------
// The tools

const wwEnv = (cache) => ({ PATH: process.env.PATH, HOME: join(work, "home"), XDG_CACHE_HOME: cache, CI: "true" });

function makeProject(dir, set) {
  mkdirSync(dir, { recursive: true });
  writeSourceLock(join(dir, "pylock.toml"), set);
  return dir;
}

/** One sync; with `ndjson` the run's schedule is analysed (tasks are kept non-enumerable). */
async function wheelwrightSync({ store, project, cache, buildLock = baseBuildLock, ndjson = true }) {
  const args = [dist.cli, ...(ndjson ? ["--reporter", "ndjson"] : []), "sync", "--jobs", String(JOBS), "--offline", "--store", store, "--python", PYTHON, "--build-lock", buildLock, "-C", project];
  const r = await measure(process.execPath, args, { env: wwEnv(cache) });
  const sample = { wallMs: r.wallMs, rssKb: r.rssKb };
  Object.defineProperty(sample, "stderr", { value: r.stderr, enumerable: false });
  if (!ndjson) return sample;
  const run = parseRun(r.stdout);
  sample.built = run.summary?.built ?? 0;
  sample.builtNames = builtNames(run.tasks);
  const schedule = analyzeSchedule(run.tasks, JOBS);
  if (schedule !== undefined) {
    sample.schedule = schedule;
    sample.beforeGraphMs = run.phases.build?.start !== undefined ? run.phases.build.start - run.events[0].time : undefined;
    // the task list itself (for the schedule picture), relative to the first task
    const first = Math.min(...run.tasks.map((t) => t.start));
    sample.tasks = run.tasks.map((t) => ({ name: t.name, kind: t.kind, start: t.start - first, end: t.end - first, storePath: t.storePath, inputs: t.inputs }));
  }
  return sample;
}

const pipEnv = { PATH: process.env.PATH, HOME: join(work, "home") };
const pipArgs = () => ["-m", "pip", "install", "--isolated", "--no-index", "--find-links", corpus.dist, "--no-cache-dir", "--disable-pip-version-check", "--no-warn-script-location", "-q", ...packages.map((p) => `${p.name}==${p.version}`)];

async function pipFresh(dir) {
  const r = await measureSteps([[PYTHON, ["-m", "venv", dir]], [join(dir, "bin/python"), pipArgs()]], { env: pipEnv });
  return { wallMs: r.wallMs, rssKb: r.rssKb, venvMs: r.steps[0].wallMs, installMs: r.steps[1].wallMs };
}

/** The environment imports its C extensions and a few packages (a sync that "worked" but built junk fails here). */
function checkEnvironment(python) {
  const r = spawnSync(python, ["-c", "import flask, jedi, IPython, trio, requests, dateutil, markupsafe._speedups, wwbench_native_heavy, wwbench_native_light; assert wwbench_native_light.total(3) > 0"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`the environment at ${python} is broken:\n${r.stderr.slice(-2000)}`);
}

function progress(cell, runs) {
  return ({ name, round, warmup, sample }) => {
    const extra = sample.schedule ? ` makespan ${formatMs(sample.schedule.makespanMs)} bound ${formatMs(sample.schedule.boundMs)} ratio ${sample.schedule.ratio.toFixed(3)} (${sample.schedule.sourceBuilds} builds)` : sample.built !== undefined ? ` built ${sample.built}` : "";
    log(`  ${cell.padEnd(13)} ${warmup ? "warm-up" : `run ${round + 1}/${runs}`} ${name.padEnd(11)} ${formatMs(sample.wallMs)}${extra}`);
    load.push(loadavg());
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/** The last cold round's store, cache, project and pip venv: the primed state of later cells. */
const kept = {};

async function cold() {
  const runs = runsFor("cold");
  const last = (round) => round === runs - 1;
  return alternate(
    {
      wheelwright: {
        setup: (round) => ({ store: join(work, `cold-store-${round}`), cache: join(work, `cold-cache-${round}`), project: makeProject(join(work, `cold-${round}`), packages) }),
        run: async (_round, c) => wheelwrightSync(c),
        teardown: (round, c, sample) => {
          if (sample.schedule.sourceBuilds !== packages.length + 1) throw new Error(`a cold sync made ${sample.schedule.sourceBuilds} source builds, expected ${packages.length + 1}`);
          checkEnvironment(join(c.project, ".venv/bin/python"));
          if (last(round)) Object.assign(kept, { store: c.store, cache: c.cache, project: c.project });
          else [c.store, c.cache, c.project].forEach(remove);
        },
      },
      ...(WITH_PIP
        ? {
            pip: {
              setup: (round) => ({ dir: join(work, `pip-cold-${round}`) }),
              run: (_round, c) => pipFresh(c.dir),
              teardown: (round, c) => {
                checkEnvironment(join(c.dir, "bin/python"));
                if (last(round)) kept.pipVenv = c.dir;
                else remove(c.dir);
              },
            },
          }
        : {}),
    },
    { runs, warmup: warmupFor("cold"), onSample: progress("cold", runs) },
  );
}

async function primed() {
  if (kept.store === undefined) {
    Object.assign(kept, { store: join(work, "primed-store"), cache: join(work, "primed-cache"), project: makeProject(join(work, "primed"), packages) });
    log("  priming a store (untimed) …");
    await wheelwrightSync(kept);
  }
  return kept;
}

async function warm() {
  const { store, cache } = await primed();
  const runs = runsFor("warm");
  return alternate(
    {
      wheelwright: {
        setup: (round) => ({ store, cache, project: makeProject(join(work, `warm-${round}`), packages) }),
        run: (_round, c) => wheelwrightSync(c),
        teardown: (_round, c, sample) => {
          if (sample.built !== 0) throw new Error(`a warm sync built ${sample.built} packages: ${sample.builtNames.join(", ")}`);
          checkEnvironment(join(c.project, ".venv/bin/python"));
          remove(c.project);
        },
      },
    },
    { runs, warmup: warmupFor("warm"), onSample: progress("warm", runs) },
  );
}

async function noop() {
  const state = await primed();
  if (WITH_PIP && kept.pipVenv === undefined) {
    kept.pipVenv = join(work, "pip-primed");
    log("  priming a pip venv (untimed) …");
    await pipFresh(kept.pipVenv);
  }
  const runs = runsFor("noop");
  return alternate(
    {
      wheelwright: async () => {
        const r = await wheelwrightSync({ ...state, ndjson: false });
        if (!r.stderr.includes("up to date")) throw new Error(`the no-op sync did work:\n${r.stderr.slice(-2000)}`);
        return r;
      },
      ...(WITH_PIP
        ? {
            pip: async () => {
              const r = await measure(join(kept.pipVenv, "bin/python"), pipArgs(), { env: pipEnv });
              return { wallMs: r.wallMs, rssKb: r.rssKb };
            },
          }
        : {}),
    },
    { runs, warmup: warmupFor("noop"), onSample: progress("no-op", runs) },
  );
}

/** A bump cell: each round `change(n)` → { set, buildLock }; the sync must build exactly `expected(n)`. */
async function bump(scenario, change, expected) {
  const { store, cache } = await primed();
  const runs = runsFor(scenario);
  let n = 0;
  return alternate(
    {
      wheelwright: {
        setup: (round) => {
          const { set, buildLock } = change(++n);
          return { store, cache, buildLock, project: makeProject(join(work, `${scenario}-${round}`), set), expected: expected(n) };
        },
        run: (_round, c) => wheelwrightSync(c),
        teardown: (_round, c, sample) => {
          sample.expected = c.expected;
          sample.unexpected = sample.builtNames.filter((x) => !c.expected.includes(x));
          sample.missing = c.expected.filter((x) => !sample.builtNames.includes(x));
          sample.ok = sample.unexpected.length === 0 && sample.missing.length === 0;
          checkEnvironment(join(c.project, ".venv/bin/python"));
          remove(c.project);
        },
      },
    },
    { runs, warmup: warmupFor(scenario), onSample: progress(scenario, runs) },
  );
}

const bumpRuntime = () =>
  bump(
    "bump-runtime",
    (n) => {
      const bumped = corpus.bumpRuntime(n);
      return { set: packages.map((p) => (p.name === RUNTIME_BUMP ? bumped : p)), buildLock: baseBuildLock };
    },
    () => [RUNTIME_BUMP],
  );

const bumpBuild = () =>
  bump(
    "bump-build",
    (n) => {
      const tool = corpus.bumpBuildTool(n);
      const buildLock = join(work, `build-lock-${n}.toml`);
      writeSourceBuildLock(buildLock, corpus.backends, tool);
      return { set: packages, buildLock };
    },
    () => [BUILD_TOOL, ...buildToolDependents].sort(),
  );

const EXPECTED = {
  "bump-runtime": { what: `${RUNTIME_BUMP} → a new post release (a runtime dependency of requests and trio)`, names: [RUNTIME_BUMP], count: `1 (${RUNTIME_BUMP} itself; 0 others)` },
  "bump-build": { what: `${BUILD_TOOL} → 1.n (in [build-system] requires of ${buildToolDependents.length} packages)`, names: [BUILD_TOOL, ...buildToolDependents].sort(), count: `${buildToolDependents.length + 1} (${BUILD_TOOL} + its ${buildToolDependents.length} dependents)` },
};
const RUNNERS = { cold, warm, noop, "bump-runtime": bumpRuntime, "bump-build": bumpBuild };

try {
  for (const scenario of ALL_SCENARIOS.filter((s) => SCENARIOS.includes(s))) {
    log(`${scenario} …`);
    const samples = await RUNNERS[scenario]();
    cells.push({ scenario, samples, ...(EXPECTED[scenario] ? { expected: EXPECTED[scenario] } : {}) });
    load.push(loadavg());
    writeReport();
  }
  process.stdout.write(writeReport() + "\n");
} finally {
  remove(work);
  dist.dispose();
}
