// Compiles src/ to dist/ with tsc, copies the non-TypeScript assets (Python helpers run by
// target interpreters) next to the modules that use them, and writes dist/build-id.json.
// Builds into a fresh directory and swaps it in, so a process running from dist/ never sees it half-written or missing.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, `dist.tmp-${process.pid}`);
const dist = join(root, "dist");
rmSync(out, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.json"), "--outDir", out], { stdio: "inherit" });
} catch {
  rmSync(out, { recursive: true, force: true });
  process.exit(1);
}

const assets = [".py", ".json", ".sh", ".fish", ".csh", ".ps1", ".txt"];
function copyAssets(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (assets.some((ext) => entry.endsWith(ext))) {
      const dest = join(out, relative(join(root, "src"), path));
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(path, dest);
    }
  }
}
copyAssets(join(root, "src"));

// dist/build-id.json: a hash of every built file. The sync fast path keeps it in its records,
// so a record made by another build of wheelwright (other builders, other derivations) is
// never trusted.
function hashTree(dir, hash, rel = "") {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    const name = rel === "" ? entry : `${rel}/${entry}`;
    if (statSync(path).isDirectory()) hashTree(path, hash, name);
    else hash.update(`${name}\0${statSync(path).size}\0`).update(readFileSync(path));
  }
  return hash;
}
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const buildHash = hashTree(out, createHash("sha256").update(`wheelwright ${pkg.version}\0`)).digest("hex");
writeFileSync(join(out, "build-id.json"), JSON.stringify({ version: pkg.version, id: buildHash }) + "\n");

const old = join(root, `dist.old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(out, dist);
rmSync(old, { recursive: true, force: true });
