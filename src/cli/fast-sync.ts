/**
 * The sync fast path on the command line: recognise `wheelwright sync …` from the raw
 * arguments (without commander), look up the record of the same invocation
 * (src/sync/fast-path.ts) and, when nothing changed, print what a full no-op sync prints and
 * exit — before the rest of the CLI and the library are loaded. Anything this parser does not
 * know for certain (an unknown option, `--copy`, `--help`, combined short options, a stray
 * argument) leaves the decision to the full path, which is always correct.
 */
import type { WheelwrightEvent } from "../events/types.js";
import { checkFastPath, fastPathKey, type FastPathKey, type Invocation } from "../sync/fast-path.js";
import { chooseReporter, type ReporterOptions } from "./reporter-choice.js";

/** Options of `sync` taking a value, by every spelling, with the canonical spelling. */
export const VALUE_OPTIONS: Record<string, string> = {
  "-C": "--project",
  "--project": "--project",
  "--lock": "--lock",
  "--python": "--python",
  "--store": "--store",
  "-o": "--output",
  "--output": "--output",
  "--find-links": "--find-links",
  "--mirror": "--mirror",
  "-j": "--jobs",
  "--jobs": "--jobs",
  "--source-preference": "--source-preference",
  "--extra": "--extra",
  "--group": "--group",
  "--build-lock": "--build-lock",
  "--sandbox": "--sandbox",
};

/** Boolean options of `sync` that can change what it does (so they are part of the key). */
export const FLAG_OPTIONS: Record<string, string> = {
  "--offline": "--offline",
  "-k": "--keep-going",
  "--keep-going": "--keep-going",
  "--no-build": "--no-build",
  "--no-binary": "--no-binary",
  "--all-extras": "--all-extras",
  "--all-groups": "--all-groups",
  "--no-default-groups": "--no-default-groups",
  "--compile-bytecode": "--compile-bytecode",
  "--no-compile-bytecode": "--no-compile-bytecode",
};

/** Options that change only how the run reports (program-wide; accepted before or after `sync`). */
export const PRESENTATION_OPTIONS = ["-v", "--verbose", "-q", "--quiet", "--reporter"];

export interface ParsedSync {
  /** Key-relevant arguments, canonical spellings, in order. */
  args: string[];
  reporter: ReporterOptions;
  /** The values of --project and --lock (the last given), for the project directory. */
  project?: string;
  lock?: string;
}

/** `argv` as a sync invocation the fast path understands, or null. */
export function parseSyncArgv(argv: readonly string[]): ParsedSync | null {
  const out: ParsedSync = { args: [], reporter: {} };
  let verbose = 0;
  let seenCommand = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!seenCommand && token === "sync") {
      seenCommand = true;
      continue;
    }
    if (/^-v+$/.test(token)) {
      verbose += token.length - 1;
      continue;
    }
    if (token === "--verbose") {
      verbose++;
      continue;
    }
    if (token === "-q" || token === "--quiet") {
      out.reporter.quiet = true;
      continue;
    }
    const eq = token.startsWith("--") ? token.indexOf("=") : -1;
    const name = eq > 0 ? token.slice(0, eq) : token;
    if (name === "--reporter" || (seenCommand && VALUE_OPTIONS[name] !== undefined)) {
      let value: string | undefined;
      if (eq > 0) value = token.slice(eq + 1);
      else value = argv[++i];
      if (value === undefined) return null;
      if (name === "--reporter") out.reporter.reporter = value as ReporterOptions["reporter"];
      else {
        const canonical = VALUE_OPTIONS[name]!;
        out.args.push(canonical, value);
        if (canonical === "--project") out.project = value;
        if (canonical === "--lock") out.lock = value;
      }
      continue;
    }
    if (seenCommand && eq < 0 && FLAG_OPTIONS[token] !== undefined) {
      out.args.push(FLAG_OPTIONS[token]!);
      continue;
    }
    return null; // anything else: another command, --copy, --help, a stray argument, …
  }
  if (!seenCommand) return null;
  if (verbose > 0) out.reporter.verbose = verbose;
  return out;
}

/** What the fast path found, for the full sync that runs when it did not answer. */
export interface FastPathState {
  parsed: ParsedSync;
  key: FastPathKey;
  cwd: string;
  /** Why the fast path did not answer. */
  miss?: string;
}

let state: FastPathState | undefined;

/** The fast path's state for this process (undefined when the arguments were not a plain sync). */
export function fastPathState(): FastPathState | undefined {
  return state;
}

export const FAST_PATH_MESSAGE = "up to date: nothing changed since the last sync (fast path)";

/**
 * Answers `argv` when it is a sync that would change nothing: prints exactly what a full no-op
 * sync prints (plus a debug event saying which path answered) and returns the exit code 0.
 * Returns undefined when the full CLI must run.
 */
export async function fastSync(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  const parsed = parseSyncArgv(argv);
  if (parsed === null) return undefined;
  const cwd = process.cwd();
  const invocation: Invocation = { cwd, args: parsed.args, env };
  const key = fastPathKey(invocation);
  state = { parsed, key, cwd };
  const check = await checkFastPath(key);
  if (!check.upToDate) {
    state.miss = check.reason;
    return undefined;
  }
  const event: WheelwrightEvent = { type: "log", level: "debug", message: FAST_PATH_MESSAGE };
  const kind = chooseReporter(parsed.reporter, env, process.stderr.isTTY === true);
  if (kind === "ndjson") process.stdout.write(JSON.stringify({ time: Date.now(), ...event }) + "\n");
  // What the plain and tty reporters print for a debug log at -v.
  else if (kind !== "none" && (parsed.reporter.verbose ?? 0) >= 1) process.stderr.write(`debug: ${event.message}\n`);
  if (!parsed.reporter.quiet) process.stderr.write(`${check.output} is up to date (${check.venv})\n`);
  return 0;
}
