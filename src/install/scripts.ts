/**
 * Scripts: `console_scripts` / `gui_scripts` entry points turned into launcher files, and
 * `#!python` shebangs of `.data/scripts` files pointed at the interpreter. The generated
 * text is byte-for-byte what pip (distlib's ScriptMaker) writes on POSIX, so a tree we
 * install and one pip installs differ only in the shebang's interpreter path.
 */
import { WheelwrightError } from "../errors.js";

export interface EntryPoint {
  name: string;
  group: "console_scripts" | "gui_scripts";
  /** The module to import from (`pkg.cli`). */
  module: string;
  /** The attribute path of the callable (`main` or `Cls.method`). */
  attr: string;
}

// What distlib's `get_export_entry` accepts: `name = module:attr [flags]`.
const ENTRY = /^(?<name>(?:\w|[-.+])+)\s*=\s*(?<callable>\w+(?:[:.]\w+)*)\s*(?:\[\s*[\w-]+(?:=\w+)?(?:,\s*\w+(?:=\w+)?)*\s*\])?\s*$/u;

/**
 * Parses entry_points.txt (the INI-like format importlib.metadata reads: `[group]` headers,
 * `name = value` lines, `#`/`;` comments) and returns its script entry points in file order.
 * A later duplicate name in the same group replaces the earlier one, as with a dict.
 */
export function parseScriptEntryPoints(text: string, where: { file: string; package?: string }): EntryPoint[] {
  const found = new Map<string, EntryPoint>();
  let group = "";
  const lines = text.split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    if (line.startsWith("[")) {
      group = line.slice(1, line.indexOf("]")).trim();
      return;
    }
    if (group !== "console_scripts" && group !== "gui_scripts") return;
    const fail = (message: string, hint: string): never => {
      throw new WheelwrightError("ERR_WW_WHEEL_INVALID", `${where.file}:${index + 1}: ${message}`, {
        file: where.file,
        line: index + 1,
        ...(where.package === undefined ? {} : { package: where.package }),
        hint,
      });
    };
    const match = ENTRY.exec(line);
    if (match === null) fail(`invalid ${group} entry ${JSON.stringify(line)}`, "Entry points look like `name = module:function`.");
    const { name, callable } = match!.groups as { name: string; callable: string };
    const parts = callable.split(":");
    if (parts.length !== 2) {
      fail(`${group} entry ${JSON.stringify(name)} = ${JSON.stringify(callable)} has no single ":callable" suffix`, "A script entry point must name a callable: `name = module:function`.");
    }
    if (name === "." || name === ".." ) fail(`${group} entry name ${JSON.stringify(name)} is not a file name`, "Script names must be plain file names.");
    found.set(`${group}\0${name}`, { name, group, module: parts[0]!, attr: parts[1]! });
  });
  return [...found.values()];
}

/** Longest `#!` line Linux honours (distlib's limit; macOS allows 512, we use the safe one). */
const MAX_SHEBANG = 127;

/**
 * The shebang for `executable`: `#!<exe>\n`, or — when it is too long for the kernel or has a
 * space — distlib's `/bin/sh` trampoline, which sh runs as `exec <exe> "$0" "$@"` and
 * Python reads as a harmless string expression.
 */
export function buildShebang(executable: string): string {
  const quoted = executable.includes(" ") && !executable.startsWith('"') ? `"${executable}"` : executable;
  const simple = !quoted.includes(" ") && Buffer.byteLength(quoted) + 3 <= MAX_SHEBANG;
  if (simple) return `#!${quoted}\n`;
  return `#!/bin/sh\n'''exec' ${quoted} "$0" "$@"\n' '''\n`;
}

/** The launcher file pip writes for an entry point. */
export function scriptText(entry: EntryPoint, executable: string): string {
  return (
    buildShebang(executable) +
    "# -*- coding: utf-8 -*-\n" +
    "import re\n" +
    "import sys\n" +
    `from ${entry.module} import ${entry.attr.split(".")[0]}\n` +
    "if __name__ == '__main__':\n" +
    "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n" +
    `    sys.exit(${entry.attr}())\n`
  );
}

/**
 * A `.data/scripts` file with its first line replaced when it starts with `#!python`
 * (which covers `#!pythonw`): the whole line becomes the interpreter's shebang, as pip does
 * (arguments after `#!python…` are dropped). Returns undefined when nothing changes.
 */
export function rewriteScriptShebang(content: Buffer, executable: string): Buffer | undefined {
  if (!content.subarray(0, 8).equals(Buffer.from("#!python"))) return undefined;
  const eol = content.indexOf(0x0a);
  const rest = eol < 0 ? Buffer.alloc(0) : content.subarray(eol + 1);
  return Buffer.concat([Buffer.from(buildShebang(executable)), rest]);
}

/**
 * Whether a `.data/scripts` file is a setuptools-made wrapper for one of the entry points
 * (`X`, `X.exe`, `X-script.py`, `X.pya`): pip skips those, since it generates `X` itself.
 */
export function isEntryPointWrapper(fileName: string, entryPoints: readonly EntryPoint[]): boolean {
  const lower = fileName.toLowerCase();
  let stem = fileName;
  if (lower.endsWith(".exe") || lower.endsWith(".pya")) stem = fileName.slice(0, -4);
  else if (lower.endsWith("-script.py")) stem = fileName.slice(0, -10);
  return entryPoints.some((e) => e.name === stem);
}
