/**
 * Build logs: one file per store path (`store.logFile(path)`), kept after success and
 * failure alike, so `wheelwright log NAME` can show it and a failure can quote its tail.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";

export class BuildLog {
  private fd: number;

  /** Starts (truncating) the log at `file`. */
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, "w");
  }

  write(text: string | Buffer): void {
    if (this.fd < 0) return;
    if (typeof text === "string") writeSync(this.fd, text);
    else writeSync(this.fd, text);
  }

  /** A line of our own (commands, phases), marked so it stands out from the backend's output. */
  note(line: string): void {
    this.write(`wheelwright: ${line}\n`);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** The last `lines` lines of a log file ("" when there is none). */
export function logTail(file: string, lines = 25): string {
  if (!existsSync(file)) return "";
  const text = readFileSync(file, "utf8").replace(/\n+$/, "");
  return text.split("\n").slice(-lines).join("\n");
}
