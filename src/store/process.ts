/**
 * Process identity for locks and temporary roots that must outlive a SIGKILL of their holder.
 * A holder is (pid, start time): the start time tells a live holder from an unrelated process
 * that reused its pid. Where /proc is missing the start time is "" and only the pid is checked.
 */
import { readFileSync } from "node:fs";

export interface ProcessId {
  pid: number;
  start: string;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or "" when unknown. */
function readStart(pid: number): { start: string; zombie: boolean } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ESRCH" ? undefined : { start: "", zombie: false };
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { start: fields[19] ?? "", zombie: fields[0] === "Z" || fields[0] === "X" };
}

let self: ProcessId | undefined;

export function currentProcess(): ProcessId {
  if (self === undefined || self.pid !== process.pid) self = { pid: process.pid, start: readStart(process.pid)?.start ?? "" };
  return self;
}

/** True when the process that recorded `holder` is still running (zombies count as dead). */
export function isProcessAlive(holder: ProcessId): boolean {
  if (holder.pid === process.pid) return holder.start === currentProcess().start;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const info = readStart(holder.pid);
  if (info === undefined) return process.platform !== "linux";
  if (info.zombie) return false;
  return holder.start === "" || info.start === "" || info.start === holder.start;
}
