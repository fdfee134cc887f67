// Compiles src/ to dist/ with tsc and copies the non-TypeScript assets (Python helpers
// run by target interpreters) next to the modules that use them.
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, statSync, mkdirSync, rmSync } from "node:fs";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
rmSync(join(root, "dist"), { recursive: true, force: true });
execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.json")], { stdio: "inherit" });

const assets = [".py", ".json", ".sh", ".fish", ".csh", ".ps1", ".txt"];
function copyAssets(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (assets.some((ext) => entry.endsWith(ext))) {
      const dest = join(root, "dist", relative(join(root, "src"), path));
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(path, dest);
    }
  }
}
copyAssets(join(root, "src"));
