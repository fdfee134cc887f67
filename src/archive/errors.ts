import { WheelwrightError } from "../errors.js";

// Every archive error names the archive file and, when there is one, the offending entry.
// Entry names are JSON-quoted so NULs, backslashes and control characters stay visible.

function describe(archive: string, entry: string | undefined, message: string): string {
  return entry === undefined ? `${archive}: ${message}` : `${archive}: entry ${JSON.stringify(entry)}: ${message}`;
}

export function unsafeEntry(archive: string, entry: string | undefined, message: string, cause?: unknown): WheelwrightError {
  return new WheelwrightError("ERR_WW_UNSAFE_ARCHIVE", describe(archive, entry, message), {
    file: archive,
    hint: "The archive tries to write outside its target or holds an entry type wheelwright refuses; do not trust this file.",
    details: entry === undefined ? undefined : { entry },
    cause,
  });
}

export function limitExceeded(archive: string, entry: string | undefined, message: string): WheelwrightError {
  return new WheelwrightError("ERR_WW_ARCHIVE_LIMIT", describe(archive, entry, message), {
    file: archive,
    hint: "Raise the archive limits only if this file is known to be legitimate.",
    details: entry === undefined ? undefined : { entry },
  });
}

export function badFormat(archive: string, entry: string | undefined, message: string, cause?: unknown): WheelwrightError {
  return new WheelwrightError("ERR_WW_ARCHIVE_FORMAT", describe(archive, entry, message), {
    file: archive,
    hint: "The file is damaged or uses a feature wheelwright does not read; fetch it again or rebuild it.",
    details: entry === undefined ? undefined : { entry },
    cause,
  });
}
