// The wheel-install step alone: every wheel of the LARGE set (the same ~100 wheels as
// bench/sync.mjs: the local mirror's when present, else the repacked interpreter corpus) into a
// fresh prefix, from local files, bytecode (optimization level 0) on for every tool:
//
//   wheelwright -jN   the library's installWheel, N = cores concurrent installs (what the
//                     scheduler does), in a child node process
//   wheelwright -j1   the same, one wheel at a time
//   pip               the newest pip available offline (bench/lib/peers.mjs):
//                     pip install --isolated --no-deps --no-index --ignore-installed --prefix …
//   installer         pypa/installer (Debian's python3-installer package, alone on PYTHONPATH),
//                     its API in one Python process, as `python -m installer --prefix` does
//
// Alternating runs (order swapped each round) after warm-up rounds that are dropped; reports
// min/median/max wall time, the ratio wheelwright/peer per pair of runs, CPU seconds, peak RSS
// and what each run wrote. Writes bench/results/install.{json,md,svg}.
//
//   npm run build && node bench/install.mjs
//
// Environment: BENCH_RUNS (default 5), BENCH_WARMUP (default 1), BENCH_TOOLS (comma-separated
// names above), BENCH_CORPUS_SOURCE (auto|mirror|repacked), BENCH_PYTHON, BENCH_DIST.
import { cpus, loadavg, tmpdir } from "node:os";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { alternate } from "./lib/alternate.mjs";
import { loadBenchInputs } from "./lib/corpus.mjs";
import { snapshotDist } from "./lib/dist.mjs";
import { measure, RSS_METHOD } from "./lib/measure.mjs";
import { INSTALLER_DRIVER, setupInstaller, setupPip } from "./lib/peers.mjs";
import { pairedRatios, summarize } from "./lib/stats.mjs";
import { barChartSvg } from "./lib/svg.mjs";
import { formatBytes, formatMs, formatRatio, markdownTable } from "./lib/table.mjs";
import { countTree } from "./lib/tree.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PYTHON = process.env.BENCH_PYTHON ?? "/root/.pyenv/versions/3.11.7/bin/python3.11";
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const log = (msg) => process.stderr.write(`${msg}\n`);

