/**
 * Network isolation of builds. `auto` uses bubblewrap when it works here, else `unshare`
 * (a new user + network namespace), else nothing; `required` fails when neither works;
 * `off` never isolates. Availability is probed once per process by running `true` inside.
 */
import { spawnSync } from "node:child_process";
import { WheelwrightError } from "../errors.js";

export type SandboxMode = "auto" | "required" | "off";
export type SandboxKind = "bwrap" | "unshare" | "none";

export interface SandboxStatus {
  /** What `auto` would use on this machine. */
  available: SandboxKind;
  /** Why each tool is (not) usable, for `doctor`. */
  details: Record<Exclude<SandboxKind, "none">, string>;
}

const PREFIX: Record<Exclude<SandboxKind, "none">, string[]> = {
  bwrap: ["bwrap", "--dev-bind", "/", "/", "--unshare-net", "--unshare-ipc", "--die-with-parent", "--"],
  unshare: ["unshare", "--map-root-user", "--net", "--"],
};

let probed: SandboxStatus | undefined;

/** Which sandbox works on this machine (memoized; `refresh` re-probes). */
export function sandboxStatus(refresh = false): SandboxStatus {
  if (probed !== undefined && !refresh) return probed;
  const details = { bwrap: probe("bwrap"), unshare: probe("unshare") };
  const available: SandboxKind = details.bwrap === "ok" ? "bwrap" : details.unshare === "ok" ? "unshare" : "none";
  probed = { available, details };
  return probed;
}

function probe(kind: Exclude<SandboxKind, "none">): string {
  const [command, ...args] = PREFIX[kind];
  const result = spawnSync(command!, [...args, "true"], { encoding: "utf8", timeout: 10_000 });
  if (result.error !== undefined) return (result.error as NodeJS.ErrnoException).code === "ENOENT" ? `${command} is not installed` : result.error.message;
  if (result.status !== 0) return `${command} fails here: ${(result.stderr || `exit ${result.status}`).trim().split("\n")[0]}`;
  return "ok";
}

/** The sandbox a build runs in under `mode`; ERR_WW_SANDBOX when `required` can't be met. */
export function chooseSandbox(mode: SandboxMode): SandboxKind {
  if (mode === "off") return "none";
  const status = sandboxStatus();
  if (status.available === "none" && mode === "required") {
    throw new WheelwrightError("ERR_WW_SANDBOX", `sandbox = "required" but no sandbox works here (bwrap: ${status.details.bwrap}; unshare: ${status.details.unshare})`, {
      hint: "install bubblewrap (apt-get install bubblewrap), allow unprivileged user namespaces, or set sandbox = \"auto\"",
    });
  }
  return status.available;
}

/** `command args` wrapped to run inside `kind` (unchanged for "none"). */
export function wrapCommand(kind: SandboxKind, command: string, args: readonly string[]): { command: string; args: string[] } {
  if (kind === "none") return { command, args: [...args] };
  const [tool, ...prefix] = PREFIX[kind];
  return { command: tool!, args: [...prefix, command, ...args] };
}
