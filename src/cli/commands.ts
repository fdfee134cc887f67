import type { Command } from "commander";
import { registerBuildCommands } from "./build-commands.js";
import { registerDoctorCommand } from "./doctor-command.js";
import { addMissingExamples } from "./help-examples.js";
import { registerInspectCommands } from "./inspect-commands.js";
import { registerPythonCommands } from "./python-commands.js";
import { registerRunCommand } from "./run-command.js";
import { registerStoreCommands } from "./store-commands.js";
import { registerSyncCommands } from "./sync-commands.js";

/** Adds every subcommand to the program. Each group lives in its own module under cli/. */
export function registerCommands(program: Command): void {
  program
    .option("-v, --verbose", "more output (repeatable)", (_v, previous: number) => previous + 1, 0)
    .option("-q, --quiet", "only errors")
    .option("--reporter <kind>", "plain, tty (live status) or ndjson (one JSON event per line on stdout); default: tty on a terminal, else plain");
  registerSyncCommands(program);
  registerStoreCommands(program);
  registerPythonCommands(program);
  registerBuildCommands(program);
  registerInspectCommands(program);
  registerRunCommand(program);
  registerDoctorCommand(program);
  addMissingExamples(program);
}
