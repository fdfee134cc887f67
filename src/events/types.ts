/**
 * The typed event channel. Library code emits these; reporters (plain, tty, ndjson) render
 * them. Nothing outside cli/ and reporters prints. Add variants; never change a variant's
 * meaning (the ndjson reporter's output is a documented interface).
 */
import type { WheelwrightError } from "../errors.js";

export type WheelwrightEvent =
  | { type: "log"; level: "debug" | "info" | "warn"; message: string; package?: string }
  | { type: "phase"; phase: string; state: "start" | "end"; total?: number }
  | { type: "fetch-start"; name: string; url: string; size?: number }
  | { type: "fetch-progress"; name: string; bytes: number; total?: number }
  | { type: "fetch-end"; name: string; bytes: number; source: "network" | "mirror" | "local" | "store" }
  | { type: "build-start"; name: string; version: string; storePath: string; kind: string }
  | { type: "build-log"; name: string; line: string }
  | { type: "build-end"; name: string; storePath: string; ok: boolean; seconds: number }
  | { type: "install"; name: string; version: string; storePath: string; files: number }
  | { type: "task"; state: "start" | "end"; name: string; version: string; kind: string; storePath: string; inputs?: string[]; ok?: boolean }
  | { type: "venv"; path: string; storePath: string; members: number }
  | { type: "summary"; fetchedBytes: number; fetched: number; built: number; linked: number; seconds: number }
  | { type: "error"; error: WheelwrightError };

export type EventOf<T extends WheelwrightEvent["type"]> = Extract<WheelwrightEvent, { type: T }>;
export type Listener = (event: WheelwrightEvent) => void;
