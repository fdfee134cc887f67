/**
 * The one declaration of wheelwright's settings: key (as in `[tool.wheelwright]`), type,
 * default, environment variable, flag, and description. The loader validates against it and
 * the CLI/configuration reference in docs/ is generated from it.
 */

export type SettingType = "string" | "boolean" | "integer" | "string[]" | "boolean|string[]" | { enum: readonly string[] };

export interface SettingSpec {
  key: string;
  type: SettingType;
  default: unknown;
  env?: string;
  flag?: string;
  description: string;
}

export const SETTINGS = [
  { key: "python", type: "string", default: undefined, env: "WHEELWRIGHT_PYTHON", flag: "--python <request>", description: "Interpreter to build for: a path, a version like `3.12`, or a specifier like `>=3.10`. Default: `python3` on PATH." },
  { key: "store", type: "string", default: undefined, env: "WHEELWRIGHT_STORE", flag: "--store <dir>", description: "Store root. Default: `$XDG_DATA_HOME/wheelwright` (`~/.local/share/wheelwright`)." },
  { key: "lock", type: "string", default: undefined, flag: "--lock <file>", description: "Lock file to read. Default: `pylock.toml`, else `uv.lock`, in the project directory." },
  { key: "output", type: "string", default: ".venv", env: "WHEELWRIGHT_OUTPUT", flag: "-o, --output <path>", description: "Where the environment link (or copy) is made, relative to the project." },
  { key: "find-links", type: "string[]", default: [], env: "WHEELWRIGHT_FIND_LINKS", flag: "--find-links <dir>", description: "Local directories of distribution files, tried before the network (matched by name and hash). The variable takes a `:`-separated list." },
  { key: "mirrors", type: "string[]", default: [], env: "WHEELWRIGHT_MIRRORS", flag: "--mirror <url>", description: "PEP 503/691 simple-index base URLs tried before a file's own URL (matched by name and hash)." },
  { key: "offline", type: "boolean", default: false, env: "WHEELWRIGHT_OFFLINE", flag: "--offline", description: "Never use the network; fail naming any file that no local source has." },
  { key: "keep-going", type: "boolean", default: false, env: "WHEELWRIGHT_KEEP_GOING", flag: "-k, --keep-going", description: "When a build fails, go on with everything that doesn't depend on it (the failures are reported together at the end). Without it no new build starts after the first failure; running ones finish." },
  { key: "jobs", type: "integer", default: 0, env: "WHEELWRIGHT_JOBS", flag: "-j, --jobs <n>", description: "Parallel build slots. 0 means one per core." },
  { key: "source-preference", type: { enum: ["wheel", "sdist"] }, default: "wheel", env: "WHEELWRIGHT_SOURCE_PREFERENCE", flag: "--source-preference <kind>", description: "Prefer wheels or sdists when a lock offers both." },
  { key: "no-build", type: "boolean|string[]", default: false, flag: "--no-build", description: "Never build from source (all packages, or the listed ones)." },
  { key: "no-binary", type: "boolean|string[]", default: false, flag: "--no-binary", description: "Never use wheels (all packages, or the listed ones)." },
  { key: "extras", type: "string[]", default: [], flag: "--extra <name>", description: "Extras of the project to include." },
  { key: "all-extras", type: "boolean", default: false, flag: "--all-extras", description: "Include every extra of the project." },
  { key: "groups", type: "string[]", default: [], flag: "--group <name>", description: "Dependency groups to include." },
  { key: "all-groups", type: "boolean", default: false, flag: "--all-groups", description: "Include every dependency group." },
  { key: "no-default-groups", type: "boolean", default: false, flag: "--no-default-groups", description: "Leave out the default groups (uv: `dev`; pylock: `default-groups`)." },
  { key: "build-lock", type: "string", default: undefined, flag: "--build-lock <file>", description: "A pylock.toml whose packages join the package set (for build systems) but not the environment." },
  { key: "build-pass-env", type: "string[]", default: [], env: "WHEELWRIGHT_BUILD_PASS_ENV", description: "Names of variables passed from the caller's environment into every build, for tools that need them to run at all (e.g. `RUSTUP_HOME` for rustup's `cargo`). They are not part of any derivation, so they must not change what a build produces; the ones wheelwright sets itself (`HOME`, `TMPDIR`, `SOURCE_DATE_EPOCH`, …) can't be passed. The variable takes a `:`-separated list." },
  { key: "compile-bytecode", type: "boolean", default: false, env: "WHEELWRIGHT_COMPILE_BYTECODE", flag: "--compile-bytecode, --no-compile-bytecode", description: "Byte-compile every installed module into the store (`.pyc` files beside the sources, as pip does): slower cold syncs (compiling is most of a large set's CPU time), but no environment ever compiles a package's modules, on any machine that shares the store. With `false` (the default, as with uv and pnpm), packages are installed without bytecode, and the environment caches what Python compiles for them at first import in `$XDG_CACHE_HOME/wheelwright/pycache`, keyed by store path, so every environment on the machine that links the same package shares it. Python older than 3.8 always compiles. Different store paths either way." },
  { key: "sandbox", type: { enum: ["auto", "required", "off"] }, default: "auto", env: "WHEELWRIGHT_SANDBOX", flag: "--sandbox <mode>", description: "Network isolation of builds: bubblewrap, else unshare, when available (`auto`), always (`required`), or never." },
  { key: "venv.ignore-collisions", type: "string[]", default: [], description: "Globs of environment paths whose collisions are ignored; the first package wins." },
  { key: "venv.skip", type: "string[]", default: [], description: "Globs of environment paths left out of the environment." },
  { key: "venv.copy", type: "boolean", default: false, flag: "--copy", description: "Write a real, writable environment instead of a link into the store." },
] as const satisfies readonly SettingSpec[];

/** Keys of one `[tool.wheelwright.packages.<name>]` table. */
export const PACKAGE_SETTINGS = [
  { key: "source-preference", type: { enum: ["wheel", "sdist"] }, default: undefined, description: "Take this package as a wheel or build it from its sdist." },
  { key: "dependencies", type: "string[]", default: [], description: "Extra runtime dependencies (PEP 508 strings), e.g. a module the package imports but doesn't declare." },
  { key: "build-system", type: "string[]", default: undefined, description: "Build requirements replacing the discovered ones (PEP 508 strings resolved by name in the set)." },
  { key: "build-system-add", type: "string[]", default: [], description: "Build requirements added to the discovered ones." },
  { key: "build-system-drop", type: "string[]", default: [], description: "Names removed from the discovered build requirements." },
  { key: "config-settings", type: "table", default: {}, description: "PEP 517 config settings passed to the build backend." },
  { key: "env", type: "table", default: {}, description: "Environment variables set for this package's build." },
  { key: "patches", type: "string[]", default: [], description: "Unified diffs (`diff -u`, `git diff`) applied in order to the unpacked source before it is built, like `patch -p1`: paths relative to pyproject.toml; each must apply exactly (hunks may move, never fuzz). Their content is part of the package's derivation. Not for editables." },
  { key: "prebuilt", type: "string", default: undefined, description: "A site-packages directory holding this package already installed (same name and version, with a RECORD): its files are adopted into the store instead of fetching or building it; dependencies stay the lock's. For system packages that can't be built here. Relative to pyproject.toml." },
  { key: "verify-record", type: "boolean", default: true, description: "Check the wheel's RECORD hashes on install (turn off only for broken wheels)." },
] as const;

export type SettingKey = (typeof SETTINGS)[number]["key"];
