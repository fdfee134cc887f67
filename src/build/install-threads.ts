/**
 * Wheel installs on worker threads. A cold sync installs a hundred wheels; inflating,
 * hashing and writing their files is CPU work that would otherwise all run on the main
 * thread, leaving the second core half idle whatever `--jobs` says. Each install here runs
 * in a worker thread that also seals the output (normalise + NAR hash, `sealOutput`) next to
 * the bytes it wrote, and compiles bytecode through a compile worker of its own (one per
 * thread, so the pycs come straight to the thread that writes them). The main thread keeps
 * the store's locks and database and the events (threads send theirs as messages).
 *
 * There is one thread less than there are cores: an install that finds every thread busy
 * runs in this thread, which then uses the last core (a thread per core measured 60-70 MB
 * more peak memory on a cold sync of a hundred wheels, and no faster). Threads start on
 * demand, are kept for the next install, and never keep the process alive when idle;
 * `shutdownInstallThreads()` ends them (a sync calls it when it ends). Where the thread script
 * cannot be found (running from TypeScript sources without a build) installs run in this
 * thread, with the same result.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { errorFromWire, type WireError } from "../errors.js";
import type { Events } from "../events/emitter.js";
import type { WheelwrightEvent } from "../events/types.js";
import { installWheel, type InstallResult, type InstallWheelOptions } from "../install/wheel.js";
import type { NarHash } from "../store/nar.js";
import { sealOutput } from "../store/seal.js";

export type ThreadInstallOptions = Omit<InstallWheelOptions, "events" | "keepContents">;
export type InstallSummary = Omit<InstallResult, "contents" | "bytecode">;

/** An install for a thread (all of it structured-cloneable). */
export interface ToThread {
  id: number;
  wheelPath: string;
  outDir: string;
  options: ThreadInstallOptions;
  fsync: boolean;
}

export type FromThread =
  | { type: "event"; id: number; event: WheelwrightEvent }
  | { type: "done"; id: number; result: InstallSummary; nar: NarHash }
  | { type: "failed"; id: number; error: WireError };

export interface SealedInstall {
  result: InstallSummary;
  /** The NAR hash of `outDir`, which is now canonical (see `BuiltOutput.sealed`). */
  nar: NarHash;
  /** Whether a worker thread did it (else this thread: no thread script). */
  thread: boolean;
}

/**
 * An install makes a lot of short-lived garbage (inflated files, their hashes, pycs). With
 * V8's default young generation each thread kept tens of MB more of it: a cold sync of a
 * hundred wheels without bytecode, with a thread per core, peaked at 300-325 MB, and at
 * 263-271 MB with this (and ran no slower).
 */
const YOUNG_GENERATION_MB = 8;

interface Task {
  id: number;
  message: ToThread;
  events: Events | undefined;
  resolve: (done: SealedInstall) => void;
  reject: (error: Error) => void;
}

/** One worker thread running one install at a time. */
class InstallThread {
  private readonly worker: Worker;
  task: Task | undefined;
  dead = false;
  readonly exited: Promise<void>;

  constructor(
    script: URL,
    private readonly onIdle: (thread: InstallThread) => void,
    private readonly onDeath: (thread: InstallThread) => void,
  ) {
    this.worker = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
    this.worker.on("message", (message: FromThread) => this.onMessage(message));
    this.worker.on("error", (error) => this.die(error));
    this.worker.on("exit", (code) => this.die(new Error(`the install thread exited (code ${code})`)));
  }

  run(task: Task): void {
    this.task = task;
    this.worker.ref();
    this.worker.postMessage(task.message);
  }

  close(): void {
    void this.worker.terminate();
  }

  private onMessage(message: FromThread): void {
    const task = this.task;
    if (task === undefined || message.id !== task.id) return;
    if (message.type === "event") {
      task.events?.emit(message.event);
      return;
    }
    this.task = undefined;
    this.worker.unref();
    if (message.type === "done") task.resolve({ result: message.result, nar: message.nar, thread: true });
    else task.reject(errorFromWire(message.error));
    this.onIdle(this);
  }

