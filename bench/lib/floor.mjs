// The physical floor of assembling an environment: recreate a finished environment's tree —
// the same directories, the same symlinks (same targets), the same copied files — and nothing
// else (no lock parsing, no hashing, no database, no interpreter). A tool can't make that
// environment faster than this on this machine's file system.
//
//   node bench/lib/floor.mjs <manifest.json> <dest>     (prints the in-process time in ms)
//
// Run as its own process, its wall time includes Node's start-up, like the CLI it is
// compared with.
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Lists root's tree in creation order: `[kind, relPath, target|source]` (d = dir, l = symlink, f = file). */
export function captureTree(root) {
  const entries = [];
  const visit = (rel) => {
    const abs = join(root, rel);
    for (const name of readdirSync(abs).sort()) {
      const childRel = rel === "" ? name : `${rel}/${name}`;
      const child = join(root, childRel);
      const st = lstatSync(child);
      if (st.isSymbolicLink()) entries.push(["l", childRel, readlinkSync(child)]);
      else if (st.isDirectory()) {
        entries.push(["d", childRel]);
        visit(childRel);
      } else entries.push(["f", childRel, child]);
    }
  };
  visit("");
  return entries;
}

/** Recreates a captured tree under dest (which must not exist). */
export function replayTree(entries, dest) {
  mkdirSync(dest);
  for (const [kind, rel, extra] of entries) {
    const path = join(dest, rel);
    if (kind === "d") mkdirSync(path);
    else if (kind === "l") symlinkSync(extra, path);
    else copyFileSync(extra, path);
  }
}

export function writeManifest(file, entries) {
  writeFileSync(file, JSON.stringify(entries));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [manifest, dest] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  replayTree(JSON.parse(readFileSync(manifest, "utf8")), dest);
  process.stdout.write(`${Number(process.hrtime.bigint() - started) / 1e6}\n`);
}
