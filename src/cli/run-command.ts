/** `run -- CMD…`: run a command inside the project environment, syncing it first when stale. */
import { spawn } from "node:child_process";
import type { Command } from "commander";
import { constants } from "node:os";
import { isAbsolute, join } from "node:path";
import { WheelwrightError } from "../errors.js";
import { addProjectOptions, toFlags } from "./options.js";
import { closeReporters, makeEvents } from "./reporter.js";

export function registerRunCommand(program: Command): void {
  addProjectOptions(
    program
      .command("run <command...>")
      .description("Run a command inside the project environment (syncing it first if it is out of date)")
      .addHelpText("after", "\nThe command's exit code is wheelwright's. Put -- before the command so its options stay its own.\n\nExamples:\n  wheelwright run -- python -c 'import sys; print(sys.prefix)'\n  wheelwright run -- pytest -x\n  wheelwright run -C ../app --python 3.12 -- app --help"),
  ).action(async (command: string[], opts: Record<string, unknown>) => {
    const [{ environmentState, environmentVariables }, { plan, sync }] = await Promise.all([import("../inspect/environment.js"), import("../sync/index.js")]);
    const input = { ...(opts.project ? { dir: opts.project as string } : {}), flags: toFlags(opts) };
    const { plan: p, store } = await plan(input);
    let output: string;
    let stale: boolean;
    try {
      const setting = p.project.settings.values.output as string;
      output = isAbsolute(setting) ? setting : join(p.project.dir, setting);
      stale = environmentState(p, store, output, p.project.settings.values["venv.copy"] as boolean).stale;
    } finally {
      store.close();
    }
    if (stale) {
      await sync({ ...input, events: makeEvents(program.opts()) });
      closeReporters();
    }
    process.exitCode = await runIn(output, command, environmentVariables);
  });
}

/** Runs `command` with the environment activated; resolves to its exit code (128+n for signal n). */
function runIn(venv: string, command: string[], environmentVariables: (venv: string) => NodeJS.ProcessEnv): Promise<number> {
  const [file, ...args] = command;
  if (file === undefined) throw new WheelwrightError("ERR_WW_USAGE", "run needs a command", { hint: "wheelwright run -- python -V" });
  // The child gets terminal signals itself; we wait for it and report how it ended.
  const ignore = () => {};
  process.on("SIGINT", ignore);
  process.on("SIGTERM", ignore);
  return new Promise<number>((resolvePromise, reject) => {
    const child = spawn(file, args, { stdio: "inherit", env: environmentVariables(venv) });
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT"
          ? new WheelwrightError("ERR_WW_USAGE", `command not found: ${file}`, { hint: `it is neither in ${venv}/bin nor on PATH` })
          : new WheelwrightError("ERR_WW_USAGE", `cannot run ${file}: ${error.message}`, { cause: error }),
      );
    });
    child.on("close", (code, signal) => resolvePromise(code ?? 128 + (signal !== null ? (constants.signals[signal] ?? 0) : 0)));
  }).finally(() => {
    process.off("SIGINT", ignore);
    process.off("SIGTERM", ignore);
  });
}
