// A private copy of the built CLI for the length of a bench run. `npm run build` deletes and
// rewrites dist/, so a rebuild during a long bench (other work on the same tree) would make
// runs fail or mix two builds; the copy pins one build. node_modules is linked, not copied:
// module resolution walks up from the copy and finds it.
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Copies `<root>/dist` — or the built tree `$BENCH_DIST` names, e.g. an earlier snapshot — plus
 * package.json to a temp dir; returns `{ dir, cli, dispose }`.
 */
export function snapshotDist(root) {
  const source = process.env.BENCH_DIST ?? join(root, "dist");
  if (!existsSync(join(source, "cli", "main.js"))) throw new Error(`no built CLI at ${source}/cli/main.js: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), "ww-bench-dist-"));
  cpSync(source, join(dir, "dist"), { recursive: true });
  cpSync(join(root, "package.json"), join(dir, "package.json"));
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  if (!existsSync(join(dir, "dist", "cli", "main.js"))) throw new Error(`dist changed while being copied; run the bench again`);
  return { dir: join(dir, "dist"), cli: join(dir, "dist", "cli", "main.js"), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
