/**
 * Picks the reporter for a command run: ndjson on request; on a terminal (stderr is a TTY,
 * CI unset, no `--reporter plain`) the live tty reporter; else plain lines. `-q` keeps only
 * errors (which main prints). Reporters that draw are closed by `closeReporters()` before
 * main prints an error or exits, so no status lines are left behind.
 */
import { Events } from "../events/emitter.js";
import { ndjsonReporter } from "../events/ndjson-reporter.js";
import { plainReporter } from "../events/plain-reporter.js";
import { ttyReporter } from "../events/tty-reporter.js";
import { chooseReporter, type ReporterOptions } from "./reporter-choice.js";

export { chooseReporter, type ReporterKind, type ReporterOptions } from "./reporter-choice.js";

const open: (() => void)[] = [];

export function makeEvents(options: ReporterOptions): Events {
  const events = new Events();
  const env = process.env;
  switch (chooseReporter(options, env, process.stderr.isTTY === true)) {
    case "ndjson":
      events.on(ndjsonReporter((line) => process.stdout.write(line)));
      break;
    case "tty": {
      const color = (env.NO_COLOR ?? "") === "" && env.FORCE_COLOR !== "0";
      const reporter = ttyReporter({ stream: process.stderr, verbosity: options.verbose ?? 0, color });
      events.on(reporter.listener);
      open.push(reporter.close);
      break;
    }
    case "plain":
      events.on(plainReporter((line) => process.stderr.write(line), options.verbose ?? 0));
      break;
    case "none":
      break;
  }
  return events;
}

/** Clears every live status area this process drew (main calls it before printing errors). */
export function closeReporters(): void {
  for (const close of open.splice(0)) close();
}
