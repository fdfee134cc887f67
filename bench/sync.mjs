// `wheelwright sync` next to pip and pnpm 12, every tool installing from the same loopback
// package index the bench starts and stops, alternating runs.
//
//   npm run bench:sync          (= npm run build && node bench/sync.mjs)
//
// Environment: BENCH_RUNS (measured rounds per cell, default 5; see CELL_DEFAULTS),
// BENCH_WARMUP (dropped rounds, default 1), BENCH_RUNS_<CORPUS>_<SCENARIO> and
// BENCH_WARMUP_<CORPUS>_<SCENARIO> for one cell (e.g. BENCH_RUNS_LARGE_COLD=5), BENCH_CORPORA
// (small,large), BENCH_SCENARIOS (cold,warm,noop), BENCH_TOOLS (wheelwright,wheelwright-eager,pip,pnpm,floor),
// BENCH_CORPUS_SOURCE (auto|mirror|repacked), BENCH_PYTHON, BENCH_PNPM (a pnpm binary),
// BENCH_DIST (a built dist/ to use instead of the tree's own), BENCH_RERENDER=<sync.json> (only
// re-render the report from an earlier run's samples).
// Writes bench/results/sync.json, sync.md (also printed) and sync.svg. See bench/README.md for
// what each scenario measures and the exact commands.
import { spawnSync } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { alternate } from "./lib/alternate.mjs";
import { LARGE_ROOTS, loadBenchInputs, SMALL_ROOTS, writePylock } from "./lib/corpus.mjs";
import { snapshotDist } from "./lib/dist.mjs";
import { captureTree, writeManifest } from "./lib/floor.mjs";
import { startIndexServer } from "./lib/index-server.mjs";
import { measure, measureSteps, RSS_METHOD } from "./lib/measure.mjs";
import { setupPip } from "./lib/peers.mjs";
import { ensurePnpm, pnpmEnv, pnpmInstallArgs, pnpmStore, primeLock, writePnpmProject } from "./lib/pnpm.mjs";
import { pairedRatios, summarize } from "./lib/stats.mjs";
import { barChartSvg } from "./lib/svg.mjs";
import { formatBytes, formatMs, formatRatio, markdownTable } from "./lib/table.mjs";
import { countTree, diffTree } from "./lib/tree.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PYTHON = process.env.BENCH_PYTHON ?? "/root/.pyenv/versions/3.11.7/bin/python3.11";
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Run counts of an earlier sync.json being re-rendered (BENCH_RERENDER), else null. */
let recorded = null;
/**
 * Cells that keep fewer rounds by default, to hold the whole bench near half an hour: one pip
 * or pnpm install of LARGE from the index takes about a minute here. A cold round has nothing to
 * warm up (every run starts empty), and the warm and no-op cells reuse the last cold round's
 * state. Override with BENCH_RUNS_LARGE_COLD=5 etc.
 */
const CELL_DEFAULTS = { "large-cold": { runs: 3, warmup: 0 }, "large-warm": { runs: 3, warmup: 0 } };
const cellKnob = (kind, label, scenario) => process.env[`BENCH_${kind}_${label.toUpperCase()}_${scenario.toUpperCase()}`];
const runsFor = (label, scenario) => recorded?.runs[`${label}-${scenario}`] ?? Number(cellKnob("RUNS", label, scenario) ?? (process.env.BENCH_RUNS ? RUNS : CELL_DEFAULTS[`${label}-${scenario}`]?.runs ?? RUNS));
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const warmupFor = (label, scenario) => recorded?.warmup[`${label}-${scenario}`] ?? Number(cellKnob("WARMUP", label, scenario) ?? (process.env.BENCH_WARMUP ? WARMUP : CELL_DEFAULTS[`${label}-${scenario}`]?.warmup ?? WARMUP));
const CORPORA = (process.env.BENCH_CORPORA ?? "small,large").split(",");
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? "cold,warm,noop").split(",");
const TOOLS = new Set((process.env.BENCH_TOOLS ?? "wheelwright,wheelwright-eager,pip,pnpm,floor").split(","));
/** wheelwright with `--compile-bytecode` (cold cells only): every module byte-compiled into the store, as pip does. */
const EAGER = "wheelwright-eager";
const FLOOR = join(root, "bench/lib/floor.mjs");
/** Import names of the roots whose module isn't their normalized name. */
const MODULE_OF = { pyyaml: "yaml", pillow: "PIL", "scikit-learn": "sklearn", beautifulsoup4: "bs4" };
/** The modules a set's first start imports: every root of LARGE_ROOTS the set holds. */
const rootModules = (set, normalizeName) => {
  const names = new Set(set.map((w) => normalizeName(w.name)));
  return LARGE_ROOTS.filter((r) => names.has(r)).map((r) => MODULE_OF[r] ?? r.replaceAll("-", "_"));
};
const importList = () => Object.entries(meta.imports ?? {}).map(([label, mods]) => `${label.toUpperCase()}: \`import ${mods.join(", ")}\``).join("; ");
const log = (msg) => process.stderr.write(`${msg}\n`);

