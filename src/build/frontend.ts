/**
 * The PEP 517 / 660 frontend: runs one hook of a backend through hooks.py with the build
 * environment's interpreter, in the source tree, in a clean environment and (when
 * available) without network. The backend's output goes to the build log; the hook's
 * return value comes back through a JSON file.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WheelwrightError } from "../errors.js";
import type { BuildLog } from "./log.js";
import { wrapCommand, type SandboxKind } from "./sandbox.js";

/** Absolute path of the hook runner (next to this module in src/ and dist/). */
export const HOOKS_SCRIPT = fileURLToPath(new URL("./hooks.py", import.meta.url));

export type HookName =
  | "get_requires_for_build_wheel"
  | "get_requires_for_build_editable"
  | "get_requires_for_build_sdist"
  | "prepare_metadata_for_build_wheel"
  | "prepare_metadata_for_build_editable"
  | "build_wheel"
  | "build_editable"
  | "build_sdist";

export interface Backend {
  /** `module` or `module:object`. */
  backend: string;
  /** Directories inside the source tree for an in-tree backend (PEP 517 backend-path). */
  backendPath: string[];
}

export interface HookCall extends Backend {
  /** The build environment's interpreter (`<build env>/bin/python`). */
  python: string;
  /** Source tree root: the hook's working directory. */
  cwd: string;
  hook: HookName;
  args?: Record<string, string | null>;
  configSettings?: Record<string, string | string[]>;
  env: Record<string, string>;
  sandbox: SandboxKind;
  log: BuildLog;
  /** Where the result file is written (a private scratch directory). */
  scratch: string;
  /** Package name, for errors. */
  package: string;
  /** Called with each line the backend prints (stdout and stderr), e.g. for live status. */
  onLine?: (line: string) => void;
}

/** A hook's failure: the backend raised, or the hook runner could not call it. */
export class HookFailure extends Error {
  constructor(
    readonly kind: string,
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = "HookFailure";
  }
}

export interface HookResult {
  result: unknown;
  /** True when the backend does not define an optional hook (its default was used). */
  missing: boolean;
}

export async function runHook(call: HookCall): Promise<HookResult> {
  const dir = mkdtempSync(join(call.scratch, "hook-"));
  const output = join(dir, "result.json");
  const request = { backend: call.backend, backendPath: call.backendPath, hook: call.hook, args: call.args ?? {}, configSettings: call.configSettings ?? {}, output };
  const { command, args } = wrapCommand(call.sandbox, call.python, ["-s", HOOKS_SCRIPT]);
  call.log.note(`${call.hook} (backend ${call.backend}${call.backendPath.length > 0 ? `, backend-path ${call.backendPath.join(", ")}` : ""}; sandbox: ${call.sandbox})`);
  call.log.note(`$ ${[command, ...args].join(" ")}`);
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, args, { cwd: call.cwd, env: call.env, stdio: ["pipe", "pipe", "pipe"] });
      for (const stream of [child.stdout, child.stderr]) {
        const lines = lineSplitter(call.onLine);
        stream.on("data", (chunk: Buffer) => {
          call.log.write(chunk);
          lines.push(chunk);
        });
        stream.on("end", () => lines.flush());
      }
      child.on("error", reject);
      child.on("close", (code) => resolve(code));
      child.stdin.end(JSON.stringify(request));
    });
    let response: { ok: boolean; result?: unknown; missing?: boolean; kind?: string; message?: string };
    try {
      response = JSON.parse(readFileSync(output, "utf8")) as typeof response;
    } catch {
      throw new HookFailure("no-result", `the hook runner exited with ${exitCode ?? "a signal"} before reporting a result`, exitCode);
    }
    if (!response.ok) throw new HookFailure(response.kind ?? "backend-failed", response.message ?? "the backend failed", exitCode);
    return { result: response.result ?? null, missing: response.missing === true };
  } catch (error) {
    if (error instanceof HookFailure) throw error;
    throw new WheelwrightError("ERR_WW_BUILD_FAILED", `cannot run ${call.hook} for ${call.package}: ${(error as Error).message}`, { package: call.package, cause: error });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Feeds complete lines of a byte stream to `onLine` (a partial last line on flush). */
function lineSplitter(onLine: ((line: string) => void) | undefined): { push(chunk: Buffer): void; flush(): void } {
  let pending = "";
  return {
    push(chunk) {
      if (onLine === undefined) return;
      const parts = (pending + chunk.toString("utf8")).split("\n");
      pending = parts.pop()!;
      for (const line of parts) onLine(line.replace(/\r$/, ""));
    },
    flush() {
      if (onLine !== undefined && pending !== "") onLine(pending);
      pending = "";
    },
  };
}
