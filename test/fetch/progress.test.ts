// Progress events are throttled so a fast copy does not flood reporters.
import { describe, expect, it } from "vitest";
import { Events } from "../../src/events/emitter.js";
import type { WheelwrightEvent } from "../../src/events/types.js";
import { startProgress } from "../../src/fetch/progress.js";

describe("startProgress", () => {
  it("emits start, at most one progress event per interval, and end", async () => {
    const events = new Events();
    const seen: WheelwrightEvent[] = [];
    events.on((event) => seen.push(event));
    const progress = startProgress(events, "x-1.0.tar.gz", "https://h.test/x-1.0.tar.gz", 1000);
    for (let bytes = 1; bytes <= 500; bytes++) progress.bytes(bytes);
    await new Promise((resolve) => setTimeout(resolve, 120));
    progress.bytes(900);
    progress.end(1000, "network");
    expect(seen).toEqual([
      { type: "fetch-start", name: "x-1.0.tar.gz", url: "https://h.test/x-1.0.tar.gz", size: 1000 },
      { type: "fetch-progress", name: "x-1.0.tar.gz", bytes: 1, total: 1000 },
      { type: "fetch-progress", name: "x-1.0.tar.gz", bytes: 900, total: 1000 },
      { type: "fetch-end", name: "x-1.0.tar.gz", bytes: 1000, source: "network" },
    ]);
  });
});
