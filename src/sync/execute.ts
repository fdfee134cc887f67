/**
 * Executes a plan: fetch the sources of missing paths, install wheels into store paths (in
 * parallel, bounded by `jobs`), assemble the venv store path, and point the project's
 * environment at it (or write a copy). Every store write goes through `store.realise`, so an
 * interruption at any point leaves only complete, registered paths.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import pLimit from "p-limit";
import { WheelwrightError } from "../errors.js";
import type { Events } from "../events/emitter.js";
import { fetchSources, type FileSource } from "../fetch/index.js";
import { installWheel } from "../install/wheel.js";
import type { StorePath } from "../store/path.js";
import type { Store } from "../store/store.js";
import { assembleVenv } from "../venv/assemble.js";
import { COPY_MARKER, assertReplaceable, currentTarget, swapLink } from "./link.js";
import type { Plan, PlanItem } from "./plan.js";

export interface ExecuteOptions {
  store: Store;
  events?: Events;
  /** Absolute path of the environment to create (a link, or a copy). */
  output: string;
  copy?: boolean;
}

export interface SyncResult {
  venv: string;
  output: string;
  fetched: number;
  fetchedBytes: number;
  built: number;
  installed: number;
  /** True when nothing had to be made or changed. */
  noop: boolean;
}

export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<SyncResult> {
  const { store, events } = options;
  const started = performance.now();
  const venvReal = store.toRealPath(plan.venv.path);
  const todo = plan.items.filter((i) => i.status !== "present");
  if (todo.length === 0 && !options.copy && currentTarget(options.output) === venvReal) {
    return { venv: venvReal, output: options.output, fetched: 0, fetchedBytes: 0, built: 0, installed: 0, noop: true };
  }
  if (!options.copy) assertReplaceable(options.output);

  let fetchedBytes = 0;
  const unsubscribe = events?.on((e) => {
    if (e.type === "fetch-end" && e.source !== "store") fetchedBytes += e.bytes;
  });
  try {
    const wheels = todo.filter((i) => i.derivation.builder === "install-wheel");
    const unsupported = todo.find((i) => i.derivation.builder !== "install-wheel" && i.derivation.builder !== "venv");
    if (unsupported !== undefined) {
      throw new WheelwrightError("ERR_WW_BUILD_FAILED", `${unsupported.derivation.name} ${unsupported.derivation.version} must be built from source (${unsupported.derivation.builder}), which this version of wheelwright cannot do yet`, {
        package: unsupported.derivation.name,
        hint: "use a lock with wheels for it, or --source-preference wheel",
      });
    }
    const files = wheels.map((i) => sourceFile(i));
    const sources = await fetchSources(files, {
      store,
      findLinks: plan.project.settings.values["find-links"] as string[],
      mirrors: plan.project.settings.values.mirrors as string[],
      offline: plan.project.settings.values.offline as boolean,
      baseDir: plan.project.dir,
      ...(events !== undefined ? { events } : {}),
    });

    const limit = pLimit(plan.jobs);
    await Promise.all(
      wheels.map((item) =>
        limit(async () => {
          const file = sourceFile(item);
          const wheel = store.toRealPath(sources.get(file.sha256)!);
          const drv = item.derivation;
          await store.realise(
            drv.path,
            async (tmp) => {
              const result = await installWheel(wheel, tmp, {
                interpreter: plan.python,
                verifyRecord: item.recipe?.verifyRecord ?? true,
                finalPrefix: store.toRealPath(drv.path),
                ...(events !== undefined ? { events } : {}),
              });
              events?.emit({ type: "install", name: drv.name, version: drv.version, storePath: drv.path, files: result.files });
            },
            { deriver: drv.hash },
          );
        }),
      ),
    );

    const venvInputs = plan.venv.inputs;
    const members = venvInputs.map((d) => ({ name: d.name, path: store.toRealPath(d.path) }));
    const v = plan.project.settings.values;
    const venvOptions = { python: plan.python, members, ignoreCollisions: v["venv.ignore-collisions"] as string[], skip: v["venv.skip"] as string[], prompt: plan.project.name };
    await store.realise(plan.venv.path, async (tmp) => void assembleVenv({ ...venvOptions, out: tmp, finalPath: venvReal }), {
      references: venvInputs.map((d) => d.path as StorePath),
      deriver: plan.venv.hash,
    });
    if (options.copy) writeCopy(options.output, venvOptions);
    else {
      swapLink(options.output, venvReal);
      store.addRoot(options.output, plan.venv.path);
    }
    events?.emit({ type: "venv", path: options.output, storePath: plan.venv.path, members: members.length });
    const result = { venv: venvReal, output: options.output, fetched: files.length, fetchedBytes, built: 0, installed: wheels.length, noop: false };
    events?.emit({ type: "summary", fetchedBytes, fetched: files.length, built: 0, linked: members.length, seconds: (performance.now() - started) / 1000 });
    return result;
  } finally {
    unsubscribe?.();
  }
}

function sourceFile(item: PlanItem): FileSource {
  const source = item.recipe?.source;
  if (source === undefined || (source.kind !== "wheel" && source.kind !== "sdist")) throw new Error(`no file source for ${item.derivation.name}`);
  return source.file;
}

/** A real, writable environment at `output`, built beside it and renamed into place. */
function writeCopy(output: string, venv: Omit<Parameters<typeof assembleVenv>[0], "out" | "finalPath" | "mode">): void {
  assertReplaceable(output);
  const temp = mkdtempSync(join(dirname(output), ".wheelwright-copy-"));
  rmSync(temp, { recursive: true });
  assembleVenv({ ...venv, out: temp, finalPath: output, mode: "copy" });
  writeFileSync(join(temp, COPY_MARKER), "made by wheelwright sync --copy\n");
  rmSync(output, { recursive: true, force: true });
  renameSync(temp, output);
}
