// Runs once per test run, before any worker starts. Expensive shared fixtures are built here,
// keyed on their inputs and cached under the system temp dir, and their locations are handed
// to the workers through the environment (workers are forked after this, so they inherit it).
import { corpusSkipReason, CORPUS_ENV, ensureRepackedCorpus } from "./repack.js";

export default async function setup(): Promise<void> {
  const skip = corpusSkipReason();
  if (skip !== undefined) {
    console.warn(`repacked wheel corpus unavailable: ${skip}; tests that need it will skip`);
    return;
  }
  const started = Date.now();
  const corpus = await ensureRepackedCorpus();
  if (corpus !== null) {
    process.env[CORPUS_ENV] = corpus.dir;
    console.log(`repacked wheel corpus: ${corpus.wheels.length} wheels in ${corpus.dir} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  }
}
