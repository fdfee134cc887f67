import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { WheelwrightError } from "../errors.js";
import { addProjectOptions, toFlags } from "./options.js";
import { makeEvents } from "./reporter.js";

const projectInput = (opts: Record<string, unknown>) => ({ ...(opts.project ? { dir: opts.project as string } : {}), flags: toFlags(opts) });

export function registerBuildCommands(program: Command): void {
  addProjectOptions(
    program
      .command("log <name>")
      .description("Print the build log of a package of the project (kept after success and failure)")
      .addHelpText("after", "\nExamples:\n  wheelwright log numpy\n  wheelwright log mypkg | tail -50"),
  ).action(async (name: string, opts: Record<string, unknown>) => {
    const { buildLogOf } = await import("../sync/index.js");
    const log = await buildLogOf({ ...projectInput(opts), name });
    if (!existsSync(log.file)) {
      throw new WheelwrightError("ERR_WW_USAGE", `no build log for ${log.name} ${log.version}`, {
        package: log.name,
        hint: "only packages built from source have logs; it may be installed from a wheel, or not built yet (run wheelwright sync)",
      });
    }
    process.stdout.write(readFileSync(log.file));
  });

  addProjectOptions(
    program
      .command("check <name>")
      .description("Rebuild a package's store path and compare content hashes (reproducibility)")
      .addHelpText("after", "\nExamples:\n  wheelwright check mypkg"),
  ).action(async (name: string, opts: Record<string, unknown>) => {
    const { check } = await import("../sync/index.js");
    const result = await check({ ...projectInput(opts), name, events: makeEvents(program.opts()) });
    process.stdout.write(`${result.same ? "reproducible" : "DIFFERS"} ${result.name} ${result.version} ${result.storePath}\n  registered ${result.expected}\n  rebuilt    ${result.actual}\n`);
    if (!result.same) process.exitCode = 1;
  });
}
