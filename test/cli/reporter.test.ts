// Which reporter a run gets, and what the tty reporter draws, on a fake terminal stream.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { chooseReporter } from "../../src/cli/reporter.js";
import { WheelwrightError } from "../../src/errors.js";
import { ttyReporter } from "../../src/events/tty-reporter.js";

describe("chooseReporter", () => {
  it("uses the live reporter only on a terminal outside CI, unless told otherwise", () => {
    expect(chooseReporter({}, {}, true)).toBe("tty");
    expect(chooseReporter({}, {}, false)).toBe("plain");
    expect(chooseReporter({}, { CI: "true" }, true)).toBe("plain");
    expect(chooseReporter({}, { CI: "false" }, true)).toBe("tty");
    expect(chooseReporter({}, { TERM: "dumb" }, true)).toBe("plain");
    expect(chooseReporter({ reporter: "plain" }, {}, true)).toBe("plain");
    expect(chooseReporter({ reporter: "ndjson" }, {}, true)).toBe("ndjson");
    expect(chooseReporter({ reporter: "ndjson", quiet: true }, {}, true)).toBe("ndjson");
    expect(chooseReporter({ quiet: true }, {}, true)).toBe("none");
    expect(chooseReporter({ reporter: "tty" }, { CI: "1" }, false)).toBe("tty");
  });
});

/** A terminal-like stream that keeps what is written. */
function fakeTerminal() {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    { columns: 100, rows: 30, isTTY: true },
  );
  return { stream, text: () => chunks.join(""), last: () => chunks.at(-1) ?? "" };
}

describe("tty reporter", () => {
  it("draws downloads with bytes and rate, builds with their last log line, counts and elapsed time", () => {
    let clock = 0;
    const term = fakeTerminal();
    const r = ttyReporter({ stream: term.stream as never, now: () => clock, intervalMs: 1_000_000 });
    r.listener({ type: "phase", phase: "build", state: "start", total: 3 });
    r.listener({ type: "fetch-start", name: "big-1.0.whl", url: "file:///x", size: 4_000_000 });
    clock = 2000;
    r.listener({ type: "fetch-progress", name: "big-1.0.whl", bytes: 2_000_000, total: 4_000_000 });
    r.listener({ type: "build-start", name: "cext", version: "0.1", storePath: "p", kind: "build-wheel" });
    r.listener({ type: "build-log", name: "cext", line: "gcc -c cext.c" });
    r.listener({ type: "install", name: "small", version: "1.0", storePath: "p", files: 3 });
    (r as unknown as { listener: (e: unknown) => void }).listener({ type: "log", level: "debug", message: "x" });
    // Draw a frame through the public path: a persisted warning redraws the area below it.
    r.listener({ type: "log", level: "warn", message: "careful", package: "cext" });
    const frame = term.text();
    expect(frame).toContain("warn: cext: careful\n");
    expect(frame).toMatch(/1\/3 done · building 1 · downloading 1 · 2\.0s/);
    expect(frame).toContain("fetch big-1.0.whl  2.0 MB / 4.0 MB  1.0 MB/s");
    expect(frame).toContain("build cext 0.1 (0s)  gcc -c cext.c");
    expect(frame).not.toMatch(/\x1b\[3\dm/); // colour is off unless asked for

    r.listener({ type: "summary", fetchedBytes: 4_000_000, fetched: 1, built: 1, linked: 2, seconds: 3.25 });
    expect(term.last()).toBe("done fetched 1 (4.0 MB), built 1, linked 2 in 3.25s\n");
    const before = term.text().length;
    r.listener({ type: "install", name: "late", version: "1", storePath: "p", files: 1 });
    r.close();
    expect(term.text().length).toBe(before); // closed: nothing more is drawn
  });

  it("prints errors and failed builds above, in colour when enabled", () => {
    const term = fakeTerminal();
    const r = ttyReporter({ stream: term.stream as never, color: true, intervalMs: 1_000_000 });
    r.listener({ type: "build-start", name: "bad", version: "1", storePath: "p", kind: "build-wheel" });
    r.listener({ type: "build-end", name: "bad", storePath: "p", ok: false, seconds: 1.5 });
    expect(term.text()).toContain("\x1b[31mFAILED bad after 1.5s\x1b[39m\n");
    r.listener({ type: "error", error: new WheelwrightError("ERR_WW_BUILD_FAILED", "bad failed", { package: "bad" }) });
    expect(term.last()).toContain("error[ERR_WW_BUILD_FAILED]: bad failed");
  });
});