  private die(error: Error): void {
    if (this.dead) return;
    this.dead = true;
    const task = this.task;
    this.task = undefined;
    this.onDeath(this);
    task?.reject(error);
  }
}

/** Up to `size` threads; an install finds one idle or starts one, or is not taken. */
class InstallThreadPool {
  private readonly threads = new Set<InstallThread>();
  private readonly idle: InstallThread[] = [];
  private nextId = 1;
  private closing = false;

  constructor(
    private readonly script: URL,
    private readonly size: number,
  ) {}

  /** Runs the install on a free thread, or returns undefined when every thread is busy. */
  tryInstall(wheelPath: string, outDir: string, options: ThreadInstallOptions, fsync: boolean, events: Events | undefined): Promise<SealedInstall> | undefined {
    const thread = this.idle.pop() ?? (this.threads.size < this.size ? this.start() : undefined);
    if (thread === undefined) return undefined;
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      thread.run({ id, message: { id, wheelPath, outDir, options, fsync }, events, resolve, reject });
    });
  }

  /** Ends idle threads now and busy ones when their install is done; settles when all have exited. */
  close(): Promise<void> {
    this.closing = true;
    const exits = Promise.all([...this.threads].map((t) => t.exited)).then(() => undefined);
    for (const thread of this.idle.splice(0)) this.retire(thread);
    return exits;
  }

  private start(): InstallThread {
    const thread = new InstallThread(
      this.script,
      (t) => (this.closing ? this.retire(t) : this.idle.push(t)),
      (t) => {
        this.threads.delete(t);
        const at = this.idle.indexOf(t);
        if (at >= 0) this.idle.splice(at, 1);
      },
    );
    this.threads.add(thread);
    return thread;
  }

  private retire(thread: InstallThread): void {
    this.threads.delete(thread);
    thread.close();
  }
}

/**
 * The thread script: beside this module once built; from TypeScript sources (tests run
 * them), the built copy under dist/ when there is one.
 */
function threadScript(): URL | undefined {
  const sibling = new URL("./install-thread.js", import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  if (!import.meta.url.endsWith(".ts")) return undefined;
  const built = new URL(import.meta.url.replace(/\/src\/build\/[^/]+\.ts$/, "/dist/build/install-thread.js"));
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

let script: URL | null | undefined;
let pool: InstallThreadPool | undefined;

/**
 * Installs a wheel at `outDir` and seals it (`sealOutput` with `fsync`): in a worker thread
 * when one is free, else in this thread. There is one thread less than there are cores, so
 * with `--jobs` at the core count every core installs (this thread's share is the installs
 * that find the threads busy), and a one-core machine starts no thread at all.
 */
export async function installWheelSealed(wheelPath: string, outDir: string, options: ThreadInstallOptions & { events?: Events }, fsync: boolean): Promise<SealedInstall> {
  const { events, ...rest } = options;
  if (script === undefined) script = threadScript() ?? null;
  if (script !== null) {
    pool ??= new InstallThreadPool(script, availableParallelism() - 1);
    const inThread = pool.tryInstall(wheelPath, outDir, rest, fsync, events);
    if (inThread !== undefined) return inThread;
  }
  return { ...(await installAndSeal(wheelPath, outDir, rest, fsync, events)), thread: false };
}

/** The install itself, wherever it runs: `installWheel` keeping the bytes it writes, then `sealOutput` with them. */
export async function installAndSeal(wheelPath: string, outDir: string, options: ThreadInstallOptions, fsync: boolean, events: Events | undefined): Promise<Omit<SealedInstall, "thread">> {
  const { contents, bytecode: _bytecode, ...result } = await installWheel(wheelPath, outDir, { ...options, keepContents: true, ...(events !== undefined ? { events } : {}) });
  return { result, nar: await sealOutput(outDir, { fsync, ...(contents !== undefined ? { known: contents } : {}) }) };
}

/**
 * Ends the install threads: idle ones now, busy ones when their install is done; settles
 * when they have exited. The next install starts new ones.
 */
export function shutdownInstallThreads(): Promise<void> {
  const closing = pool?.close() ?? Promise.resolve();
  pool = undefined;
  return closing;
}
