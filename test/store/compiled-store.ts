// Child-process tests need the store as plain JavaScript: Node 20 cannot run .ts files and
// no TypeScript loader is installed. This compiles src/store (and what it imports) with the
// project's tsc into node_modules/.cache, keyed by a hash of the sources, so repeated runs
// and several test files reuse one build. Living under node_modules lets the compiled code
// resolve better-sqlite3 the normal way. The shared dist/ is not touched: other work may be
// mid-build there.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

function sourceKey(): string {
  const hash = createHash("sha256");
  const files = [join(ROOT, "src", "errors.ts"), ...readdirSync(join(ROOT, "src", "store")).sort().map((f) => join(ROOT, "src", "store", f))];
  for (const file of files) if (file.endsWith(".ts")) hash.update(file).update(readFileSync(file));
  hash.update(readFileSync(join(ROOT, "tsconfig.json")));
  return hash.digest("hex").slice(0, 16);
}

/** Returns the absolute path of the compiled `store/index.js`. */
export function compileStoreForChildren(): string {
  const cacheRoot = join(ROOT, "node_modules", ".cache", "wheelwright-test");
  const out = join(cacheRoot, `store-${sourceKey()}`);
  const entry = join(out, "store", "index.js");
  if (existsSync(entry)) return entry;
  mkdirSync(cacheRoot, { recursive: true });
  // Builds of older sources are useless now.
  for (const name of readdirSync(cacheRoot)) {
    if (/^store-[0-9a-f]{16}$/.test(name) && join(cacheRoot, name) !== out) rmSync(join(cacheRoot, name), { recursive: true, force: true });
  }
  const temp = `${out}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  const tsconfig = join(temp, "tsconfig.json");
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(ROOT, "tsconfig.json"),
      compilerOptions: { rootDir: join(ROOT, "src"), outDir: temp, declaration: false, sourceMap: false, noEmitOnError: true },
      files: [join(ROOT, "src", "store", "index.ts")],
      include: [],
    }),
  );
  execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", tsconfig], { stdio: "pipe" });
  rmSync(tsconfig);
  try {
    renameSync(temp, out);
  } catch {
    rmSync(temp, { recursive: true, force: true }); // another test file won the race
  }
  return entry;
}