/** Deletes a tree that may hold read-only store paths. */
function remove(path) {
  if (!existsSync(path)) return;
  spawnSync("chmod", ["-R", "u+w", path]);
  rmSync(path, { recursive: true, force: true });
}

const cells = [];
const startedAt = new Date();
const load = [loadavg()];
let meta = {};
let sets = {};

// ---------------------------------------------------------------------------------------------
// Report

function writeReport() {
  const rows = [];
  const peers = ["pip", "pnpm", "floor"];
  const results = cells.map((cell) => {
    const tools = {};
    for (const [tool, samples] of Object.entries(cell.samples)) {
      tools[tool] = {
        wallMs: summarize(samples.map((s) => s.wallMs)),
        rssKb: summarize(samples.map((s) => s.rssKb)),
        written: samples[samples.length - 1].written,
        samples,
      };
    }
    const wall = (t) => cell.samples[t]?.map((s) => s.wallMs) ?? [];
    const ratios = {};
    const eagerRatios = {};
    for (const peer of peers) {
      if (cell.samples[peer] && cell.samples.wheelwright) ratios[peer] = pairedRatios(wall("wheelwright"), wall(peer));
      if (cell.samples[peer] && cell.samples[EAGER]) eagerRatios[peer] = pairedRatios(wall(EAGER), wall(peer));
    }
    // cold cells: the environment's first start after the sync, and the next one (see firstImports)
    const starts = (t) => {
      const s = cell.samples[t]?.filter((x) => x.imports !== undefined) ?? [];
      if (s.length === 0) return "";
      const first = summarize(s.map((x) => x.imports.firstMs)).median;
      const next = summarize(s.map((x) => x.imports.nextMs)).median;
      const total = summarize(s.map((x) => x.wallMs + x.imports.firstMs)).median;
      return `${formatMs(first)} / ${formatMs(next)} (${formatMs(total)})`;
    };
    for (const [tool, t] of Object.entries(tools)) {
      const r = ratios[tool];
      const index = t.samples[t.samples.length - 1].index;
      rows.push([
        cell.corpus.toUpperCase(),
        cell.scenario === "noop" ? "no-op" : cell.scenario,
        tool,
        `${t.wallMs.n} (+${warmupFor(cell.corpus, cell.scenario)})`,
        formatMs(t.wallMs.min),
        formatMs(t.wallMs.median),
        formatMs(t.wallMs.max),
        r ? `${formatRatio(r.median)} (${formatRatio(r.min)}–${formatRatio(r.max)})` : "",
        eagerRatios[tool] ? `${formatRatio(eagerRatios[tool].median)} (${formatRatio(eagerRatios[tool].min)}–${formatRatio(eagerRatios[tool].max)})` : "",
        starts(tool),
        formatBytes(t.rssKb.median * 1000),
        t.written.files + t.written.symlinks + t.written.dirs,
        formatBytes(t.written.bytes),
        index ? `${index.total} / ${formatBytes(index.bytes)}` : "",
      ]);
    }
    return { corpus: cell.corpus, wheels: cell.wheels, scenario: cell.scenario, ...(cell.floorEntries ? { floorEntries: cell.floorEntries } : {}), ratiosWheelwrightOver: ratios, ...(Object.keys(eagerRatios).length > 0 ? { ratiosEagerOver: eagerRatios } : {}), tools };
  });

  const fullMeta = {
    ...meta,
    startedAt: startedAt.toISOString(),
    finishedAt: recorded ? meta.finishedAt : new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgAtEachCell: load },
    runs: Object.fromEntries(cells.map((c) => [`${c.corpus}-${c.scenario}`, runsFor(c.corpus, c.scenario)])),
    warmup: Object.fromEntries(cells.map((c) => [`${c.corpus}-${c.scenario}`, warmupFor(c.corpus, c.scenario)])),
    rss: RSS_METHOD,
  };
  const header = ["corpus", "scenario", "tool", "runs", "min", "median", "max", "wheelwright / this tool (median of pairs, min–max)", `${EAGER} / this tool`, "first start / next (sync + first)", "peak RSS (median)", "entries written", "bytes written", "index requests / bytes (last run)"];
  const table = markdownTable(header, rows, ["l", "l", "l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"]);
  const tools = fullMeta.tools ?? {};
  const md = [
    `# wheelwright sync vs pip and pnpm — ${fullMeta.startedAt}`,
    "",
    // set by hand when cells of several runs are merged and re-rendered (BENCH_RERENDER)
    ...(fullMeta.note ? [fullMeta.note, ""] : []),
    `${fullMeta.python}; ${tools.pip ?? "pip: not run"}; ${tools.pnpm ?? "pnpm: not run"}; node ${process.version}; ${fullMeta.machine.cpus} CPUs (load average ${load[0].map((l) => l.toFixed(1)).join(" ")} at start, ${load[load.length - 1].map((l) => l.toFixed(1)).join(" ")} at end).`,
    `Corpus (**${fullMeta.corpus?.source}**): ${fullMeta.corpus?.description}. SMALL = ${SMALL_ROOTS.join(" + ")} and their runtime dependencies (${sets.small?.length} wheels, ${formatBytes(sets.small?.reduce((s, w) => s + w.size, 0))}), LARGE = ${fullMeta.corpus?.source === "mirror" ? `the closure of ${LARGE_ROOTS.length} roots` : "all of it"} (${sets.large?.length} wheels, ${formatBytes(sets.large?.reduce((s, w) => s + w.size, 0))}). Every tool fetches from the same loopback index (PEP 503 + PEP 691, PEP 658 metadata) the bench serves. Alternating runs per cell; "runs" = measured (+ dropped warm-up rounds). Peak RSS: ${RSS_METHOD}.`,
    ...(fullMeta.skipped?.length ? ["", `Not run: ${fullMeta.skipped.join("; ")}.`] : []),
    "",
    table,
    "",
    `pip and \`${EAGER}\` (\`wheelwright sync --compile-bytecode\`) byte-compile everything they install; wheelwright (by default) and pnpm 12 write no bytecode: wheelwright's environment caches it at first import, outside the store, keyed by store path. "first start / next" (cold cells): after each cold sync, the environment's python imports the set's roots (${importList()}) — the first time compiling whatever has no bytecode yet (nothing for pip and ${EAGER}, every imported module for wheelwright and pnpm), then again; "sync + first" is the sync plus that first start. pip's times include \`python -m venv --without-pip\` (its install step alone is \`installMs\` in sync.json). pip has no store: its warm run is a new venv with a primed HTTP cache. pnpm rebuilds the environment on every install, no-op included. The floor replays the finished environment's directories, symlinks and copied files with nothing else (node start-up included).`,
    "",
  ].join("\n");

  mkdirSync(join(root, "bench/results"), { recursive: true });
  writeFileSync(join(root, "bench/results/sync.json"), JSON.stringify({ meta: fullMeta, results }, null, 2) + "\n");
  writeFileSync(join(root, "bench/results/sync.md"), md);
  const groups = results.map((r) => ({
    label: `${r.corpus.toUpperCase()} ${r.scenario === "noop" ? "no-op" : r.scenario}`,
    bars: Object.entries(r.tools).map(([series, t]) => ({ series, median: t.wallMs.median, min: t.wallMs.min, max: t.wallMs.max })),
  }));
  writeFileSync(join(root, "bench/results/sync.svg"), barChartSvg({ title: `wheelwright sync vs pip and pnpm (${sets.small?.length} / ${sets.large?.length} wheels, loopback index), wall time`, groups }));
  return md;
}

