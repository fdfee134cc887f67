// Find-links lookups: name + hash matching and the process-wide caches.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { clearFetchCaches } from "../../src/fetch/index.js";
import { findInDirectory, hashLocalFile } from "../../src/fetch/find-links.js";

const dir = mkdtempSync(join(tmpdir(), "ww-findlinks-"));
const sha = (text: string): string => createHash("sha256").update(text).digest("hex");

afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => clearFetchCaches());

describe("findInDirectory", () => {
  it("finds a file by name and hash, and explains why it did not", async () => {
    writeFileSync(join(dir, "a-1.0.tar.gz"), "alpha");
    expect(await findInDirectory(dir, "a-1.0.tar.gz", sha("alpha"))).toEqual({ found: join(dir, "a-1.0.tar.gz") });
    expect(await findInDirectory(dir, "a-1.0.tar.gz", sha("beta"))).toEqual({ absent: `a-1.0.tar.gz has sha256 ${sha("alpha")}` });
    expect(await findInDirectory(dir, "b-1.0.tar.gz", sha("alpha"))).toEqual({ absent: "no b-1.0.tar.gz" });
    expect(await findInDirectory(join(dir, "missing"), "a-1.0.tar.gz", sha("alpha"))).toEqual({ absent: "no such directory" });
  });

  it("accepts a name that differs only in case", async () => {
    writeFileSync(join(dir, "Casey-1.0.tar.gz"), "casey");
    expect(await findInDirectory(dir, "casey-1.0.tar.gz", sha("casey"))).toEqual({ found: join(dir, "Casey-1.0.tar.gz") });
  });

  it("caches the listing until the caches are cleared", async () => {
    const sub = mkdtempSync(join(dir, "late-"));
    expect(await findInDirectory(sub, "late-1.0.tar.gz", sha("late"))).toEqual({ absent: "no late-1.0.tar.gz" });
    writeFileSync(join(sub, "late-1.0.tar.gz"), "late");
    expect(await findInDirectory(sub, "late-1.0.tar.gz", sha("late"))).toEqual({ absent: "no late-1.0.tar.gz" });
    clearFetchCaches();
    expect(await findInDirectory(sub, "late-1.0.tar.gz", sha("late"))).toEqual({ found: join(sub, "late-1.0.tar.gz") });
  });
});

describe("hashLocalFile", () => {
  it("re-hashes a file whose size or mtime changed", async () => {
    const path = join(dir, "h-1.0.tar.gz");
    writeFileSync(path, "first");
    expect(await hashLocalFile(path)).toEqual({ sha256: sha("first"), size: 5 });
    writeFileSync(path, "second!");
    expect(await hashLocalFile(path)).toEqual({ sha256: sha("second!"), size: 7 });
  });
});
