import type { Command } from "commander";

/** Adds every subcommand to the program. Each command lives in its own module under cli/. */
export function registerCommands(_program: Command): void {}
