import type { Command } from "commander";
import { fastPathState } from "./fast-sync.js";
import { addProjectOptions, toFlags } from "./options.js";
import { makeEvents } from "./reporter.js";

export function registerSyncCommands(program: Command): void {
  addProjectOptions(
    program
      .command("sync")
      .description("Make the project's environment match its lock file")
      .addHelpText("after", "\nExamples:\n  wheelwright sync\n  wheelwright sync --lock pylock.toml --find-links ./wheels --offline\n  wheelwright sync --python 3.12 --all-extras -o .venv-312"),
  ).action(async (opts: Record<string, unknown>) => {
    const events = makeEvents(program.opts());
    const [{ sync }, fastPath, { recordSync }] = await Promise.all([import("../sync/index.js"), import("../sync/fast-path.js"), import("../sync/fast-path-record.js")]);
    // The fast path (main.ts) did not answer: say why, and record this sync for the next one.
    const state = fastPathState();
    if (state?.miss !== undefined) events.emit({ type: "log", level: "debug", message: `full sync: ${state.miss}` });
    const startedAt = Date.now();
    const projectDir = state === undefined ? undefined : fastPath.projectDirOf(state.cwd, state.parsed.project, state.parsed.lock);
    const dirsBefore = projectDir === undefined ? [] : [{ dir: projectDir, match: "locks" as const, names: fastPath.listDir(projectDir, "locks") }];
    const result = await sync({
      ...(opts.project ? { dir: opts.project as string } : {}),
      flags: toFlags(opts),
      events,
      ...(state !== undefined
        ? {
            onSynced: (p, store, r) => {
              let outcome: ReturnType<typeof recordSync>;
              try {
                outcome = recordSync(p, store, r, { key: state.key, startedAt, dirsBefore });
              } catch (error) {
                // the sync itself succeeded; without a record the next one just takes the full path
                outcome = { recorded: false, reason: error instanceof Error ? error.message : String(error) };
              }
              events.emit({ type: "log", level: "debug", message: outcome.recorded ? `recorded the inputs of this sync for the fast path (${outcome.file})` : `not recorded for the fast path: ${outcome.reason}` });
            },
          }
        : {}),
    });
    if (result.noop) events.emit({ type: "log", level: "debug", message: "up to date: every store path of the plan is present (full sync)" });
    if (result.noop && !program.opts().quiet) process.stderr.write(`${result.output} is up to date (${result.venv})\n`);
  });

  addProjectOptions(
    program
      .command("plan")
      .description("Show what a sync would fetch, build, or find present, without doing it")
      .option("--json", "print the plan as JSON")
      .addHelpText("after", "\nExamples:\n  wheelwright plan\n  wheelwright plan --json | jq '.derivations[] | select(.status != \"present\")'"),
  ).action(async (opts: Record<string, unknown>) => {
    const [{ plan }, { planOutput }] = await Promise.all([import("../sync/index.js"), import("./plan-output.js")]);
    const { plan: p, store } = await plan({ ...(opts.project ? { dir: opts.project as string } : {}), flags: toFlags(opts) });
    try {
      process.stdout.write(planOutput(p, store, opts.json === true));
    } finally {
      store.close();
    }
  });
}
