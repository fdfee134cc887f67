#!/usr/bin/env node
/**
 * The `wheelwright` command: a thin shell over the library API. A `sync` that would change
 * nothing is answered by the fast path (fast-sync.ts) from a few small modules; everything
 * else loads the full command line (program.ts), whose commands load the library parts they use.
 */
import { fastSync } from "./fast-sync.js";

async function run(argv: string[]): Promise<number> {
  const answered = await fastSync(argv);
  if (answered !== undefined) return answered;
  const { main } = await import("./program.js");
  return main(argv);
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(70);
  },
);
