// Installs the whole repacked corpus (~100 real wheels) with wheelwright and with pip, in
// turn (A B A B …, so drift on this disk-heavy workload hits both alike), bytecode on for both
// (pip compiles by default). Reports min/median/max per tool and the ratio of medians; writes
// bench/results/install.json and prints a markdown table.
//
//   npm run build && node bench/install.mjs            (BENCH_RUNS=3 by default; BENCH_TOOLS to pick)
//
// The corpus is the fixture test/helpers/repack.ts builds (cached under
// $TMPDIR/wheelwright-fixtures/corpus-*); WHEELWRIGHT_REPACKED_CORPUS can point at one.
// wheelwright runs with as many concurrent installs as there are cores (what the scheduler
// does); "wheelwright -j1" is also measured, since pip installs one wheel at a time.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { installWheel } = await import(join(root, "dist/install/index.js"));
const { probeInterpreter } = await import(join(root, "dist/python/probe.js"));

const PYTHON = process.env.BENCH_PYTHON ?? "/root/.pyenv/versions/3.11.7/bin/python";
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function findCorpus() {
  const fromEnv = process.env.WHEELWRIGHT_REPACKED_CORPUS;
  const candidates = fromEnv ? [fromEnv] : [];
  const cache = join(tmpdir(), "wheelwright-fixtures");
  if (existsSync(cache)) {
    for (const d of readdirSync(cache)) if (d.startsWith("corpus-")) candidates.push(join(cache, d));
  }
  const usable = candidates.filter((d) => existsSync(join(d, "manifest.json")));
  usable.sort((a, b) => statSync(join(b, "manifest.json")).mtimeMs - statSync(join(a, "manifest.json")).mtimeMs);
  if (usable.length === 0) {
    console.error("No repacked corpus found. Build it first: npx vitest run test/install/repack.test.ts");
    process.exit(2);
  }
  return { dir: usable[0], wheels: JSON.parse(readFileSync(join(usable[0], "manifest.json"), "utf8")) };
}

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b) => (stderr += b));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

const corpus = findCorpus();
const wheels = corpus.wheels.map((w) => w.path);
const interpreter = await probeInterpreter(PYTHON, { cacheDir: false });
const jobs = Math.max(1, cpus().length);

async function wheelwright(prefix, concurrency) {
  let next = 0;
  const worker = async () => {
    while (next < wheels.length) await installWheel(wheels[next++], prefix, { interpreter });
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const tools = {
  [`wheelwright -j${jobs}`]: (prefix) => wheelwright(prefix, jobs),
  "wheelwright -j1": (prefix) => wheelwright(prefix, 1),
  pip: (prefix) =>
    run(PYTHON, ["-m", "pip", "install", "--isolated", "--no-deps", "--no-index", "--ignore-installed", "--no-warn-script-location", "--disable-pip-version-check", "-q", "--prefix", prefix, ...wheels], {
      PATH: process.env.PATH,
      HOME: tmpdir(),
    }),
};

// BENCH_TOOLS="pip,wheelwright -j2" limits the contenders (comma-separated names).
if (process.env.BENCH_TOOLS) {
  const keep = new Set(process.env.BENCH_TOOLS.split(",").map((s) => s.trim()));
  for (const name of Object.keys(tools)) if (!keep.has(name)) delete tools[name];
  if (!tools.pip) throw new Error("BENCH_TOOLS must include pip (ratios are relative to it)");
}

const times = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
const cpuTimes = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
// CPU seconds (user + system) of this process plus its waited-for children (pip, compile.py),
// from /proc: on a shared, oversubscribed machine wall time mostly measures the neighbours.
function cpuSeconds() {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  // fields[11..14] = utime stime cutime cstime (fields 14..17 of proc(5)), in clock ticks (100/s).
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1], runs: xs };
};
let report;
// Written after every round, so an interrupted benchmark still leaves its completed rounds.
function writeReport(rounds) {
  const results = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)]));
  const pipMedian = results.pip.median;
  report = {
    benchmark: "install the repacked corpus into a fresh prefix, bytecode on",
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version, loadavg: loadavg() },
    corpus: { wheels: wheels.length, bytes: corpus.wheels.reduce((a, w) => a + w.size, 0) },
    python: interpreter.version,
    rounds,
    results,
    ratioToPip: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.median / pipMedian])),
    cpuSeconds: Object.fromEntries(Object.entries(cpuTimes).map(([k, v]) => [k, stats(v)])),
    cpuRatioToPip: Object.fromEntries(Object.entries(cpuTimes).map(([k, v]) => [k, stats(v).median / stats(cpuTimes.pip).median])),
  };
  mkdirSync(join(root, "bench/results"), { recursive: true });
  writeFileSync(join(root, "bench/results/install.json"), JSON.stringify(report, null, 2) + "\n");
}
for (let i = 0; i < RUNS; i++) {
  for (const [name, fn] of Object.entries(tools)) {
    const scratch = mkdtempSync(join(tmpdir(), "ww-bench-install-"));
    const cpu0 = cpuSeconds();
    const t = process.hrtime.bigint();
    await fn(join(scratch, "prefix"));
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    const cpu = cpuSeconds() - cpu0;
    times[name].push(seconds);
    cpuTimes[name].push(cpu);
    rmSync(scratch, { recursive: true, force: true });
    console.error(`run ${i + 1}/${RUNS} ${name}: ${seconds.toFixed(2)} s wall, ${cpu.toFixed(2)} s cpu`);
  }
  writeReport(i + 1);
}
const results = report.results;

const f = (x) => x.toFixed(2);
console.log(`Install ${wheels.length} wheels (${(report.corpus.bytes / 1e6).toFixed(0)} MB) into a fresh prefix, bytecode on, ${RUNS} runs each, alternating.\n`);
console.log("| tool | wall min (s) | wall median (s) | wall max (s) | wall median / pip | cpu median (s) | cpu median / pip |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const [k, r] of Object.entries(results)) {
  console.log(`| ${k} | ${f(r.min)} | ${f(r.median)} | ${f(r.max)} | ${f(report.ratioToPip[k])} | ${f(report.cpuSeconds[k].median)} | ${f(report.cpuRatioToPip[k])} |`);
}
