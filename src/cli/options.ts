/**
 * Flags shared by the commands that read a project, mapped to setting keys (schema.ts).
 * Commander gives camel-cased option names; `toFlags` turns them into setting values.
 */
import { Option, type Command } from "commander";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addProjectOptions(command: Command): Command {
  return command
    .option("-C, --project <dir>", "project directory (default: the current directory)")
    .option("--lock <file>", "lock file (default: pylock.toml, else uv.lock)")
    .option("--python <request>", "interpreter: a path, a version like 3.12, or a specifier")
    .option("--store <dir>", "store root")
    .option("-o, --output <path>", "environment path (default .venv)")
    .option("--find-links <dir>", "local directory of distribution files (repeatable)", collect)
    .option("--mirror <url>", "simple-index mirror URL (repeatable)", collect)
    .option("--offline", "never use the network")
    .option("-j, --jobs <n>", "parallel build slots (default: cores)", (v) => Number.parseInt(v, 10))
    .option("-k, --keep-going", "after a failed build, go on with everything that doesn't depend on it")
    .addOption(new Option("--source-preference <kind>", "prefer wheels or sdists").choices(["wheel", "sdist"]))
    .option("--no-build", "never build from source")
    .option("--no-binary", "never use wheels")
    .option("--extra <name>", "include an extra of the project (repeatable)", collect)
    .option("--all-extras", "include every extra")
    .option("--group <name>", "include a dependency group (repeatable)", collect)
    .option("--all-groups", "include every dependency group")
    .option("--no-default-groups", "leave out default groups")
    .option("--copy", "write a real, writable environment instead of a store link")
    .option("--compile-bytecode", "byte-compile every installed module into the store")
    .option("--no-compile-bytecode", "install without bytecode; modules are compiled on first import into a cache (default)")
    .option("--build-lock <file>", "pylock.toml providing build-system packages")
    .addOption(new Option("--sandbox <mode>", "network isolation of builds").choices(["auto", "required", "off"]));
}

/** Commander's parsed options → setting values (undefined when the flag was not given). */
export function toFlags(opts: Record<string, unknown>): Record<string, unknown> {
  const given = (v: unknown) => (v === undefined ? undefined : v);
  return {
    lock: given(opts.lock),
    python: given(opts.python),
    store: given(opts.store),
    output: given(opts.output),
    "find-links": given(opts.findLinks),
    mirrors: given(opts.mirror),
    offline: opts.offline === true ? true : undefined,
    jobs: given(opts.jobs),
    "keep-going": opts.keepGoing === true ? true : undefined,
    "source-preference": given(opts.sourcePreference),
    // commander's --no-x sets x=false when given, and true by default
    "no-build": opts.build === false ? true : undefined,
    "no-binary": opts.binary === false ? true : undefined,
    extras: given(opts.extra),
    "all-extras": opts.allExtras === true ? true : undefined,
    groups: given(opts.group),
    "all-groups": opts.allGroups === true ? true : undefined,
    "no-default-groups": opts.defaultGroups === false ? true : undefined,
    "venv.copy": opts.copy === true ? true : undefined,
    "compile-bytecode": typeof opts.compileBytecode === "boolean" ? opts.compileBytecode : undefined,
    "build-lock": given(opts.buildLock),
    sandbox: given(opts.sandbox),
  };
}
