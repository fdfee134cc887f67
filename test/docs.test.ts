// The generated references in docs/ must match their sources (run `npm run docs` after
// changing src/config/schema.ts or src/errors.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("generated docs", () => {
  it("are up to date with the settings schema and the error codes", async () => {
    // @ts-expect-error plain .mjs module without types
    const { renderDocs } = (await import("../scripts/gen-docs.mjs")) as { renderDocs: () => Promise<Record<string, string>> };
    for (const [file, text] of Object.entries(await renderDocs())) {
      expect(readFileSync(join(import.meta.dirname, "..", file), "utf8"), `${file} is stale: run npm run docs`).toBe(text);
    }
  });
});
