#!/usr/bin/env node
/** The `wheelwright` command: a thin shell over the library API. */
import { Command } from "commander";
import { readFileSync } from "node:fs";
import { WheelwrightError } from "../errors.js";
import { registerCommands } from "./commands.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

export async function main(argv: string[]): Promise<number> {
  const program = new Command("wheelwright")
    .description("Build Python environments from lock files into an immutable, content-addressed store.")
    .version(pkg.version, "-V, --version")
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  try {
    await program.parseAsync(argv, { from: "user" });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof WheelwrightError) {
      process.stderr.write(error.format() + "\n");
      return exitCodeFor(error);
    }
    const code = (error as { code?: string; exitCode?: number }).code;
    if (typeof code === "string" && code.startsWith("commander.")) {
      return (error as { exitCode: number }).exitCode;
    }
    throw error;
  }
}

/** Documented exit codes: 0 ok, 1 failure, 2 usage, 3 build failed, 4 integrity (hash/corrupt). */
export function exitCodeFor(error: WheelwrightError): number {
  switch (error.code) {
    case "ERR_WW_USAGE":
    case "ERR_WW_CONFIG":
      return 2;
    case "ERR_WW_BUILD_FAILED":
      return 3;
    case "ERR_WW_HASH_MISMATCH":
    case "ERR_WW_STORE_CORRUPT":
      return 4;
    default:
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(70);
  },
);
