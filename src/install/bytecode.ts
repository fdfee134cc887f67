/**
 * Bytecode compilation with the target interpreter through long-lived compile workers
 * (`compile.py`), so a sync pays for one interpreter start per worker instead of one per
 * wheel. Workers are pooled per interpreter executable, at most one per core, started on
 * demand, fed one request at a time over stdin/stdout, and shut down by
 * `shutdownCompileWorkers()` (a sync calls it when it ends) or after a while idle. An idle
 * worker never keeps the Node process alive.
 *
 * Output is reproducible: the same bytes whatever a worker compiled before (compile.py
 * says why), unchecked-hash pycs (Python >= 3.7), PYTHONHASHSEED=0 so set/frozenset
 * constants marshal in a fixed order, a fixed umask, and code objects that record the final
 * (post-rename) path instead of the temporary one. Only optimization level 0 is written (pip
 * writes only that level too).
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { availableParallelism } from "node:os";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { WheelwrightError } from "../errors.js";
import type { Interpreter } from "../python/types.js";

const COMPILE_SCRIPT = fileURLToPath(new URL("./compile.py", import.meta.url));
/** An idle worker exits after this long without a request. */
const IDLE_MS = 20_000;
const STDERR_KEEP = 4000;

export interface CompileTarget {
  /** A .py file or a directory to walk (sorted, `__pycache__` skipped). */
  path: string;
  /** The path code objects should record for it (default: `path`). */
  displayPath?: string;
}

export interface CompiledFile {
  source: string;
  pyc: string;
  /**
   * The pyc's bytes when `returnBytes` was asked and the interpreter could hand them over:
   * the file was then NOT written, the caller writes it. Absent: the worker wrote `pyc`.
   */
  data?: Buffer;
}

export interface CompileResult {
  compiled: CompiledFile[];
  /** Sources that do not compile on this interpreter (skipped, as pip does). */
  failed: { source: string; message: string }[];
}

export interface CompileOptions {
  /**
   * Pythons before 3.7 only write mtime-stamped pycs; sources get this mtime first so their
   * pycs are reproducible (and stay valid when the store normalizes mtimes to the same value).
   * Default 1, the mtime store paths are normalized to.
   */
  legacyMtime?: number;
  /**
   * Hand the pyc bytes back instead of writing them (Python >= 3.7; older interpreters
   * still write): the installer writes them itself and so knows every byte it installed.
   */
  returnBytes?: boolean;
}

interface ReplyHeader {
  id: number;
  compiled?: [string, string, number][];
  failed?: [string, string][];
  error?: string;
  payload: number;
}

interface Pending {
  id: number;
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

interface Reply {
  header: ReplyHeader;
  payload: Buffer;
  /** The end of what the worker wrote to stderr so far (a failed child's traceback). */
  stderr: string;
}

type WorkerProcess = ChildProcessByStdio<Writable, Readable, Readable>;

/** One `compile.py` process serving one request at a time. */
class CompileWorker {
  private readonly child: WorkerProcess;
  private chunks: Buffer[] = [];
  private size = 0;
  private header: ReplyHeader | undefined;
  private pending: Pending | undefined;
  private stderr = "";
  private nextId = 1;
  dead = false;
  /** Settles when the process has exited (however it ended). */
  readonly exited: Promise<void>;
  private markExited!: () => void;

