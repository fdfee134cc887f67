import type { WheelwrightEvent } from "./types.js";

/** Renders events as plain lines without escape codes (for pipes, CI, and NO_COLOR). */
export function plainReporter(write: (line: string) => void, verbosity = 0): (event: WheelwrightEvent) => void {
  return (event) => {
    const line = renderPlain(event, verbosity);
    if (line !== undefined) write(line + "\n");
  };
}

export function renderPlain(event: WheelwrightEvent, verbosity = 0): string | undefined {
  switch (event.type) {
    case "log":
      if (event.level === "debug" && verbosity < 1) return undefined;
      return `${event.level === "info" ? "" : event.level + ": "}${event.package ? event.package + ": " : ""}${event.message}`;
    case "phase":
      return verbosity >= 1 ? `${event.phase} ${event.state}` : undefined;
    case "fetch-start":
      return verbosity >= 1 ? `fetch ${event.name} ${event.url}` : undefined;
    case "fetch-progress":
      return undefined;
    case "fetch-end":
      if (event.source === "store" && verbosity < 1) return undefined;
      return `fetched ${event.name} (${event.bytes} bytes, ${event.source})`;
    case "build-start":
      return `building ${event.name} ${event.version} (${event.kind})`;
    case "build-log":
      return verbosity >= 2 ? `  ${event.name}> ${event.line}` : undefined;
    case "build-end":
      return `${event.ok ? "built" : "FAILED"} ${event.name} in ${event.seconds.toFixed(1)}s`;
    case "install":
      return verbosity >= 1 ? `installed ${event.name} ${event.version} (${event.files} files)` : undefined;
    case "task":
      return undefined;
    case "venv":
      return `environment ${event.path} -> ${event.storePath} (${event.members} ${event.members === 1 ? "package" : "packages"})`;
    case "summary":
      return `fetched ${event.fetched} (${(event.fetchedBytes / 1e6).toFixed(1)} MB), built ${event.built}, linked ${event.linked} in ${event.seconds.toFixed(2)}s`;
    case "error":
      return event.error.format();
  }
}
