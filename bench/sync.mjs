// `wheelwright sync` next to pip on the repacked interpreter corpus, alternating runs.
//
//   npm run bench:sync          (= npm run build && node bench/sync.mjs)
//
// Environment: BENCH_RUNS (measured rounds per cell, default 5; LARGE cold/warm 3, see
// CELL_DEFAULTS), BENCH_WARMUP (dropped rounds, default 1), BENCH_RUNS_<CORPUS>_<SCENARIO> and
// BENCH_WARMUP_<CORPUS>_<SCENARIO> for one cell (e.g. BENCH_RUNS_LARGE_COLD=5), BENCH_CORPORA
// (small,large), BENCH_SCENARIOS (cold,warm,noop), BENCH_PYTHON, BENCH_DIST (a built dist/ to
// use instead of the tree's own), BENCH_RERENDER=<sync.json> (only re-render the report from an
// earlier run's samples).
// Writes bench/results/sync.json, sync.md (also printed) and sync.svg. See bench/README.md for
// what each scenario measures and the exact commands.
import { spawnSync } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { alternate } from "./lib/alternate.mjs";
import { closeOver, findRepackedCorpus, writePylock } from "./lib/corpus.mjs";
import { snapshotDist } from "./lib/dist.mjs";
import { captureTree, writeManifest } from "./lib/floor.mjs";
import { measure, measureSteps, RSS_METHOD } from "./lib/measure.mjs";
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
 * Cells that keep fewer rounds by default, to hold the whole bench near 10 minutes: one pip
 * install of LARGE takes 60–120 s here, so 6 alternating rounds of cold and warm would take
 * 25+ minutes on their own. A LARGE cold round has nothing to warm up (every run starts empty),
 * and the warm cell reuses the cold cell's store. Override with BENCH_RUNS_LARGE_COLD=5 etc.
 */
const CELL_DEFAULTS = { "large-cold": { runs: 3, warmup: 0 }, "large-warm": { runs: 3, warmup: 0 } };
const runsFor = (label, scenario) => recorded?.runs[`${label}-${scenario}`] ?? Number(process.env[`BENCH_RUNS_${label.toUpperCase()}_${scenario.toUpperCase()}`] ?? (process.env.BENCH_RUNS ? RUNS : CELL_DEFAULTS[`${label}-${scenario}`]?.runs ?? RUNS));
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const warmupFor = (label, scenario) => recorded?.warmup[`${label}-${scenario}`] ?? Number(process.env[`BENCH_WARMUP_${label.toUpperCase()}_${scenario.toUpperCase()}`] ?? (process.env.BENCH_WARMUP ? WARMUP : CELL_DEFAULTS[`${label}-${scenario}`]?.warmup ?? WARMUP));
const CORPORA = (process.env.BENCH_CORPORA ?? "small,large").split(",");
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? "cold,warm,noop").split(",");
const SMALL_ROOTS = ["flask", "requests"];
const FLOOR = join(root, "bench/lib/floor.mjs");
const log = (msg) => process.stderr.write(`${msg}\n`);

const dist = snapshotDist(root);
const pep = {
  ...(await import(join(dist.dir, "pep/names.js"))),
  ...(await import(join(dist.dir, "pep/metadata.js"))),
  ...(await import(join(dist.dir, "pep/pep508.js"))),
};
const corpus = findRepackedCorpus(root);
const work = mkdtempSync(join(tmpdir(), "ww-bench-sync-"));
const startedAt = new Date();
const load = [loadavg()];

