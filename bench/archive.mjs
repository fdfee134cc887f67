// Micro benchmark for src/archive: extracts a set of wheels with extractZip (all at once,
// BENCH_JOBS at a time, as a sync does) and with `unzip -q` (same concurrency), in turn
// (A B A B …) so disk drift hits both alike; prints min/median per tool and the ratio.
//
//   npm run build && node bench/archive.mjs          (BENCH_RUNS=5, BENCH_JOBS=cores)
//
// Wheels: the repacked corpus under $TMPDIR/wheelwright-fixtures/corpus-* when present
// (WHEELWRIGHT_REPACKED_CORPUS to pick one), else the interpreter's bundled wheels.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { extractZip } = await import(join(process.env.WW_DIST ?? join(root, "dist"), "archive/index.js"));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const JOBS = Number(process.env.BENCH_JOBS ?? cpus().length);

function wheels() {
  const dirs = [];
  if (process.env.WHEELWRIGHT_REPACKED_CORPUS) dirs.push(process.env.WHEELWRIGHT_REPACKED_CORPUS);
  const cache = join(tmpdir(), "wheelwright-fixtures");
  if (existsSync(cache)) for (const d of readdirSync(cache)) if (d.startsWith("corpus-")) dirs.push(join(cache, d));
  const python = process.env.BENCH_PYTHON ?? "python3";
  dirs.push(execFileSync(python, ["-c", "import ensurepip, os; print(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled'))"], { encoding: "utf8" }).trim());
  for (const dir of dirs) {
    const found = existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".whl")).map((f) => join(dir, f)) : [];
    if (found.length > 0) return found;
  }
  throw new Error("no wheels found to benchmark");
}

async function pool(items, jobs, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

const unzip = (wheel, dest) => new Promise((resolve, reject) => {
  const child = spawn("unzip", ["-q", wheel, "-d", dest], { stdio: "ignore" });
  child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`unzip ${wheel}: ${code}`))));
});

const tools = { wheelwright: (w, d) => extractZip(w, d) };
try {
  execFileSync("unzip", ["-v"], { stdio: "ignore" });
  tools.unzip = unzip;
} catch {}

const list = wheels();
const times = Object.fromEntries(Object.keys(tools).map((t) => [t, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, extract] of Object.entries(tools)) {
    const out = mkdtempSync(join(tmpdir(), "ww-bench-archive-"));
    const started = process.hrtime.bigint();
    let i = 0;
    await pool(list, JOBS, (wheel) => extract(wheel, join(out, String(i++))));
    times[name].push(Number(process.hrtime.bigint() - started) / 1e9);
    rmSync(out, { recursive: true, force: true });
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${list.length} wheels, ${JOBS} at a time, ${RUNS} runs`);
console.log("| tool | min s | median s |\n|---|---|---|");
for (const [name, xs] of Object.entries(times)) console.log(`| ${name} | ${Math.min(...xs).toFixed(3)} | ${median(xs).toFixed(3)} |`);
if (times.unzip) console.log(`ratio wheelwright/unzip (median): ${(median(times.wheelwright) / median(times.unzip)).toFixed(2)}`);
