import type { Command } from "commander";

export function registerPythonCommands(program: Command): void {
  const python = program.command("python").description("Find and describe interpreters");
  python
    .command("list")
    .description("List the interpreters wheelwright can use (PATH and pyenv)")
    .option("--json", "print the probe results as JSON")
    .action(async (opts: { json?: boolean }) => {
      const { findInterpreters } = await import("../python/discover.js");
      const found = await findInterpreters();
      if (opts.json) process.stdout.write(JSON.stringify(found, null, 2) + "\n");
      else for (const i of found) process.stdout.write(`${i.implementation} ${i.version.padEnd(10)} ${i.executable}\n`);
    });
  python
    .command("find [request]")
    .description("Print the interpreter a request selects (a path, 3.12, >=3.10, cpython3.11)")
    .action(async (request: string | undefined) => {
      const { findInterpreter } = await import("../python/discover.js");
      const found = await findInterpreter(request);
      process.stdout.write(`${found.executable}\n`);
    });
}
