/**
 * Progress events for one transfer: `fetch-start`, throttled `fetch-progress`, `fetch-end`.
 * Throttling keeps a fast local copy from flooding reporters with thousands of events.
 */
import type { Events } from "../events/emitter.js";
import type { SourceKind } from "./source.js";

/** Minimum time between two `fetch-progress` events of one transfer. */
const PROGRESS_INTERVAL_MS = 100;

export interface Progress {
  /** Called with the running byte count of the current attempt. */
  bytes(count: number): void;
  /** A retry restarts the count from zero. */
  restart(): void;
  end(bytes: number, source: SourceKind): void;
}

export function startProgress(events: Events | undefined, name: string, url: string, total?: number): Progress {
  events?.emit({ type: "fetch-start", name, url, ...(total === undefined ? {} : { size: total }) });
  let last = 0;
  return {
    bytes(count) {
      if (events === undefined) return;
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      events.emit({ type: "fetch-progress", name, bytes: count, ...(total === undefined ? {} : { total }) });
    },
    restart() {
      last = 0;
    },
    end(bytes, source) {
      events?.emit({ type: "fetch-end", name, bytes, source });
    },
  };
}
