/** The full `wheelwright` command line (commander), loaded when the sync fast path did not answer. */
import { Command } from "commander";
import { readFileSync } from "node:fs";
import { WheelwrightError } from "../errors.js";
import { registerCommands } from "./commands.js";
import { exitCodeForCode } from "./exit-codes.js";
import { closeReporters } from "./reporter.js";

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
    closeReporters();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    closeReporters();
    if (error instanceof WheelwrightError) {
      // ndjson consumers get the error as an event too; people read it on stderr.
      if (program.opts().reporter === "ndjson") process.stdout.write(JSON.stringify({ time: Date.now(), type: "error", error: error.toJSON() }) + "\n");
      process.stderr.write(error.format() + "\n");
      return exitCodeFor(error);
    }
    const code = (error as { code?: string; exitCode?: number }).code;
    if (typeof code === "string" && code.startsWith("commander.")) {
      // Help and --version exit 0; every other commander error is a usage error.
      return (error as { exitCode: number }).exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
}

/** Documented exit codes (EXIT_CODES): 0 ok, 1 failure, 2 usage, 3 build failed, 4 integrity. */
export function exitCodeFor(error: WheelwrightError): number {
  return exitCodeForCode(error.code);
}
