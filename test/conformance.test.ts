// Totals the conformance vectors generated from Python's `packaging` (scripts/conformance/)
// and checks the suite keeps at least the promised number of oracle cases. Each area's own
// test asserts agreement; this one guards against vectors silently shrinking or vanishing.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const dir = join(import.meta.dirname, "conformance");

/** Counts leaf cases: every array element that is an object or a tuple counts once. */
function countCases(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === "object") {
    let total = 0;
    for (const [key, inner] of Object.entries(value)) if (key !== "meta") total += countCases(inner);
    return total;
  }
  return 0;
}

describe("conformance vectors", () => {
  it("hold at least 3,000 oracle cases across the standards", () => {
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    const counts = Object.fromEntries(files.map((f) => [f, countCases(JSON.parse(readFileSync(join(dir, f), "utf8")))]));
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`conformance vectors: ${total} cases`, counts);
    for (const area of ["pep440.json", "pep508.json", "tags.json"]) expect(files).toContain(area);
    expect(total).toBeGreaterThanOrEqual(3000);
  });
});
