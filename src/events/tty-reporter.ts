/**
 * The terminal reporter: a live status area below the scrolling output — downloads with bytes
 * and rate, builds running with their last log line, counts and elapsed time — redrawn at
 * most every `intervalMs`, and replaced at the end by the one-line summary. Lines that matter
 * afterwards (warnings, failures, and at -v what the plain reporter prints) are written above
 * the area and stay. Only for terminals: pipes and CI get the plain reporter (cli/reporter.ts).
 */
import { createLogUpdate } from "log-update";
import pc from "picocolors";
import { renderPlain } from "./plain-reporter.js";
import type { WheelwrightEvent } from "./types.js";

export interface TtyReporterOptions {
  stream: NodeJS.WriteStream | (NodeJS.WritableStream & { columns?: number });
  verbosity?: number;
  /** Colour output (false under NO_COLOR). */
  color?: boolean;
  intervalMs?: number;
  now?: () => number;
}

export interface TtyReporter {
  listener: (event: WheelwrightEvent) => void;
  /** Removes the status area (if any) and stops redrawing. Idempotent. */
  close(): void;
}

interface Download {
  name: string;
  bytes: number;
  total: number | undefined;
  started: number;
}

interface Running {
  name: string;
  version: string;
  line: string;
  started: number;
}

const SPINNER = ["-", "\\", "|", "/"];

export function ttyReporter(options: TtyReporterOptions): TtyReporter {
  const stream = options.stream;
  const verbosity = options.verbosity ?? 0;
  const c = pc.createColors(options.color ?? false);
  const now = options.now ?? (() => performance.now());
  const log = createLogUpdate(stream, { showCursor: true });
  const started = now();
  const downloads = new Map<string, Download>();
  const builds = new Map<string, Running>();
  const counts = { fetched: 0, fetchedBytes: 0, installed: 0, built: 0, failed: 0 };
  let total: number | undefined;
  let drawn = false;
  let closed = false;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;

  const width = () => Math.max(20, ((stream as { columns?: number }).columns ?? 80) - 1);
  const fit = (line: string) => (line.length > width() ? line.slice(0, width() - 1) + "…" : line);

  const render = (): string => {
    const elapsed = (now() - started) / 1000;
    const done = counts.installed;
    const head = [
      `${SPINNER[frame % SPINNER.length]} ${total !== undefined ? `${done}/${total} done` : `${done} done`}`,
      counts.fetched > 0 ? `fetched ${counts.fetched} (${mb(counts.fetchedBytes)})` : undefined,
      counts.built > 0 ? `built ${counts.built}` : undefined,
      builds.size > 0 ? `building ${builds.size}` : undefined,
      downloads.size > 0 ? `downloading ${downloads.size}` : undefined,
      `${elapsed.toFixed(1)}s`,
    ].filter((x) => x !== undefined);
    const lines = [c.bold(fit(head.join(" · ")))];
    for (const d of [...downloads.values()].slice(0, 6)) {
      const seconds = Math.max(0.001, (now() - d.started) / 1000);
      const size = d.total !== undefined ? `${mb(d.bytes)} / ${mb(d.total)}` : mb(d.bytes);
      lines.push(fit(`  ${c.cyan("fetch")} ${d.name}  ${size}  ${mb(d.bytes / seconds)}/s`));
    }
    if (downloads.size > 6) lines.push(`  … ${downloads.size - 6} more downloads`);
    for (const b of [...builds.values()].slice(0, 6)) {
      const seconds = ((now() - b.started) / 1000).toFixed(0);
      lines.push(fit(`  ${c.yellow("build")} ${b.name} ${b.version} (${seconds}s)${b.line !== "" ? c.dim(`  ${b.line}`) : ""}`));
    }
    if (builds.size > 6) lines.push(`  … ${builds.size - 6} more builds`);
    return lines.join("\n");
  };

  const draw = () => {
    if (closed) return;
    frame++;
    log(render());
    drawn = true;
  };
  const ensureTimer = () => {
    if (timer !== undefined || closed) return;
    timer = setInterval(draw, options.intervalMs ?? 100);
    timer.unref();
  };
  /** Writes a line that stays, above the live area. */
  const persist = (line: string) => {
    if (drawn) log.clear();
    stream.write(line + "\n");
    if (drawn) draw();
  };
  const close = () => {
    if (closed) return;
    closed = true;
    if (timer !== undefined) clearInterval(timer);
    if (drawn) log.clear();
    drawn = false;
  };

  const listener = (event: WheelwrightEvent): void => {
    if (closed) return;
    switch (event.type) {
      case "phase":
        if (event.total !== undefined && event.state === "start") total = (total ?? 0) + event.total;
        break;
      case "fetch-start":
        downloads.set(event.name, { name: event.name, bytes: 0, total: event.size, started: now() });
        break;
      case "fetch-progress": {
        const d = downloads.get(event.name);
        if (d !== undefined) {
          d.bytes = event.bytes;
          if (event.total !== undefined) d.total = event.total;
        }
        break;
      }
      case "fetch-end":
        downloads.delete(event.name);
        if (event.source !== "store") {
          counts.fetched++;
          counts.fetchedBytes += event.bytes;
        }
        break;
      case "build-start":
        builds.set(event.name, { name: event.name, version: event.version, line: "", started: now() });
        break;
      case "build-log": {
        const b = builds.get(event.name);
        if (b !== undefined && event.line.trim() !== "") b.line = event.line.trim();
        break;
      }
      case "build-end":
        builds.delete(event.name);
        if (event.ok) counts.built++;
        else {
          counts.failed++;
          persist(c.red(`FAILED ${event.name} after ${event.seconds.toFixed(1)}s`));
        }
        break;
      case "install":
        counts.installed++;
        break;
      case "summary": {
        close();
        stream.write(`${c.green("done")} ${renderPlain(event, verbosity)}\n`);
        return;
      }
      case "error":
        close();
        stream.write(c.red(event.error.format()) + "\n");
        return;
      case "log":
        if (event.level === "warn") persist(c.yellow(renderPlain(event, verbosity)!));
        else if (event.level === "info" || verbosity >= 1) persist(renderPlain(event, verbosity) ?? "");
        break;
      case "venv":
        break;
    }
    // At -v, the plain lines scroll above the area as well.
    if (verbosity >= 1 && event.type !== "log" && event.type !== "fetch-progress") {
      const line = renderPlain(event, verbosity);
      if (line !== undefined) persist(c.dim(line));
    }
    // The first frame at once (short runs show something); then at the timer's pace.
    if (!drawn) draw();
    ensureTimer();
  };
  return { listener, close };
}

function mb(bytes: number): string {
  if (bytes < 1e3) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
