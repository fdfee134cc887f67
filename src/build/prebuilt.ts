/**
 * Adopting a prebuilt distribution (one already installed in some site-packages, e.g. by the
 * system): every file its RECORD lists is copied into the store path's prefix layout —
 * site-packages files under `lib/pythonX.Y/site-packages`, files beside it (scripts,
 * headers, data) at the same place relative to the installation's prefix. Bytecode caches
 * are left out (they embed the old location); the dependency metadata stays the recipe's.
 */
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { WheelwrightError } from "../errors.js";
import { parseRecord } from "../install/record.js";
import type { Interpreter } from "../python/types.js";
import { sitePackagesDir } from "../install/scheme.js";

export interface AdoptResult {
  files: number;
}

export function adoptPrebuilt(sitePackages: string, distInfo: string, out: string, python: Interpreter, pkg: string): AdoptResult {
  const recordFile = join(sitePackages, distInfo, "RECORD");
  if (!existsSync(recordFile)) {
    throw new WheelwrightError("ERR_WW_BUILD_FAILED", `cannot adopt ${pkg}: ${recordFile} does not exist`, { package: pkg, file: recordFile, hint: "a prebuilt distribution must have a RECORD listing its files" });
  }
  const rows = parseRecord(readFileSync(recordFile, "utf8"), { file: recordFile, package: pkg });
  const site = resolve(sitePackages);
  // site-packages is <prefix>/lib/pythonX.Y/site-packages: three levels below the prefix.
  const prefix = resolve(site, "..", "..", "..");
  const siteRel = sitePackagesDir(python);
  let files = 0;
  for (const row of rows) {
    const from = resolve(site, row.path);
    if (from.split(sep).includes("__pycache__") || from.endsWith(".pyc")) continue;
    let rel: string;
    if (from.startsWith(site + sep)) rel = join(siteRel, relative(site, from));
    else if (from.startsWith(prefix + sep)) rel = relative(prefix, from);
    else throw new WheelwrightError("ERR_WW_BUILD_FAILED", `cannot adopt ${pkg}: its RECORD lists ${row.path}, outside ${prefix}`, { package: pkg, file: recordFile, hint: "adopt only distributions installed into a prefix" });
    if (!existsSync(from) && !isLink(from)) {
      throw new WheelwrightError("ERR_WW_BUILD_FAILED", `cannot adopt ${pkg}: ${from} is listed in its RECORD but missing`, { package: pkg, file: recordFile, hint: "reinstall the distribution, or take it from a wheel" });
    }
    const dest = join(out, rel);
    mkdirSync(dirname(dest), { recursive: true });
    if (isLink(from)) symlinkSync(readlinkSync(from), dest);
    else {
      copyFileSync(from, dest);
      chmodSync(dest, lstatSync(from).mode & 0o111 ? 0o755 : 0o644);
    }
    files++;
  }
  return { files };
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
