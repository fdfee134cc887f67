/**
 * Points the project's environment path (`.venv`) at a store venv, atomically: a new symlink
 * is made beside it and renamed over the old one, so readers see the old or the new
 * environment, never none. A real directory there is replaced only if wheelwright wrote it
 * (copy mode leaves a marker); anything else is refused rather than deleted.
 */
import { existsSync, lstatSync, readlinkSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { WheelwrightError } from "../errors.js";

/** File written into copy-mode environments so a later sync may replace them. */
export const COPY_MARKER = ".wheelwright-copy";

/** The store venv `link` points at now, if it is a symlink. */
export function currentTarget(link: string): string | undefined {
  try {
    return lstatSync(link).isSymbolicLink() ? readlinkSync(link) : undefined;
  } catch {
    return undefined;
  }
}

export function swapLink(link: string, target: string): void {
  assertReplaceable(link);
  const temp = join(dirname(link), `.${process.pid}.${Date.now()}.wheelwright-link`);
  symlinkSync(target, temp);
  try {
    if (existsSync(link) && !lstatSync(link).isSymbolicLink()) rmSync(link, { recursive: true, force: true });
    renameSync(temp, link);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Throws unless `path` is absent, a symlink, or a copy-mode environment of ours. */
export function assertReplaceable(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory() && existsSync(join(path, COPY_MARKER))) return;
  throw new WheelwrightError("ERR_WW_OUTPUT_EXISTS", `${path} exists and was not made by wheelwright`, {
    file: path,
    hint: "move it away (it may be a venv made by another tool), or choose another location with -o",
  });
}
