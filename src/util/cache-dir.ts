/**
 * wheelwright's per-user cache: `$XDG_CACHE_HOME/wheelwright` (LOCALAPPDATA on Windows, else
 * `$HOME/.cache`). Each user of it (interpreter probes, sync records, bytecode caches) has a
 * subdirectory; deleting any of them is always safe.
 */
import { homedir } from "node:os";
import { join } from "node:path";

export function cacheDir(sub: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || (process.platform === "win32" && env.LOCALAPPDATA ? env.LOCALAPPDATA : join(env.HOME || homedir(), ".cache"));
  return join(base, "wheelwright", sub);
}
