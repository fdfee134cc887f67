/**
 * Script shebangs. Packages in the store have scripts whose shebang names the base
 * interpreter; a venv copies them with the shebang pointing at the venv's own python, so
 * `sys.executable` (and every child started from it) is the environment.
 */
import { dirname } from "node:path";
import { buildShebang } from "../install/scripts.js";

/**
 * If `content` starts with a shebang that runs one of `interpreters` (exact path, or a
 * `python*` in the same directory), returns the script with that shebang replaced by one for
 * `newPython`; otherwise undefined.
 */
export function rewriteShebang(content: Buffer, interpreters: string[], newPython: string): Buffer | undefined {
  if (content.length < 3 || content[0] !== 0x23 || content[1] !== 0x21) return undefined;
  const firstEnd = content.indexOf(0x0a);
  const firstLine = content.subarray(2, firstEnd < 0 ? content.length : firstEnd).toString("utf8").trim();
  let bodyStart = firstEnd < 0 ? content.length : firstEnd + 1;
  let target = firstLine.split(/\s+/)[0] ?? "";
  let args = firstLine.slice(target.length).trim();
  if (target === "/bin/sh") {
    // The re-exec form: `'''exec' /path/python "$0" "$@"` then `' '''`.
    const rest = content.subarray(bodyStart).toString("utf8");
    const match = /^'''exec' ["']?([^'"\s]+)["']? "\$0" "\$@"\n' '''\n/.exec(rest);
    if (match === null) return undefined;
    target = match[1]!;
    args = "";
    bodyStart += Buffer.byteLength(match[0]);
  }
  if (!isInterpreter(target, interpreters)) return undefined;
  const header = args === "" ? buildShebang(newPython) : `#!${newPython} ${args}\n`;
  return Buffer.concat([Buffer.from(header), content.subarray(bodyStart)]);
}

function isInterpreter(path: string, interpreters: string[]): boolean {
  if (interpreters.includes(path)) return true;
  const base = path.slice(path.lastIndexOf("/") + 1);
  return /^python[0-9.]*w?$/.test(base) && interpreters.some((known) => dirname(known) === dirname(path));
}
