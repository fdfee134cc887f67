/** Lock readers: uv.lock and PEP 751 pylock.toml → an overlay and the environment's roots. */
import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { WheelwrightError } from "../errors.js";
import { parsePylock, selectPylock } from "./pylock.js";
import type { LockedEnvironment, LockOptions } from "./types.js";
import { parseUvLock } from "./uv-model.js";
import { selectUvLock } from "./uv-select.js";

export type { LockedEnvironment, LockOptions, LockSummary } from "./types.js";
export { parseUvLock, type UvLock, type UvPackage, type UvSource } from "./uv-model.js";
export { parsePylock, type Pylock, type PylockPackage } from "./pylock.js";
export { selectUvLock } from "./uv-select.js";
export { selectPylock } from "./pylock.js";

export function lockFormatOf(file: string): "uv.lock" | "pylock.toml" {
  const name = basename(file);
  if (name === "uv.lock" || name.endsWith(".lock")) return "uv.lock";
  if (/^pylock\.([^.]+\.)?toml$/.test(name) || name.endsWith(".toml")) return "pylock.toml";
  throw new WheelwrightError("ERR_WW_USAGE", `cannot tell the format of ${file}`, { file, hint: "name it uv.lock or pylock.toml (or pylock.<name>.toml)" });
}

export function readLock(file: string, options: LockOptions): LockedEnvironment {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new WheelwrightError("ERR_WW_USAGE", `cannot read lock file ${file}: ${(cause as Error).message}`, { file, cause, hint: "pass an existing file with --lock" });
  }
  if (lockFormatOf(file) === "uv.lock") return selectUvLock(parseUvLock(text, file), options);
  return selectPylock(parsePylock(text, file, options.projectDir ?? dirname(file)), options);
}
