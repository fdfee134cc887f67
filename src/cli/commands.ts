import type { Command } from "commander";
import { registerPythonCommands } from "./python-commands.js";
import { registerStoreCommands } from "./store-commands.js";
import { registerSyncCommands } from "./sync-commands.js";

/** Adds every subcommand to the program. Each group lives in its own module under cli/. */
export function registerCommands(program: Command): void {
  program
    .option("-v, --verbose", "more output (repeatable)", (_v, previous: number) => previous + 1, 0)
    .option("-q, --quiet", "only errors")
    .option("--reporter <kind>", "plain or ndjson (one JSON event per line on stdout)");
  registerSyncCommands(program);
  registerStoreCommands(program);
  registerPythonCommands(program);
}
