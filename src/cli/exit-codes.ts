/**
 * The exit codes of `wheelwright`, a documented interface (docs/ generates its table from
 * this). `run` is the exception: it exits with its command's code.
 */
import type { ErrorCode } from "../errors.js";

export const EXIT_CODES = [
  { code: 0, name: "ok", description: "Success (for `doctor`: no problems found; `store verify`: nothing corrupt)." },
  { code: 1, name: "failure", description: "Any other error: fetch, lock, store, venv collision, `doctor` found problems, `check` found a difference." },
  { code: 2, name: "usage", description: "The command line or configuration is invalid (ERR_WW_USAGE, ERR_WW_CONFIG), or an unknown command/option." },
  { code: 3, name: "build-failed", description: "A package build from source failed (ERR_WW_BUILD_FAILED; the error shows the log tail), or a package's patch does not apply (ERR_WW_PATCH)." },
  { code: 4, name: "integrity", description: "Content does not match its hash: a download (ERR_WW_HASH_MISMATCH), a store path (ERR_WW_STORE_CORRUPT), or `store verify` found corruption." },
  { code: 70, name: "internal", description: "A bug in wheelwright (an unexpected exception); the stack trace is printed." },
] as const;

/** The exit code for an error a user can hit. */
export function exitCodeForCode(code: ErrorCode): number {
  switch (code) {
    case "ERR_WW_USAGE":
    case "ERR_WW_CONFIG":
      return 2;
    case "ERR_WW_BUILD_FAILED":
    case "ERR_WW_PATCH":
      return 3;
    case "ERR_WW_HASH_MISMATCH":
    case "ERR_WW_STORE_CORRUPT":
      return 4;
    default:
      return 1;
  }
}
