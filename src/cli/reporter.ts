/** Picks the reporter for a command run: ndjson on request, else plain lines. */
import { Events } from "../events/emitter.js";
import { ndjsonReporter } from "../events/ndjson-reporter.js";
import { plainReporter } from "../events/plain-reporter.js";

export interface ReporterOptions {
  reporter?: "plain" | "ndjson";
  verbose?: number;
  quiet?: boolean;
}

export function makeEvents(options: ReporterOptions): Events {
  const events = new Events();
  const write = (line: string) => process.stderr.write(line);
  if (options.reporter === "ndjson") events.on(ndjsonReporter((line) => process.stdout.write(line)));
  else if (!options.quiet) events.on(plainReporter(write, options.verbose ?? 0));
  return events;
}
