/**
 * Which reporter a command run gets. Apart from reporter.ts (which loads the reporters
 * themselves, the tty one with its terminal library) so the sync fast path can decide without
 * loading them.
 */
export interface ReporterOptions {
  reporter?: "plain" | "ndjson" | "tty";
  verbose?: number;
  quiet?: boolean;
}

export type ReporterKind = "ndjson" | "tty" | "plain" | "none";

/** Which reporter a run gets, given its options, environment and whether stderr is a terminal. */
export function chooseReporter(options: ReporterOptions, env: NodeJS.ProcessEnv, isTty: boolean): ReporterKind {
  if (options.reporter === "ndjson") return "ndjson";
  if (options.quiet) return "none";
  if (options.reporter === "tty") return "tty";
  if (options.reporter === undefined && isTty && !isCi(env) && env.TERM !== "dumb") return "tty";
  return "plain";
}

/** CI systems set CI to a non-empty value other than "false"/"0". */
function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}