/** Deletes a tree that may hold read-only store paths. */
function remove(path) {
  if (!existsSync(path)) return;
  spawnSync("chmod", ["-R", "u+w", path]);
  rmSync(path, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Inputs: SMALL = flask + requests and their runtime dependencies; LARGE = the whole corpus.

function readMetadataAll(wheels) {
  const script = "import json,sys,zipfile\nout={}\nfor p in sys.argv[1:]:\n z=zipfile.ZipFile(p)\n n=[x for x in z.namelist() if x.count('/')==1 and x.endswith('.dist-info/METADATA')][0]\n out[p]=z.read(n).decode('utf-8')\nprint(json.dumps(out))";
  const r = spawnSync(PYTHON, ["-c", script, ...wheels.map((w) => w.path)], { encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`reading METADATA failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const markers = JSON.parse(spawnSync(PYTHON, ["-c", "import json,os,platform,sys\nv=sys.implementation.version\nprint(json.dumps({'implementation_name':sys.implementation.name,'implementation_version':f'{v.major}.{v.minor}.{v.micro}','os_name':os.name,'platform_machine':platform.machine(),'platform_release':platform.release(),'platform_system':platform.system(),'platform_version':platform.version(),'python_full_version':platform.python_version(),'platform_python_implementation':platform.python_implementation(),'python_version':'.'.join(platform.python_version_tuple()[:2]),'sys_platform':sys.platform}))"], { encoding: "utf8" }).stdout);
const metadata = readMetadataAll(corpus.wheels);
const sets = {
  small: closeOver(corpus.wheels, SMALL_ROOTS, { readMetadata: (w) => metadata[w.path], markers, pep }),
  large: corpus.wheels,
};

function versionOf(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return (r.stdout || r.stderr).trim();
}

const pipVersion = versionOf(PYTHON, ["-m", "pip", "--version"]);
const pythonVersion = versionOf(PYTHON, ["--version"]);

// ---------------------------------------------------------------------------------------------
// The tools

const wwEnv = (cache) => ({ PATH: process.env.PATH, HOME: join(work, "home"), XDG_CACHE_HOME: cache, CI: "true" });
const wwArgs = (store, project) => [dist.cli, "sync", "--find-links", corpus.dir, "--offline", "--store", store, "--python", PYTHON, "-C", project];

function makeProject(dir, set) {
  mkdirSync(dir, { recursive: true });
  writePylock(join(dir, "pylock.toml"), set, pep.normalizeName);
  return dir;
}

async function wheelwrightSync(store, project, cache) {
  const r = await measure(process.execPath, wwArgs(store, project), { env: wwEnv(cache) });
  // stderr is non-enumerable: checked by the no-op cell, kept out of sync.json
  return Object.defineProperty({ wallMs: r.wallMs, rssKb: r.rssKb }, "stderr", { value: r.stderr, enumerable: false });
}

const pipEnv = { PATH: process.env.PATH, HOME: join(work, "home") };
const venvArgs = (dir) => ["-m", "venv", dir];
const pipArgs = (set, cacheArgs) => ["-m", "pip", "install", "--isolated", "--no-index", "--find-links", corpus.dir, "--no-deps", ...cacheArgs, "--disable-pip-version-check", "--no-warn-script-location", "-q", ...set.map((w) => w.path)];

async function pipFresh(dir, set, cacheArgs) {
  const r = await measureSteps([[PYTHON, venvArgs(dir)], [join(dir, "bin/python"), pipArgs(set, cacheArgs)]], { env: pipEnv });
  return { wallMs: r.wallMs, rssKb: r.rssKb, venvMs: r.steps[0].wallMs, installMs: r.steps[1].wallMs };
}

const storeCount = (store) => countTree(store);

// ---------------------------------------------------------------------------------------------
// Scenarios: each returns { tools: { name: samples[] } }; a sample has wallMs, rssKb, written.

// The last cold round's store, project and pip venv are kept (not deleted) and, when the warm and
// no-op cells run after it, serve as their primed state instead of priming again: the same
// state an untimed sync would leave, at no extra cost.
const kept = {};

async function cold(label, set) {
  const runs = runsFor(label, "cold");
  const last = (round) => round === runs - 1;
  return alternate(
    {
      wheelwright: {
        setup: (round) => ({ store: join(work, `${label}-cold-store-${round}`), cache: join(work, `${label}-cold-cache-${round}`), project: makeProject(join(work, `${label}-cold-${round}`), set) }),
        run: async (_round, c) => ({ ...(await wheelwrightSync(c.store, c.project, c.cache)) }),
        teardown: (round, c, sample) => {
          sample.written = countTree(c.store);
          if (last(round)) kept[label] = { ...kept[label], store: c.store, cache: c.cache, project: c.project };
          else [c.store, c.cache, c.project].forEach(remove);
        },
      },
      pip: {
        setup: (round) => ({ dir: join(work, `${label}-pip-cold-${round}`) }),
        run: (_round, c) => pipFresh(c.dir, set, ["--no-cache-dir"]),
        teardown: (round, c, sample) => {
          sample.written = countTree(c.dir);
          if (last(round)) kept[label] = { ...kept[label], pipVenv: c.dir };
          else remove(c.dir);
        },
      },
    },
    { runs: runsFor(label, "cold"), warmup: warmupFor(label, "cold"), onSample: progress(`${label} cold`, runsFor(label, "cold")) },
  );
}

/** A store holding the set and a project synced against it: the cold cell's, else made now (untimed). */
async function primedState(label, set) {
  if (kept[label]?.store === undefined) {
    const state = { store: join(work, `${label}-primed-store`), cache: join(work, `${label}-primed-cache`), project: makeProject(join(work, `${label}-primed`), set) };
    await wheelwrightSync(state.store, state.project, state.cache);
    kept[label] = { ...kept[label], ...state };
  }
  return kept[label];
}

async function warm(label, set) {
  // wheelwright: one store primed by an untimed sync; every run syncs a new project (so a new
  // .venv and a new environment store path) against it. pip: a cache dir primed the same way;
  // pip has no store, so each run still creates a venv and installs every wheel.
  // The pip cache dir is primed by the warm-up round (with local wheel files pip puts nothing
  // in it; it is there so pip gets whatever a cache could give it).
  const primed = await primedState(label, set);
  const { store, cache } = primed;
  const pipCache = join(work, `${label}-pip-cache`);
  // the floor replays the environment the priming sync made
  const reference = readlinkSync(join(primed.project, ".venv"));
  const entries = captureTree(reference);
  const manifest = join(work, `${label}-floor.json`);
  writeManifest(manifest, entries);
  const samples = await alternate(
    {
      wheelwright: {
        setup: (round) => ({ project: makeProject(join(work, `${label}-warm-w${round}`), set), before: storeCount(store) }),
        run: (_round, c) => wheelwrightSync(store, c.project, cache),
        teardown: (_round, c, sample) => {
          sample.written = diffTree(storeCount(store), c.before);
        },
      },
      pip: {
        setup: (round) => ({ dir: join(work, `${label}-pip-warm-w${round}`) }),
        run: (_round, c) => pipFresh(c.dir, set, ["--cache-dir", pipCache]),
        teardown: (_round, c, sample) => {
          sample.written = countTree(c.dir);
          remove(c.dir);
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
    },
    { runs: runsFor(label, "warm"), warmup: warmupFor(label, "warm"), onSample: progress(`${label} warm`, runsFor(label, "warm")) },
  );
  return { samples, floorEntries: entries.length };
}

async function noop(label, set) {
  const { store, cache, project } = await primedState(label, set);
  let venv = kept[label].pipVenv;
  if (venv === undefined) {
    venv = kept[label].pipVenv = join(work, `${label}-pip-primed`);
    await pipFresh(venv, set, ["--no-cache-dir"]);
  }
  return alternate(
    {
      wheelwright: {
        setup: () => ({ before: storeCount(store) }),
        run: async () => {
          const r = await wheelwrightSync(store, project, cache);
          if (!r.stderr.includes("up to date")) throw new Error(`wheelwright no-op sync did work:\n${r.stderr.slice(-2000)}`);
          return r;
        },
        teardown: (_round, c, sample) => {
          sample.written = diffTree(storeCount(store), c.before);
        },
      },
      pip: {
        setup: () => ({ before: countTree(venv) }),
        run: async () => {
          const r = await measure(join(venv, "bin/python"), pipArgs(set, ["--no-cache-dir"]), { env: pipEnv });
          return { wallMs: r.wallMs, rssKb: r.rssKb };
        },
        teardown: (_round, c, sample) => {
          sample.written = diffTree(countTree(venv), c.before);
        },
      },
    },
    { runs: runsFor(label, "noop"), warmup: warmupFor(label, "noop"), onSample: progress(`${label} no-op`, runsFor(label, "noop")) },
  );
}

function progress(cell, runs) {
  return ({ name, round, warmup, sample }) => log(`  ${cell.padEnd(12)} ${warmup ? "warm-up" : `run ${round + 1}/${runs}`} ${name.padEnd(11)} ${formatMs(sample.wallMs)}`);
}

// ---------------------------------------------------------------------------------------------
// Run and report

const cells = [];
if (process.env.BENCH_RERENDER) {
  // Re-render sync.md/svg from the samples of an earlier sync.json (e.g. after a report change).
  const previous = JSON.parse(readFileSync(process.env.BENCH_RERENDER, "utf8"));
  startedAt.setTime(Date.parse(previous.meta.startedAt));
  load.splice(0, load.length, ...previous.meta.machine.loadavgAtEachCell);
  for (const r of previous.results) {
    cells.push({ corpus: r.corpus, wheels: r.wheels, scenario: r.scenario, ...(r.floorEntries ? { floorEntries: r.floorEntries } : {}), samples: Object.fromEntries(Object.entries(r.tools).map(([t, v]) => [t, v.samples])) });
  }
  recorded = { runs: previous.meta.runs, warmup: previous.meta.warmup };
}

function writeReport() {
  const rows = [];
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
    const ratio = pairedRatios(wall("wheelwright"), wall("pip"));
    // pip's venv step (ensurepip) is a fixed cost wheelwright doesn't pay: also compare with the
    // install step alone, so the table can't flatter wheelwright on small sets
    const installOnly = cell.samples.pip?.every((s) => s.installMs !== undefined) ? pairedRatios(wall("wheelwright"), cell.samples.pip.map((s) => s.installMs)) : undefined;
    const floorRatio = cell.samples.floor ? pairedRatios(wall("wheelwright"), wall("floor")) : undefined;
    for (const [tool, t] of Object.entries(tools)) {
      rows.push([
        cell.corpus.toUpperCase(),
        cell.scenario === "noop" ? "no-op" : cell.scenario,
        tool,
        `${t.wallMs.n} (+${warmupFor(cell.corpus, cell.scenario)})`,
        formatMs(t.wallMs.min),
        formatMs(t.wallMs.median),
        formatMs(t.wallMs.max),
        tool === "wheelwright" ? `${formatRatio(ratio.median)} (${formatRatio(ratio.min)}–${formatRatio(ratio.max)})` : tool === "floor" ? `ww/floor ${formatRatio(floorRatio.median)}` : "",
        tool === "wheelwright" && installOnly ? formatRatio(installOnly.median) : "",
        formatBytes(t.rssKb.median * 1000),
        t.written.files + t.written.symlinks + t.written.dirs,
        formatBytes(t.written.bytes),
      ]);
    }
    return { corpus: cell.corpus, wheels: cell.wheels, scenario: cell.scenario, ...(cell.floorEntries ? { floorEntries: cell.floorEntries } : {}), ratioWheelwrightPip: ratio, ...(installOnly ? { ratioWheelwrightPipInstallStep: installOnly } : {}), ...(floorRatio ? { ratioWheelwrightFloor: floorRatio } : {}), tools };
  });

  const meta = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgAtEachCell: load },
    node: process.version,
    python: pythonVersion,
    pip: pipVersion,
    corpus: { source: "repacked pyenv 3.11.7 site-packages (test/helpers/repack.ts)", dir: corpus.dir, small: sets.small.map((w) => `${w.name}==${w.version}`), large: sets.large.length },
    runs: Object.fromEntries(cells.map((c) => [`${c.corpus}-${c.scenario}`, runsFor(c.corpus, c.scenario)])),
    warmup: Object.fromEntries(cells.map((c) => [`${c.corpus}-${c.scenario}`, warmupFor(c.corpus, c.scenario)])),
    rss: RSS_METHOD,
    commands: {
      wheelwright: `node dist/cli/main.js sync --find-links <corpus> --offline --store <store> --python ${PYTHON} -C <project>   (env: fresh XDG_CACHE_HOME for cold)`,
      pipVenv: `${PYTHON} -m venv <dir>`,
      pipInstall: `<dir>/bin/python -m pip install --isolated --no-index --find-links <corpus> --no-deps (--no-cache-dir | --cache-dir <primed>) --disable-pip-version-check --no-warn-script-location -q <every wheel file>`,
      floor: "node bench/lib/floor.mjs <manifest of the primed environment> <dest>",
    },
  };
  const header = ["corpus", "scenario", "tool", "runs", "min", "median", "max", "wheelwright/pip (median of pairs, min–max)", "wheelwright/pip install step only", "peak RSS (median)", "entries written", "bytes written"];
  const table = markdownTable(header, rows, ["l", "l", "l", "r", "r", "r", "r", "r", "r", "r", "r", "r"]);
  const md = [
    `# wheelwright sync vs pip — ${meta.startedAt}`,
    "",
    `${meta.python}, ${pipVersion.split(" from ")[0]}, node ${meta.node}, ${meta.machine.cpus} CPUs (load average ${load[0].map((l) => l.toFixed(1)).join(" ")} at start, ${load[load.length - 1].map((l) => l.toFixed(1)).join(" ")} at end).`,
    `Corpus: ${meta.corpus.source}; SMALL = ${SMALL_ROOTS.join(" + ")} and their runtime dependencies (${sets.small.length} wheels), LARGE = all ${sets.large.length}. Alternating runs per cell; "runs" = measured (+ dropped warm-up rounds). Peak RSS: ${RSS_METHOD}.`,
    "",
    table,
    "",
    "pip's times include `python -m venv` (which runs ensurepip); its install step alone is in sync.json (`installMs`). pip has no store, so its warm run is a cold run with a primed (unused, for local wheels) cache. The floor replays the finished environment's directories, symlinks and copied files with nothing else (node start-up included).",
    "",
  ].join("\n");

  mkdirSync(join(root, "bench/results"), { recursive: true });
  writeFileSync(join(root, "bench/results/sync.json"), JSON.stringify({ meta, results }, null, 2) + "\n");
  writeFileSync(join(root, "bench/results/sync.md"), md);
  const groups = results.map((r) => ({
    label: `${r.corpus.toUpperCase()} ${r.scenario === "noop" ? "no-op" : r.scenario}`,
    bars: Object.entries(r.tools).map(([series, t]) => ({ series, median: t.wallMs.median, min: t.wallMs.min, max: t.wallMs.max })),
  }));
  writeFileSync(join(root, "bench/results/sync.svg"), barChartSvg({ title: `wheelwright sync vs pip (${sets.small.length} / ${sets.large.length} wheels), wall time`, groups }));
  return md;
}
try {
  for (const label of process.env.BENCH_RERENDER ? [] : CORPORA) {
    const set = sets[label];
    if (!set) throw new Error(`unknown corpus ${label} (small, large)`);
    log(`${label.toUpperCase()}: ${set.length} wheels, ${formatBytes(set.reduce((s, w) => s + w.size, 0))}`);
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
  remove(work);
  dist.dispose();
}
