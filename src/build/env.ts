/**
 * The environment a build runs in: nothing inherited that could change its output or let it
 * see packages outside its build-system closure. No PYTHON* / PIP_* / VIRTUAL_ENV / compiler
 * flags from the caller; a private HOME and TMPDIR; fixed SOURCE_DATE_EPOCH, PYTHONHASHSEED
 * and locale; the recipe's own variables last (they are part of the derivation). Variables a
 * tool needs just to run (rustup's RUSTUP_HOME, a license server) can be passed through by name
 * (`build-pass-env`); like PATH they are not part of any derivation. Nor is the caller's
 * bytecode cache, which a build environment installed without bytecode uses.
 */
import { join } from "node:path";
import { BUILD_PYCACHE_VAR, pycacheRoot } from "../venv/pycache.js";

/** 1980-01-01: the earliest date a zip (wheel) can store. */
export const DEFAULT_SOURCE_DATE_EPOCH = 315532800;

/** Variables taken from the caller, because tools need them to run at all (not to decide output). */
const PASS_THROUGH = ["PATH", "TERM", "http_proxy", "https_proxy", "no_proxy"];

export interface BuildEnvInput {
  /** The build environment venv (its `bin` goes first on PATH). */
  buildEnv: string;
  /** A private, empty directory for HOME and TMPDIR (created by the caller). */
  scratch: string;
  /** The source tree's absolute path: compilers map it to a fixed prefix in debug info. */
  sourceDir: string;
  sourceDateEpoch?: number;
  /** The recipe's `env` (overrides win over everything above). */
  extra?: Record<string, string>;
  /** More variable names to take from the caller (setting `build-pass-env`). */
  passEnv?: readonly string[];
  /** The caller's environment (default process.env); only PASS_THROUGH and `passEnv` keys are read. */
  inherit?: NodeJS.ProcessEnv;
}

export function buildEnvironment(input: BuildEnvInput): Record<string, string> {
  const inherit = input.inherit ?? process.env;
  const env: Record<string, string> = {};
  // Passed names come first: the fixed variables below (HOME, TMPDIR, …) always win.
  for (const key of [...PASS_THROUGH, ...(input.passEnv ?? [])]) {
    const value = inherit[key];
    if (value !== undefined) env[key] = value;
  }
  const systemPath = env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
  const remap = `${input.sourceDir}=/build/source`;
  Object.assign(env, {
    PATH: `${join(input.buildEnv, "bin")}:${systemPath}`,
    HOME: join(input.scratch, "home"),
    TMPDIR: join(input.scratch, "tmp"),
    SOURCE_DATE_EPOCH: String(input.sourceDateEpoch ?? DEFAULT_SOURCE_DATE_EPOCH),
    PYTHONHASHSEED: "0",
    PYTHONNOUSERSITE: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    LC_ALL: "C.UTF-8",
    TZ: "UTC",
    // Debug info and __FILE__ would otherwise embed the random temp path of this build.
    CFLAGS: `-ffile-prefix-map=${remap}`,
    CXXFLAGS: `-ffile-prefix-map=${remap}`,
    RUSTFLAGS: `--remap-path-prefix=${remap}`,
    // pip inside a build (some backends shell out to it) must never reach an index.
    PIP_NO_INDEX: "1",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    // A build environment installed without bytecode caches its store modules' bytecode with
    // the caller's (src/venv/pycache.ts); the cache never changes what a build produces.
    [BUILD_PYCACHE_VAR]: pycacheRoot(inherit),
  });
  for (const [key, value] of Object.entries(input.extra ?? {})) {
    env[key] = key === "CFLAGS" || key === "CXXFLAGS" || key === "RUSTFLAGS" ? `${env[key]} ${value}` : value;
  }
  return env;
}
