// Runs several tools in turn — A B A B … — so that drift of a shared machine (page cache,
// other jobs, thermal) hits every tool alike, after warm-up rounds whose results are dropped.

/**
 * `tools`: { name: async (round) => sample } where a sample is any object with `wallMs`.
 * Calls `setup`/`teardown` hooks of a tool around each run when given as
 * `{ run, setup?, teardown? }` (untimed: preparation like emptying a store happens there).
 * Returns { name: sample[] } for the measured rounds only.
 */
export async function alternate(tools, { runs = 5, warmup = 1, onSample } = {}) {
  const names = Object.keys(tools);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = -warmup; round < runs; round++) {
    // Swap the order every round (A B, B A, …): neither tool always runs right after the other's
    // writes are being flushed.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const tool = typeof tools[name] === "function" ? { run: tools[name] } : tools[name];
      const context = tool.setup ? await tool.setup(round) : undefined;
      const sample = await tool.run(round, context);
      if (tool.teardown) await tool.teardown(round, context, sample);
      if (round >= 0) samples[name].push(sample);
      onSample?.({ name, round, warmup: round < 0, sample });
    }
  }
  return samples;
}
