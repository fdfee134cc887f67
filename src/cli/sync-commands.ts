import type { Command } from "commander";
import { plan, sync } from "../sync/index.js";
import { planOutput } from "./inspect-commands.js";
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
    const result = await sync({ ...(opts.project ? { dir: opts.project as string } : {}), flags: toFlags(opts), events });
    if (result.noop && !program.opts().quiet) process.stderr.write(`${result.output} is up to date (${result.venv})\n`);
  });

  addProjectOptions(
    program
      .command("plan")
      .description("Show what a sync would fetch, build, or find present, without doing it")
      .option("--json", "print the plan as JSON")
      .addHelpText("after", "\nExamples:\n  wheelwright plan\n  wheelwright plan --json | jq '.derivations[] | select(.status != \"present\")'"),
  ).action(async (opts: Record<string, unknown>) => {
    const { plan: p, store } = await plan({ ...(opts.project ? { dir: opts.project as string } : {}), flags: toFlags(opts) });
    try {
      process.stdout.write(planOutput(p, store, opts.json === true));
    } finally {
      store.close();
    }
  });
}
