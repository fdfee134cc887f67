// Runs one command and measures it: wall time (hrtime, spawn to exit), peak RSS, exit code.
//
// Peak RSS comes from GNU time (`/usr/bin/time -f %M`, written to a private file so the
// command's own stderr is untouched) when that binary exists: it reports the largest
// maximum resident set of the process *or any descendant it waited for* (getrusage
// semantics), i.e. the biggest single process of the tree, not the tree's sum. Without GNU
// time, /proc/<pid>/status VmHWM of the direct child is polled every 5 ms (children missed).
// Wrapping costs one extra fork+exec (~1 ms) and is the same for every tool measured.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const GNU_TIME = ["/usr/bin/time", "/bin/time"].find((p) => {
  if (!existsSync(p)) return false;
  try {
    // busybox time has no -f; GNU time prints a version with --version
    return readFileSync(p).includes("GNU");
  } catch {
    return false;
  }
});

/** How peak RSS is measured on this machine (for result metadata). */
export const RSS_METHOD = GNU_TIME ? `${GNU_TIME} -f %M (largest process of the tree)` : "/proc/<pid>/status VmHWM polling (direct child only)";

function readHwmKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Spawns `cmd args` and resolves with `{ wallMs, rssKb, code, stdout, stderr }` (output is
 * kept, capped at 1 MB each). Rejects on a non-zero exit unless `allowFailure`.
 */
export function measure(cmd, args, { env = process.env, cwd, allowFailure = false } = {}) {
  const scratch = GNU_TIME ? mkdtempSync(join(tmpdir(), "ww-bench-time-")) : undefined;
  const rssFile = scratch ? join(scratch, "rss") : undefined;
  const [file, argv] = GNU_TIME ? [GNU_TIME, ["-q", "-f", "%M", "-o", rssFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const keep = (s, b) => (s.length < 1 << 20 ? s + b : s);
    child.stdout.on("data", (b) => (stdout = keep(stdout, b)));
    child.stderr.on("data", (b) => (stderr = keep(stderr, b)));
    let hwm = 0;
    const poll = GNU_TIME ? undefined : setInterval(() => (hwm = Math.max(hwm, readHwmKb(child.pid))), 5);
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (poll) clearInterval(poll);
      let rssKb = hwm;
      if (rssFile) {
        try {
          rssKb = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop());
        } catch {
          rssKb = NaN;
        }
        rmSync(scratch, { recursive: true, force: true });
      }
      const result = { wallMs, rssKb, code, stdout, stderr };
      if (code !== 0 && !allowFailure) {
        const error = new Error(`${cmd} ${args.slice(0, 6).join(" ")}… exited ${code}\n${stderr.slice(-3000)}${stdout.slice(-1000)}`);
        error.result = result;
        reject(error);
      } else resolve(result);
    });
  });
}

/** Runs several commands one after another as one measured step: times add, RSS is the max. */
export async function measureSteps(steps, options) {
  const total = { wallMs: 0, rssKb: 0, steps: [] };
  for (const [cmd, args, extra] of steps) {
    const r = await measure(cmd, args, { ...options, ...extra });
    total.wallMs += r.wallMs;
    total.rssKb = Math.max(total.rssKb, r.rssKb);
    total.steps.push({ wallMs: r.wallMs, rssKb: r.rssKb });
    total.stdout = r.stdout;
    total.stderr = r.stderr;
  }
  return total;
}
