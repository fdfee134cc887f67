import type { WheelwrightEvent } from "./types.js";

/** One JSON object per line; errors are serialised through `WheelwrightError.toJSON`. */
export function ndjsonReporter(write: (line: string) => void): (event: WheelwrightEvent) => void {
  return (event) => {
    const payload = event.type === "error" ? { type: "error", error: event.error.toJSON() } : event;
    write(JSON.stringify({ time: Date.now(), ...payload }) + "\n");
  };
}