if (process.env.BENCH_RERENDER) {
  // Re-render sync.md/svg from the samples of an earlier sync.json (e.g. after a report change).
  const previous = JSON.parse(readFileSync(process.env.BENCH_RERENDER, "utf8"));
  startedAt.setTime(Date.parse(previous.meta.startedAt));
  load.splice(0, load.length, ...previous.meta.machine.loadavgAtEachCell);
  meta = previous.meta;
  sets = { small: Array.from({ length: previous.meta.corpus.small.length }, () => ({ size: previous.meta.corpus.smallBytes / previous.meta.corpus.small.length })), large: Array.from({ length: previous.meta.corpus.large }, () => ({ size: previous.meta.corpus.largeBytes / previous.meta.corpus.large })) };
  for (const r of previous.results) {
    cells.push({ corpus: r.corpus, wheels: r.wheels, scenario: r.scenario, ...(r.floorEntries ? { floorEntries: r.floorEntries } : {}), samples: Object.fromEntries(Object.entries(r.tools).map(([t, v]) => [t, v.samples])) });
  }
  recorded = { runs: previous.meta.runs, warmup: previous.meta.warmup };
  process.stdout.write(writeReport());
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Inputs

const dist = snapshotDist(root);
const work = mkdtempSync(join(tmpdir(), "ww-bench-sync-"));
let index;
try {
  const { pep, interpreter, corpora } = await loadBenchInputs({ distDir: dist.dir, python: PYTHON, root });
  sets = { small: corpora.small, large: corpora.large };
  log(`corpus: ${corpora.source} — ${corpora.description}`);

  index = await startIndexServer([...sets.large, ...sets.small]);
  log(`index: ${index.url} (${index.files.size} files)`);

  const skipped = [];
  const pip = TOOLS.has("pip") ? setupPip(PYTHON, log) : undefined;
  let pnpm;
  if (TOOLS.has("pnpm")) {
    pnpm = ensurePnpm(log);
    if (pnpm.skip) {
      log(`pnpm skipped: ${pnpm.skip}`);
      skipped.push(`pnpm (${pnpm.skip})`);
      pnpm = undefined;
    }
  }
  meta = {
    python: spawnSync(PYTHON, ["--version"], { encoding: "utf8" }).stdout.trim(),
    interpreter: PYTHON,
    tools: {
      wheelwright: `wheelwright ${JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version} (dist snapshot)`,
      ...(pip ? { pip: pip.version.split(" from ")[0], pipSource: pip.source } : {}),
      ...(pnpm ? { pnpm: `pnpm ${pnpm.version}`, pnpmSource: pnpm.source } : {}),
    },
    skipped,
    corpus: {
      source: corpora.source,
      description: corpora.description,
      small: sets.small.map((w) => `${w.name}==${w.version}`),
      smallBytes: sets.small.reduce((s, w) => s + w.size, 0),
      large: sets.large.length,
      largeBytes: sets.large.reduce((s, w) => s + w.size, 0),
      largeSet: sets.large.map((w) => `${w.name}==${w.version}`),
      ...(corpora.source === "mirror" ? { largeRoots: LARGE_ROOTS } : {}),
    },
    imports: { small: rootModules(sets.small, pep.normalizeName), large: rootModules(sets.large, pep.normalizeName) },
    commands: {
      wheelwright: `node dist/cli/main.js sync --store <store> --python ${PYTHON} -C <project>   (pylock.toml URLs on the loopback index; fresh XDG_CACHE_HOME for cold)`,
      [EAGER]: "the same with --compile-bytecode",
      firstStart: "<environment>/bin/python -c 'import <roots>' twice after each cold sync (HOME private to the bench, XDG_CACHE_HOME the run's, PYTHONDONTWRITEBYTECODE unset)",
      pipVenv: `${PYTHON} -m venv --without-pip <dir>`,
      pipInstall: `${pip?.python ?? "<pip>"} -m pip --python <dir>/bin/python install --isolated --index-url <index> --trusted-host <host:port> --no-deps (--no-cache-dir | --cache-dir <primed>) --disable-pip-version-check --no-warn-script-location -q -r <name==version --hash=sha256:… per wheel>`,
      pnpm: `pnpm ${pnpmInstallArgs.join(" ")}   (in a project with pyproject.toml, pnpm-workspace.yaml, pnpm's pylock.toml; private HOME/XDG dirs, fresh for cold)`,
      floor: "node bench/lib/floor.mjs <manifest of the primed environment> <dest>",
    },
  };

  // -------------------------------------------------------------------------------------------
  // The tools

  const wwEnv = (cache) => ({ PATH: process.env.PATH, HOME: join(work, "home"), XDG_CACHE_HOME: cache, CI: "true" });
  const wwArgs = (store, project, extra = []) => [dist.cli, "sync", "--store", store, "--python", PYTHON, "-C", project, ...extra];
  const makeProject = (dir, set) => {
    mkdirSync(dir, { recursive: true });
    writePylock(join(dir, "pylock.toml"), set, pep.normalizeName, (file) => index.fileUrl(file));
    return dir;
  };
  /** Adds the index's request count since the last reset to a sample. */
  const withIndex = (sample) => Object.assign(sample, { index: { total: index.requests.total, bytes: index.requests.bytes } });

  async function wheelwrightSync(store, project, cache, extra = []) {
    const r = await measure(process.execPath, wwArgs(store, project, extra), { env: wwEnv(cache) });
    // stderr is non-enumerable: checked by the no-op cell, kept out of sync.json
    return Object.defineProperty({ wallMs: r.wallMs, rssKb: r.rssKb }, "stderr", { value: r.stderr, enumerable: false });
  }

  const pipEnv = { PATH: process.env.PATH, HOME: join(work, "home") };
  const requirements = {};
  for (const [label, set] of Object.entries(sets)) {
    requirements[label] = join(work, `${label}-requirements.txt`);
    writeFileSync(requirements[label], set.map((w) => `${w.name}==${w.version} --hash=sha256:${w.sha256}\n`).join(""));
  }
  const pipArgs = (label, venv, cacheArgs) => ["-m", "pip", "--python", join(venv, "bin/python"), "install", "--isolated", "--index-url", index.url, "--trusted-host", index.host, "--no-deps", ...cacheArgs, "--disable-pip-version-check", "--no-warn-script-location", "-q", "-r", requirements[label]];
  async function pipFresh(label, dir, cacheArgs) {
    const r = await measureSteps([[PYTHON, ["-m", "venv", "--without-pip", dir]], [pip.python, pipArgs(label, dir, cacheArgs)]], { env: pipEnv });
    return { wallMs: r.wallMs, rssKb: r.rssKb, venvMs: r.steps[0].wallMs, installMs: r.steps[1].wallMs };
  }

  // pnpm's own lock of each set, made by one untimed install before the set's first cell
  const pnpmLocks = {};
  const pnpmLock = (label) => pnpmLocks[label];
  async function lockForPnpm(label, set) {
    pnpmLocks[label] ??= await primeLock(pnpm, set, { indexUrl: index.url, python: PYTHON, scratch: join(work, `${label}-pnpm-lock`) });
  }
  const pnpmProject = (dir, label, set) => writePnpmProject(dir, set, { indexUrl: index.url, python: PYTHON, lock: pnpmLock(label) });
  async function pnpmInstall(home, project) {
    const r = await measure(pnpm.bin, pnpmInstallArgs, { env: pnpmEnv(home), cwd: project });
    if (!existsSync(join(project, ".venv", "bin", "python"))) throw new Error(`pnpm install left no environment in ${project}:\n${r.stdout.slice(-2000)}`);
    return { wallMs: r.wallMs, rssKb: r.rssKb };
  }

  /**
   * The environment's first start after a cold sync and the next one: its python importing the
   * set's roots. What has no bytecode yet is compiled (and cached) the first time.
   */
  async function firstStarts(label, python, cache) {
    const code = `import ${meta.imports[label].join(", ")}`;
    const env = { PATH: process.env.PATH, HOME: join(work, "home"), XDG_CACHE_HOME: cache ?? join(work, "home", ".cache"), MPLBACKEND: "Agg" };
    const first = await measure(python, ["-c", code], { env });
    const next = await measure(python, ["-c", code], { env });
    return { firstMs: first.wallMs, nextMs: next.wallMs };
  }

  // -----------------------------------------------------------------------------------------
  // Scenarios: each returns { tool: samples[] }; a sample has wallMs, rssKb, written, index.

  // The last cold round's state (store, project, venv, pnpm home) is kept and, when the warm and
  // no-op cells run after it, serves as their primed state instead of priming again.
  const kept = { small: {}, large: {} };
  const progress = (cell, runs) => ({ name, round, warmup, sample }) => log(`  ${cell.padEnd(12)} ${warmup ? "warm-up" : `run ${round + 1}/${runs}`} ${name.padEnd(11)} ${formatMs(sample.wallMs)}`);
  const pick = (tools) => Object.fromEntries(Object.entries(tools).filter(([name, t]) => TOOLS.has(name) && Boolean(t)));

  async function cold(label, set) {
    const runs = runsFor(label, "cold");
    const last = (round) => round === runs - 1;
    /** A wheelwright variant: a new store, cache and project every round. */
    const wheelwrightCold = (name, extra, keepLast) => ({
      setup: (round) => {
        index.resetCounts();
        return { store: join(work, `${label}-${name}-store-${round}`), cache: join(work, `${label}-${name}-cache-${round}`), project: makeProject(join(work, `${label}-${name}-${round}`), set) };
      },
      run: (_round, c) => wheelwrightSync(c.store, c.project, c.cache, extra),
      teardown: async (round, c, sample) => {
        withIndex(sample);
        sample.written = countTree(c.store);
        sample.imports = await firstStarts(label, join(c.project, ".venv/bin/python"), c.cache);
        if (keepLast && last(round)) Object.assign(kept[label], { store: c.store, cache: c.cache, project: c.project });
        else [c.store, c.cache, c.project].forEach(remove);
      },
    });
    return alternate(
      pick({
        // the last default round's state primes the warm and no-op cells
        wheelwright: wheelwrightCold("cold", [], true),
        [EAGER]: wheelwrightCold("eager", ["--compile-bytecode"], false),
        pip: pip && {
          setup: (round) => {
            index.resetCounts();
            return { dir: join(work, `${label}-pip-cold-${round}`) };
          },
          run: (_round, c) => pipFresh(label, c.dir, ["--no-cache-dir"]),
          teardown: async (round, c, sample) => {
            withIndex(sample);
            sample.written = countTree(c.dir);
            sample.imports = await firstStarts(label, join(c.dir, "bin/python"));
            if (last(round)) kept[label].pipVenv = c.dir;
            else remove(c.dir);
          },
        },
        pnpm: pnpm && pnpmLocks[label] !== undefined && {
          setup: (round) => {
            index.resetCounts();
            return { home: join(work, `${label}-pnpm-cold-home-${round}`), project: pnpmProject(join(work, `${label}-pnpm-cold-${round}`), label, set) };
          },
          run: (_round, c) => pnpmInstall(c.home, c.project),
          teardown: async (round, c, sample) => {
            withIndex(sample);
            sample.written = countTree(c.home);
            sample.imports = await firstStarts(label, join(c.project, ".venv/bin/python"));
            if (last(round)) Object.assign(kept[label], { pnpmHome: c.home, pnpmProject: c.project });
            else [c.home, c.project].forEach(remove);
          },
        },
      }),
      { runs, warmup: warmupFor(label, "cold"), onSample: progress(`${label} cold`, runs) },
    );
  }

  /** wheelwright's store and project synced against it: the cold cell's, else made now (untimed). */
  async function primedWheelwright(label, set) {
    if (kept[label].store === undefined) {
      const state = { store: join(work, `${label}-primed-store`), cache: join(work, `${label}-primed-cache`), project: makeProject(join(work, `${label}-primed`), set) };
      await wheelwrightSync(state.store, state.project, state.cache);
      Object.assign(kept[label], state);
    }
    return kept[label];
  }
  async function primedPnpm(label, set) {
    if (kept[label].pnpmHome === undefined) {
      const state = { pnpmHome: join(work, `${label}-pnpm-primed-home`), pnpmProject: pnpmProject(join(work, `${label}-pnpm-primed`), label, set) };
      await pnpmInstall(state.pnpmHome, state.pnpmProject);
      Object.assign(kept[label], state);
    }
    return kept[label];
  }

  async function warm(label, set) {
    // wheelwright: the primed store; every run syncs a new project (a new .venv and a new
    // environment store path). pip: a new venv each run with an HTTP cache primed by one untimed
    // install. pnpm: the primed store and home; every run installs a new project.
    const runs = runsFor(label, "warm");
    const { store, cache, project } = await primedWheelwright(label, set);
    const pipCache = join(work, `${label}-pip-cache`);
    if (pip && !existsSync(pipCache)) {
      const dir = join(work, `${label}-pip-prime`);
      await pipFresh(label, dir, ["--cache-dir", pipCache]);
      remove(dir);
    }
    if (pnpm && pnpmLocks[label] !== undefined) await primedPnpm(label, set);
    // the floor replays the environment the priming sync made
    const entries = captureTree(readlinkSync(join(project, ".venv")));
    const manifest = join(work, `${label}-floor.json`);
    writeManifest(manifest, entries);
    const samples = await alternate(
      pick({
        wheelwright: {
          setup: (round) => {
            index.resetCounts();
            return { project: makeProject(join(work, `${label}-warm-w${round}`), set), before: countTree(store) };
          },
          run: (_round, c) => wheelwrightSync(store, c.project, cache),
          teardown: (_round, c, sample) => {
            withIndex(sample);
            sample.written = diffTree(countTree(store), c.before);
          },
        },
        pip: pip && {
          setup: (round) => {
            index.resetCounts();
            return { dir: join(work, `${label}-pip-warm-w${round}`) };
          },
          run: (_round, c) => pipFresh(label, c.dir, ["--cache-dir", pipCache]),
          teardown: (_round, c, sample) => {
            withIndex(sample);
            sample.written = countTree(c.dir);
            remove(c.dir);
          },
        },
        pnpm: pnpm && pnpmLocks[label] !== undefined && {
          setup: (round) => {
            index.resetCounts();
            return { project: pnpmProject(join(work, `${label}-pnpm-warm-w${round}`), label, set), before: countTree(kept[label].pnpmHome) };
          },
          run: (_round, c) => pnpmInstall(kept[label].pnpmHome, c.project),
          teardown: (_round, c, sample) => {
            withIndex(sample);
            sample.written = diffTree(countTree(kept[label].pnpmHome), c.before);
          },
        },
        floor: {
          setup: (round) => ({ dest: join(work, `${label}-floor-w${round}`) }),
          run: async (_round, c) => {
            const r = await measure(process.execPath, [FLOOR, manifest, c.dest]);
            return { wallMs: r.wallMs, rssKb: r.rssKb, inProcessMs: Number(r.stdout.trim()) };
          },
          teardown: (_round, c, sample) => {
            sample.written = countTree(c.dest);
            remove(c.dest);
          },
        },
      }),
      { runs, warmup: warmupFor(label, "warm"), onSample: progress(`${label} warm`, runs) },
    );
    return { samples, floorEntries: entries.length };
  }

  async function noop(label, set) {
    const runs = runsFor(label, "noop");
    const { store, cache, project } = await primedWheelwright(label, set);
    if (pip && kept[label].pipVenv === undefined) {
      kept[label].pipVenv = join(work, `${label}-pip-primed`);
      await pipFresh(label, kept[label].pipVenv, ["--no-cache-dir"]);
    }
    if (pnpm && pnpmLocks[label] !== undefined) await primedPnpm(label, set);
    const venv = kept[label].pipVenv;
    return alternate(
      pick({
        wheelwright: {
          setup: () => {
            index.resetCounts();
            return { before: countTree(store) };
          },
          run: async () => {
            const r = await wheelwrightSync(store, project, cache);
            if (!r.stderr.includes("up to date")) throw new Error(`wheelwright no-op sync did work:\n${r.stderr.slice(-2000)}`);
            return r;
          },
          teardown: (_round, c, sample) => {
            withIndex(sample);
            sample.written = diffTree(countTree(store), c.before);
          },
        },
        pip: pip && {
          setup: () => {
            index.resetCounts();
            return { before: countTree(venv) };
          },
          run: async () => {
            const r = await measure(pip.python, pipArgs(label, venv, ["--no-cache-dir"]), { env: pipEnv });
            return { wallMs: r.wallMs, rssKb: r.rssKb };
          },
          teardown: (_round, c, sample) => {
            withIndex(sample);
            sample.written = diffTree(countTree(venv), c.before);
          },
        },
        pnpm: pnpm && pnpmLocks[label] !== undefined && {
          setup: () => {
            index.resetCounts();
            return { before: countTree(kept[label].pnpmHome) };
          },
          run: () => pnpmInstall(kept[label].pnpmHome, kept[label].pnpmProject),
          teardown: (_round, c, sample) => {
            withIndex(sample);
            sample.written = diffTree(countTree(kept[label].pnpmHome), c.before);
          },
        },
      }),
      { runs, warmup: warmupFor(label, "noop"), onSample: progress(`${label} no-op`, runs) },
    );
  }

  // -------------------------------------------------------------------------------------------
  // Run

  for (const label of CORPORA) {
    const set = sets[label];
    if (!set) throw new Error(`unknown corpus ${label} (small, large)`);
    log(`${label.toUpperCase()}: ${set.length} wheels, ${formatBytes(set.reduce((s, w) => s + w.size, 0))}`);
    if (pnpm) {
      try {
        await lockForPnpm(label, set);
      } catch (error) {
        // pnpm can't install this set: measure the others, and say so in the report
        const reason = `pnpm on ${label.toUpperCase()}: ${String(error.message).split("\n").filter(Boolean).slice(0, 3).join(" ").slice(0, 300)}`;
        log(`skipped ${reason}`);
        meta.skipped.push(reason);
      }
    }
    for (const scenario of SCENARIOS) {
      let samples;
      let extra = {};
      if (scenario === "cold") samples = await cold(label, set);
      else if (scenario === "warm") {
        const r = await warm(label, set);
        samples = r.samples;
        extra = { floorEntries: r.floorEntries };
      } else if (scenario === "noop") samples = await noop(label, set);
      else throw new Error(`unknown scenario ${scenario} (cold, warm, noop)`);
      cells.push({ corpus: label, wheels: set.length, scenario, ...extra, samples });
      load.push(loadavg());
      writeReport(); // partial results survive an interrupted run
    }
  }
  process.stdout.write(writeReport());
} finally {
  await index?.close();
  remove(work);
  dist.dispose();
}