const dist = snapshotDist(root);
const work = mkdtempSync(join(tmpdir(), "ww-bench-install-"));
try {
  const { interpreter, corpora } = await loadBenchInputs({ distDir: dist.dir, python: PYTHON, root });
  const wheels = corpora.large.map((w) => w.path);
  const bytes = corpora.large.reduce((s, w) => s + w.size, 0);
  log(`corpus: ${corpora.source}, ${wheels.length} wheels, ${formatBytes(bytes)}`);
  const jobs = Math.max(1, cpus().length);

  // wheelwright in a child process of its own, like the peers: its wall time includes node's
  // start-up and its RSS is its own. The wheel list comes in a file (argv would be long).
  const list = join(work, "wheels.json");
  writeFileSync(list, JSON.stringify(wheels));
  const driver = join(work, "ww-install.mjs");
  writeFileSync(
    driver,
    [
      `const { installWheel } = await import(${JSON.stringify(join(dist.dir, "install/index.js"))});`,
      `const { shutdownCompileWorkers } = await import(${JSON.stringify(join(dist.dir, "install/bytecode.js"))});`,
      `const { probeInterpreter } = await import(${JSON.stringify(join(dist.dir, "python/probe.js"))});`,
      "const [prefix, concurrency, list, python] = process.argv.slice(2);",
      "const wheels = JSON.parse((await import('node:fs')).readFileSync(list, 'utf8'));",
      "const interpreter = await probeInterpreter(python, { cacheDir: false });",
      "let next = 0;",
      "const worker = async () => { while (next < wheels.length) await installWheel(wheels[next++], prefix, { interpreter }); };",
      "await Promise.all(Array.from({ length: Number(concurrency) }, worker));",
      // wait for the compile workers to exit, so their CPU time is this run's (waited-for children)
      "await shutdownCompileWorkers();",
    ].join("\n"),
  );
  const installerDriver = join(work, "installer-driver.py");
  writeFileSync(installerDriver, INSTALLER_DRIVER);

  const skipped = [];
  const versions = { python: interpreter.version };
  const pick = new Set((process.env.BENCH_TOOLS ?? `wheelwright -j${jobs},wheelwright -j1,pip,installer`).split(",").map((s) => s.trim()));
  const tools = {};
  const env = { PATH: process.env.PATH, HOME: join(work, "home") };
  if (pick.has(`wheelwright -j${jobs}`)) tools[`wheelwright -j${jobs}`] = (prefix) => measure(process.execPath, [driver, prefix, String(jobs), list, PYTHON], { env });
  if (pick.has("wheelwright -j1")) tools["wheelwright -j1"] = (prefix) => measure(process.execPath, [driver, prefix, "1", list, PYTHON], { env });
  if (pick.has("pip")) {
    const pip = setupPip(PYTHON, log);
    versions.pip = pip.version.split(" from ")[0];
    versions.pipSource = pip.source;
    tools.pip = (prefix) => measure(pip.python, ["-m", "pip", "install", "--isolated", "--no-deps", "--no-index", "--ignore-installed", "--no-warn-script-location", "--disable-pip-version-check", "-q", "--prefix", prefix, ...wheels], { env });
  }
  if (pick.has("installer")) {
    const installer = setupInstaller(log);
    if (installer.skip) {
      log(`installer skipped: ${installer.skip}`);
      skipped.push(`installer (${installer.skip})`);
    } else {
      versions.installer = `installer ${installer.version}`;
      versions.installerSource = installer.source;
      tools.installer = (prefix) => measure(PYTHON, [installerDriver, prefix, ...wheels], { env: { ...env, PYTHONPATH: installer.dir } });
    }
  }
  const ww = Object.keys(tools).find((t) => t.startsWith("wheelwright"));
  if (ww === undefined) throw new Error("BENCH_TOOLS must include a wheelwright variant (ratios are relative to it)");

  // CPU seconds (user + system) of the waited-for children of this process (the tool and its
  // subprocesses, e.g. compile.py), from /proc: on a shared machine wall time also measures the
  // neighbours.
  const childCpu = () => {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime (clock ticks, 100/s)
  };
  const samples = await alternate(
    Object.fromEntries(
      Object.entries(tools).map(([name, fn]) => [
        name,
        {
          setup: () => ({ scratch: mkdtempSync(join(work, "run-")), cpu: childCpu() }),
          run: async (_round, c) => {
            const r = await fn(join(c.scratch, "prefix"));
            return { wallMs: r.wallMs, rssKb: r.rssKb };
          },
          teardown: (_round, c, sample) => {
            sample.cpuS = childCpu() - c.cpu;
            sample.written = countTree(join(c.scratch, "prefix"));
            rmSync(c.scratch, { recursive: true, force: true });
          },
        },
      ]),
    ),
    { runs: RUNS, warmup: WARMUP, onSample: ({ name, round, warmup, sample }) => log(`  ${warmup ? "warm-up" : `run ${round + 1}/${RUNS}`} ${name.padEnd(16)} ${formatMs(sample.wallMs)} wall, ${sample.cpuS?.toFixed(2) ?? "?"} s cpu`) },
  );

  const results = {};
  const rows = [];
  for (const [name, s] of Object.entries(samples)) {
    const ratio = name === ww ? undefined : pairedRatios(samples[ww].map((x) => x.wallMs), s.map((x) => x.wallMs));
    const cpuRatio = name === ww ? undefined : pairedRatios(samples[ww].map((x) => x.cpuS), s.map((x) => x.cpuS));
    results[name] = { wallMs: summarize(s.map((x) => x.wallMs)), cpuS: summarize(s.map((x) => x.cpuS)), rssKb: summarize(s.map((x) => x.rssKb)), written: s[s.length - 1].written, ...(ratio ? { ratioWheelwrightOver: ratio, cpuRatioWheelwrightOver: cpuRatio } : {}), samples: s };
    const r = results[name];
    rows.push([name, `${r.wallMs.n} (+${WARMUP})`, formatMs(r.wallMs.min), formatMs(r.wallMs.median), formatMs(r.wallMs.max), ratio ? `${formatRatio(ratio.median)} (${formatRatio(ratio.min)}–${formatRatio(ratio.max)})` : "", `${r.cpuS.median.toFixed(2)} s`, cpuRatio ? formatRatio(cpuRatio.median) : "", formatBytes(r.rssKb.median * 1000), r.written.files + r.written.symlinks + r.written.dirs, formatBytes(r.written.bytes)]);
  }
  const report = {
    benchmark: "install every wheel of the LARGE set into a fresh prefix, bytecode on (level 0)",
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadavg: loadavg() },
    corpus: { source: corpora.source, description: corpora.description, wheels: wheels.length, bytes },
    versions,
    skipped,
    runs: RUNS,
    warmup: WARMUP,
    rss: RSS_METHOD,
    ratiosAreOf: ww,
    results,
  };
  mkdirSync(join(root, "bench/results"), { recursive: true });
  writeFileSync(join(root, "bench/results/install.json"), JSON.stringify(report, null, 2) + "\n");
  const md = [
    `# The install step alone — ${report.date}`,
    "",
    `Install ${wheels.length} wheels (${formatBytes(bytes)}; ${corpora.source}: ${corpora.description}) into a fresh prefix from local files, bytecode on for every tool. Python ${interpreter.version}; ${[versions.pip, versions.installer].filter(Boolean).join("; ")}; ${cpus().length} CPUs, load average ${report.machine.loadavg.map((l) => l.toFixed(1)).join(" ")} at the end. Alternating runs; ratios are ${ww} over the tool, per pair of runs (median, min–max).`,
    ...(skipped.length ? ["", `Not run: ${skipped.join("; ")}.`] : []),
    "",
    markdownTable(["tool", "runs", "min", "median", "max", `${ww} / this tool`, "CPU (median)", "CPU ratio", "peak RSS (median)", "entries written", "bytes written"], rows, ["l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"]),
    "",
  ].join("\n");
  writeFileSync(join(root, "bench/results/install.md"), md);
  writeFileSync(join(root, "bench/results/install.svg"), barChartSvg({ title: `install ${wheels.length} wheels into a prefix (bytecode on), wall time`, groups: [{ label: `LARGE (${wheels.length})`, bars: Object.entries(results).map(([series, r]) => ({ series, median: r.wallMs.median, min: r.wallMs.min, max: r.wallMs.max })) }] }));
  process.stdout.write(md);
} finally {
  rmSync(work, { recursive: true, force: true });
  dist.dispose();
}