  constructor(
    private readonly executable: string,
    private readonly onDeath: (worker: CompileWorker) => void,
  ) {
    // A clean environment: nothing inherited from PYTHON* can change what gets written.
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    const env: NodeJS.ProcessEnv = { PYTHONHASHSEED: "0", PYTHONIOENCODING: "utf-8", PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C.UTF-8" };
    this.child = spawn(executable, ["-s", COMPILE_SCRIPT], { env, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout.on("data", (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-STDERR_KEEP);
    });
    this.child.stdin.on("error", () => {}); // a crash is reported through "close"
    this.child.on("error", (error) => {
      this.fail(this.spawnError(error));
      this.markExited();
    });
    this.child.on("close", (code, signal) => {
      this.markExited();
      const how = signal !== null ? `signal ${signal}` : `exit ${code}`;
      this.fail(
        new WheelwrightError("ERR_WW_BYTECODE", `The bytecode compiler (${executable}) stopped unexpectedly (${how})`, {
          hint: "The interpreter's output is shown below; check that the interpreter runs and the disk is writable.",
          details: { stderr: this.stderr },
        }),
      );
    });
    this.setRef(false);
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  request(body: Record<string, unknown>): Promise<Reply> {
    if (this.dead) return Promise.reject(new Error("compile worker is gone"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.setRef(true);
      this.child.stdin.write(`${JSON.stringify({ ...body, id })}\n`);
    });
  }

  /** Ends the process; Node stays alive until it has exited, so no worker outlives its caller. */
  close(): void {
    if (this.dead) return;
    this.setRef(true);
    this.child.stdin.end();
  }

  /** Pipes and the process keep Node's event loop alive only while a request is running. */
  private setRef(on: boolean): void {
    const handles = [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as unknown as { ref?: () => void; unref?: () => void }[];
    for (const handle of handles) (on ? handle.ref : handle.unref)?.call(handle);
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    for (;;) {
      if (this.header === undefined) {
        const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
        this.chunks = [all];
        const newline = all.indexOf(10);
        if (newline < 0) return;
        try {
          this.header = JSON.parse(all.subarray(0, newline).toString("utf8")) as ReplyHeader;
        } catch {
          this.fail(new WheelwrightError("ERR_WW_BYTECODE", `The bytecode compiler (${this.executable}) wrote an unreadable reply`, { hint: "This is a bug in wheelwright's compile worker.", details: { output: all.subarray(0, 500).toString("utf8"), stderr: this.stderr } }));
          this.child.kill();
          return;
        }
        const rest = all.subarray(newline + 1);
        this.chunks = rest.length > 0 ? [rest] : [];
        this.size = rest.length;
      }
      const need = this.header.payload;
      if (this.size < need) return;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
      const header = this.header;
      this.header = undefined;
      const rest = all.subarray(need);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      const pending = this.pending;
      this.pending = undefined;
      this.setRef(false);
      if (pending === undefined || pending.id !== header.id) {
        this.fail(new WheelwrightError("ERR_WW_BYTECODE", `The bytecode compiler (${this.executable}) answered a request it was not asked`, { hint: "This is a bug in wheelwright's compile worker." }));
        this.child.kill();
        return;
      }
      pending.resolve({ header, payload: all.subarray(0, need), stderr: this.stderr });
    }
  }

  private spawnError(error: Error): WheelwrightError {
    return new WheelwrightError("ERR_WW_BYTECODE", `Could not run ${this.executable} to compile bytecode: ${error.message}`, {
      cause: error,
      hint: "Check that the interpreter still exists and runs.",
    });
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!this.dead) {
      this.dead = true;
      this.onDeath(this);
    }
    pending?.reject(error);
  }
}

/** Up to `size` workers for one interpreter; requests beyond that wait their turn. */
class CompilePool {
  private readonly workers = new Set<CompileWorker>();
  private readonly idle: CompileWorker[] = [];
  private readonly waiting: ((worker: CompileWorker) => void)[] = [];
  private readonly timers = new Map<CompileWorker, NodeJS.Timeout>();
  private closing = false;

  constructor(
    readonly executable: string,
    private readonly size: number,
  ) {}

  async run(body: Record<string, unknown>): Promise<Reply> {
    const worker = await this.acquire();
    try {
      return await worker.request(body);
    } finally {
      this.release(worker);
    }
  }

  /**
   * Ends idle workers now and busy ones when their request is done (and nobody waits);
   * settles when all of them have exited.
   */
  close(): Promise<void> {
    this.closing = true;
    const exits = Promise.all([...this.workers].map((w) => w.exited)).then(() => undefined);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const worker of this.idle) this.retire(worker);
    this.idle.length = 0;
    return exits;
  }

  private acquire(): Promise<CompileWorker> {
    const ready = this.idle.pop();
    if (ready !== undefined) {
      clearTimeout(this.timers.get(ready));
      this.timers.delete(ready);
      return Promise.resolve(ready);
    }
    if (this.workers.size < this.size) {
      const worker = new CompileWorker(this.executable, (dead) => this.forget(dead));
      this.workers.add(worker);
      return Promise.resolve(worker);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(worker: CompileWorker): void {
    if (worker.dead) {
      // Its place is free: let a waiter start a new one.
      const next = this.waiting.shift();
      if (next !== undefined) void this.acquire().then(next);
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) {
      next(worker);
      return;
    }
    if (this.closing) {
      this.retire(worker);
      return;
    }
    this.idle.push(worker);
    const timer = setTimeout(() => {
      this.timers.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      this.retire(worker);
    }, IDLE_MS);
    timer.unref();
    this.timers.set(worker, timer);
  }

  private retire(worker: CompileWorker): void {
    this.workers.delete(worker);
    worker.close();
  }

  private forget(worker: CompileWorker): void {
    this.workers.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    clearTimeout(this.timers.get(worker));
    this.timers.delete(worker);
  }
}

const pools = new Map<string, CompilePool>();
let poolSize = Math.max(1, availableParallelism());

/**
 * At most `n` workers per interpreter in this thread's pools from now on (default: one per
 * core). An install thread keeps one of its own (src/build/install-threads.ts), so the pycs
 * come straight to the thread that writes them, and the threads together still run one
 * worker per core.
 */
export function limitCompileWorkers(n: number): void {
  poolSize = Math.max(1, Math.floor(n));
}

function poolFor(executable: string): CompilePool {
  let pool = pools.get(executable);
  if (pool === undefined) {
    pool = new CompilePool(executable, poolSize);
    pools.set(executable, pool);
  }
  return pool;
}

/**
 * Ends every compile worker: idle ones now, busy ones once their current and queued
 * requests are answered (a sync calls this when it ends). The next compile starts new ones.
 * The promise settles when those processes have exited (for callers that account for their
 * CPU time, or must not leave a child behind); nothing needs to wait for it.
 */
export function shutdownCompileWorkers(): Promise<void> {
  const exits = [...pools.values()].map((pool) => pool.close());
  pools.clear();
  return Promise.all(exits).then(() => undefined);
}

/** Targets per request: a big wheel's files are compiled by every worker of the pool at once. */
const TARGETS_PER_REQUEST = 128;

/**
 * Byte-compiles every target with `interpreter` through the compile workers (in requests of
 * TARGETS_PER_REQUEST targets, run side by side); results keep the targets' order.
 */
export async function compileAll(interpreter: Interpreter, targets: readonly CompileTarget[], options: CompileOptions = {}): Promise<CompileResult> {
  const pool = poolFor(interpreter.executable);
  const requests: Promise<CompileResult>[] = [];
  for (let start = 0; start < targets.length; start += TARGETS_PER_REQUEST) {
    requests.push(compileRequest(pool, interpreter, targets.slice(start, start + TARGETS_PER_REQUEST), options));
  }
  const results = await Promise.all(requests);
  return { compiled: results.flatMap((r) => r.compiled), failed: results.flatMap((r) => r.failed) };
}

async function compileRequest(pool: CompilePool, interpreter: Interpreter, targets: readonly CompileTarget[], options: CompileOptions): Promise<CompileResult> {
  const { header, payload, stderr } = await pool.run({
    items: targets.map((t) => [t.path, t.displayPath ?? t.path]),
    legacy_mtime: options.legacyMtime ?? 1,
    return_bytes: options.returnBytes ?? false,
  });
  if (header.error !== undefined) {
    throw new WheelwrightError("ERR_WW_BYTECODE", `Compiling bytecode with ${interpreter.executable} failed: ${header.error}`, {
      hint: "The interpreter's output is shown below; check that the interpreter runs and the disk is writable.",
      details: { stderr },
    });
  }
  let offset = 0;
  const compiled = (header.compiled ?? []).map(([source, pyc, length]): CompiledFile => {
    if (length < 0) return { source, pyc };
    const data = payload.subarray(offset, offset + length);
    offset += length;
    return { source, pyc, data };
  });
  if (offset !== payload.length) {
    throw new WheelwrightError("ERR_WW_BYTECODE", `The bytecode compiler (${interpreter.executable}) sent ${payload.length} bytes for pycs of ${offset} bytes`, { hint: "This is a bug in wheelwright's compile worker." });
  }
  return { compiled, failed: (header.failed ?? []).map(([source, message]) => ({ source, message })) };
}
