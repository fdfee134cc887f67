/**
 * Errors a user can hit carry a stable code, a message naming what and where, and a hint.
 * Codes are append-only: never rename or reuse one (docs/troubleshooting.md is keyed on them).
 * Programmer bugs stay plain `Error`.
 */

/** Every code wheelwright can raise, with a one-line description used by the docs. */
export const ERROR_CODES = {
  ERR_WW_INVALID_VERSION: "A version string is not valid PEP 440.",
  ERR_WW_INVALID_SPECIFIER: "A version specifier is not valid PEP 440.",
  ERR_WW_INVALID_REQUIREMENT: "A requirement string is not valid PEP 508.",
  ERR_WW_INVALID_MARKER: "An environment marker is not valid PEP 508.",
  ERR_WW_MARKER_EVALUATION: "An environment marker could not be evaluated.",
  ERR_WW_INVALID_NAME: "A project name is not valid.",
  ERR_WW_INVALID_WHEEL_FILENAME: "A wheel file name does not follow the binary distribution format.",
  ERR_WW_INVALID_SDIST_FILENAME: "A source distribution file name is not valid.",
  ERR_WW_INVALID_METADATA: "Core metadata (METADATA / PKG-INFO) is malformed.",
  ERR_WW_INVALID_PYPROJECT: "pyproject.toml is malformed or violates PEP 517/518/621/735.",
  ERR_WW_DEPENDENCY_GROUP_CYCLE: "Dependency groups include each other in a cycle.",
  ERR_WW_DEPENDENCY_GROUP_UNKNOWN: "A dependency group is referenced but not defined.",
  ERR_WW_PYTHON_NOT_FOUND: "No interpreter matches the request.",
  ERR_WW_PYTHON_PROBE: "An interpreter could not be probed.",
  ERR_WW_CONFIG: "Configuration is invalid.",
  ERR_WW_STORE: "The store is unusable (layout, permissions, database).",
  ERR_WW_STORE_PATH: "A store path name is malformed.",
  ERR_WW_STORE_CORRUPT: "A store path's content does not match its registered hash.",
  ERR_WW_STORE_OUTPUT: "A build produced something a store path cannot hold (device, socket, setuid file, nothing).",
  ERR_WW_HASH_MISMATCH: "Fetched content does not match the hash in the lock.",
  ERR_WW_FETCH: "A source could not be fetched.",
  ERR_WW_OFFLINE_MISSING: "Offline mode: a needed file is in no local source.",
  ERR_WW_UNSAFE_ARCHIVE: "An archive entry would escape its target or is not allowed.",
  ERR_WW_ARCHIVE_LIMIT: "An archive exceeds a configured size limit.",
  ERR_WW_ARCHIVE_FORMAT: "An archive is corrupt or of an unsupported format.",
  ERR_WW_ARCHIVE_ENTRY_MISSING: "A file expected inside an archive is not there.",
  ERR_WW_WHEEL_INVALID: "A wheel violates the binary distribution format.",
  ERR_WW_WHEEL_RECORD: "A wheel's RECORD does not match its contents.",
  ERR_WW_WHEEL_INCOMPATIBLE: "A wheel does not fit the interpreter.",
  ERR_WW_BYTECODE: "Compiling bytecode failed.",
  ERR_WW_LOCK_PARSE: "A lock file is not valid TOML or has the wrong shape.",
  ERR_WW_LOCK_VERSION: "A lock file's version is not supported.",
  ERR_WW_LOCK_INVALID: "A lock file's content is inconsistent.",
  ERR_WW_REQUIRES_PYTHON: "The interpreter does not satisfy requires-python.",
  ERR_WW_LOCK_ENVIRONMENT: "A lock file was made for environments that do not include the interpreter.",
  ERR_WW_CONFLICT: "Conflicting extras or groups were selected together.",
  ERR_WW_NO_COMPATIBLE_DIST: "A package has no compatible wheel nor sdist.",
  ERR_WW_UNKNOWN_PACKAGE: "A package is referenced but not in the package set.",
  ERR_WW_UNKNOWN_EXTRA: "An extra or dependency group is not defined by its package.",
  ERR_WW_BUILD_SYSTEM_CYCLE: "Build systems require each other in a cycle.",
  ERR_WW_BUILD_SYSTEM_MISSING: "A build requirement is not in the package set.",
  ERR_WW_DEPENDENCY_CYCLE: "Derivations to be made depend on each other in a cycle, so no order can make them.",
  ERR_WW_BUILD_FAILED: "A package build failed.",
  ERR_WW_SANDBOX: "The requested build sandbox is not available.",
  ERR_WW_VENV_COLLISION: "Two packages install different files at the same venv path.",
  ERR_WW_USAGE: "The command line is invalid.",
  ERR_WW_OUTPUT_EXISTS: "The environment path exists and was not made by wheelwright.",
  ERR_WW_PATCH: "A patch given for a package does not apply to its source.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where an error happened, as precisely as is known. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  package?: string;
}

