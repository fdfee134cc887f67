// What a run wrote to disk: entries (files, symlinks, directories) and bytes of regular files
// under some roots, without following symlinks. Counting happens outside the timed region.
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** `{ files, symlinks, dirs, bytes }` under root (zeros when it does not exist). */
export function countTree(root) {
  const total = { files: 0, symlinks: 0, dirs: 0, bytes: 0 };
  let st;
  try {
    st = lstatSync(root);
  } catch {
    return total;
  }
  const visit = (path, stat) => {
    if (stat.isSymbolicLink()) total.symlinks++;
    else if (stat.isDirectory()) {
      total.dirs++;
      for (const entry of readdirSync(path)) {
        const child = join(path, entry);
        visit(child, lstatSync(child));
      }
    } else {
      total.files++;
      total.bytes += stat.size;
    }
  };
  visit(root, st);
  return total;
}

/** Component-wise a - b (what a step added when a and b count the same roots). */
export function diffTree(a, b) {
  return { files: a.files - b.files, symlinks: a.symlinks - b.symlinks, dirs: a.dirs - b.dirs, bytes: a.bytes - b.bytes };
}

export function addTree(...counts) {
  return counts.reduce((t, c) => ({ files: t.files + c.files, symlinks: t.symlinks + c.symlinks, dirs: t.dirs + c.dirs, bytes: t.bytes + c.bytes }), { files: 0, symlinks: 0, dirs: 0, bytes: 0 });
}
