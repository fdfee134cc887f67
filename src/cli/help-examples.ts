/**
 * Examples for the `--help` of commands whose modules declare none (every command shows at
 * least one). A command that adds its own help text after the options is left alone.
 */
import type { Command } from "commander";
import type { EventEmitter } from "node:events";

const EXAMPLES: Record<string, string[]> = {
  "": ["wheelwright sync", "wheelwright plan", "wheelwright run -- python -V", "wheelwright doctor", "wheelwright <command> --help"],
  store: ["wheelwright store ls --store /tmp/store", "wheelwright store verify"],
  "store verify": ["wheelwright store verify", "wheelwright store verify --repair"],
  "store ls": ["wheelwright store ls", "wheelwright store ls | sort -n | tail"],
  python: ["wheelwright python list", "wheelwright python find 3.12"],
  "python list": ["wheelwright python list", "wheelwright python list --json"],
  "python find": ["wheelwright python find", "wheelwright python find '>=3.10'", "wheelwright python find /usr/bin/python3"],
};

/** Adds the examples above to every command (recursively) without "after" help text of its own. */
export function addMissingExamples(program: Command): void {
  addTo(program, "");
  visit(program, "");
}

function visit(parent: Command, prefix: string): void {
  for (const command of parent.commands) {
    const path = prefix + command.name();
    addTo(command, path);
    visit(command, `${path} `);
  }
}

function addTo(command: Command, path: string): void {
  const examples = EXAMPLES[path];
  if (examples === undefined || (command as unknown as EventEmitter).listenerCount("afterHelp") > 0) return;
  command.addHelpText("after", `\nExamples:\n${examples.map((e) => `  ${e}`).join("\n")}`);
}