export interface WheelwrightErrorOptions extends ErrorLocation {
  hint?: string;
  cause?: unknown;
  /** Extra structured facts for reporters (e.g. a build log tail). */
  details?: Record<string, unknown>;
}

export class WheelwrightError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly location: ErrorLocation;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: WheelwrightErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WheelwrightError";
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
    const location: ErrorLocation = {};
    if (options.file !== undefined) location.file = options.file;
    if (options.line !== undefined) location.line = options.line;
    if (options.column !== undefined) location.column = options.column;
    if (options.package !== undefined) location.package = options.package;
    this.location = location;
  }

  /** `file:line:column` (or the package) for messages, or undefined when nothing is known. */
  where(): string | undefined {
    const { file, line, column, package: pkg } = this.location;
    let where = file;
    if (where !== undefined && line !== undefined) where += `:${line}` + (column !== undefined ? `:${column}` : "");
    if (pkg !== undefined) where = where === undefined ? `package ${pkg}` : `${where} (package ${pkg})`;
    return where;
  }

  /** A plain, multi-line rendering: `error[CODE]: message`, location, hint. */
  format(): string {
    const lines = [`error[${this.code}]: ${this.message}`];
    const where = this.where();
    if (where !== undefined) lines.push(`  at: ${where}`);
    if (this.hint !== undefined) lines.push(`  hint: ${this.hint}`);
    const output = this.details?.stderr ?? this.details?.logTail;
    if (typeof output === "string" && output.trim() !== "") {
      const tail = output.trimEnd().split("\n").slice(-20);
      lines.push("  output (last lines):", ...tail.map((l) => `    | ${l}`));
    }
    return lines.join("\n");
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.location, hint: this.hint, details: this.details };
  }
}

export function isWheelwrightError(error: unknown, code?: ErrorCode): error is WheelwrightError {
  return error instanceof WheelwrightError && (code === undefined || error.code === code);
}

/** An error as plain data, to cross a worker thread's message port (`errorToWire`). */
export type WireError =
  | { kind: "wheelwright"; code: ErrorCode; message: string; hint?: string; location: ErrorLocation; details?: Record<string, unknown> }
  | { kind: "plain"; name: string; message: string; stack?: string; errno?: string };

/** Plain data that `errorFromWire` turns back into an equivalent error (the cause is dropped). */
export function errorToWire(error: unknown): WireError {
  if (error instanceof WheelwrightError) {
    const wire: WireError = { kind: "wheelwright", code: error.code, message: error.message, location: { ...error.location } };
    if (error.hint !== undefined) wire.hint = error.hint;
    if (error.details !== undefined) {
      try {
        wire.details = structuredClone(error.details);
      } catch {
        // Details that cannot be cloned (a function, a handle) stay behind.
      }
    }
    return wire;
  }
  const plain = error instanceof Error ? error : new Error(String(error));
  const wire: WireError = { kind: "plain", name: plain.name, message: plain.message };
  if (plain.stack !== undefined) wire.stack = plain.stack;
  const errno = (plain as NodeJS.ErrnoException).code;
  if (typeof errno === "string") wire.errno = errno;
  return wire;
}

export function errorFromWire(wire: WireError): Error {
  if (wire.kind === "wheelwright") {
    return new WheelwrightError(wire.code, wire.message, {
      ...wire.location,
      ...(wire.hint !== undefined ? { hint: wire.hint } : {}),
      ...(wire.details !== undefined ? { details: wire.details } : {}),
    });
  }
  const error = new Error(wire.message) as NodeJS.ErrnoException;
  error.name = wire.name;
  if (wire.stack !== undefined) error.stack = wire.stack;
  if (wire.errno !== undefined) error.code = wire.errno;
  return error;
}
