/**
 * Executes a plan: fetch the sources of missing paths, make every missing derivation once
 * its inputs exist (build environments, then source builds; wheels at once), bounded by
 * `jobs`, assemble the venv store path, and point the project's environment at it (or write
 * a copy). Every store write goes through `store.realise`, so an interruption or a failed
 * build at any point leaves only complete, registered paths.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { builderFor, type BuildContext } from "../build/builders.js";
import type { BuildSystemDiscovery } from "../build/discover.js";
import { chooseSandbox, type SandboxMode } from "../build/sandbox.js";
import type { Derivation } from "../derivation/derivation.js";
import { hasLazyBytecode } from "../derivation/instantiate.js";
import type { Events } from "../events/emitter.js";
import { FetchSession, type FetchOptions, type FileSource } from "../fetch/index.js";
import { normaliseSha256 } from "../fetch/verify.js";
import { shutdownCompileWorkers } from "../install/bytecode.js";
import { shutdownInstallThreads } from "../build/install-threads.js";
import type { StorePath } from "../store/path.js";
import type { Store } from "../store/store.js";
import { assembleVenv } from "../venv/assemble.js";
import { recordDerivation } from "../inspect/record.js";
import { COPY_MARKER, assertReplaceable, currentTarget, swapLink } from "./link.js";
import type { Plan, PlanItem } from "./plan.js";
import { runGraph } from "./run-graph.js";

export interface ExecuteOptions {
  store: Store;
  events?: Events;
  /** Absolute path of the environment to create (a link, or a copy). */
  output: string;
  copy?: boolean;
  /** Where builds record requirements their backend adds (so the next plan includes them). */
  discovery?: BuildSystemDiscovery;
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
  const v = plan.project.settings.values;

  let fetchedBytes = 0;
  const unsubscribe = events?.on((e) => {
    if (e.type === "fetch-end" && e.source !== "store") fetchedBytes += e.bytes;
  });
  try {
    const files = todo.flatMap((i) => fileSourcesOf(i));
    // Fetches are nodes of the same graph, on the scheduler's fetch slots: a derivation starts
    // as soon as its own files are in the store, while the rest are still downloading.
    const sources = new Map<string, StorePath>();
    const session = fetchSession(plan, store, events);
    const fetchFailures: { index: number; error: unknown }[] = [];
    const fetchNodes = new Map<string, FetchNode>();
    const fetchKeys = (item: PlanItem): string[] => fileSourcesOf(item).map((f) => fetchKey(f));
    for (const file of files) {
      const key = fetchKey(file);
      if (!fetchNodes.has(key)) fetchNodes.set(key, { fetch: file, key, index: fetchNodes.size });
    }
    const fetchNode = async (node: FetchNode): Promise<void> => {
      try {
        const path = await session.fetch(node.fetch);
        sources.set(normaliseSha256(node.fetch.sha256, node.fetch.filename), path);
      } catch (error) {
        fetchFailures.push({ index: node.index, error });
        throw error;
      }
    };
    const ctx = makeBuildContext(plan, store, sources, { needsSandbox: todo.some(isSourceBuild), ...(events !== undefined ? { events } : {}), ...(options.discovery !== undefined ? { discovery: options.discovery } : {}) });
    const venvOptions = { python: plan.python, members: membersOf(plan.venv, store), ignoreCollisions: v["venv.ignore-collisions"] as string[], skip: v["venv.skip"] as string[], prompt: plan.project.name, lazyBytecode: hasLazyBytecode(plan.venv) };

    let built = 0;
    let installed = 0;
    const make = async (item: PlanItem): Promise<void> => {
      const drv = item.derivation;
      if (drv === plan.venv) {
        await store.realise(drv.path, async (tmp) => void (await assembleVenv({ ...venvOptions, out: tmp, finalPath: venvReal })), { references: drv.inputs.map((d) => d.path as StorePath), deriver: drv.hash });
        recordDerivation(store, drv);
        return;
      }
      if (item.status === "present") return;
      const made = await realiseItem(plan, store, ctx, item);
      if (made === "installed") installed++;
      else if (made === "built") built++;
    };
    events?.emit({ type: "phase", phase: "build", state: "start", total: todo.length });
    const nodes: GraphNode[] = [...fetchNodes.values(), ...plan.items];
    try {
      await runGraph<GraphNode>(nodes, {
        jobs: plan.jobs,
        keepGoing: plan.keepGoing,
        key: (node) => (isFetch(node) ? node.key : node.derivation.path),
        inputs: (node) => (isFetch(node) ? [] : [...node.derivation.inputs.map((d) => d.path), ...(node.status === "present" ? [] : fetchKeys(node))]),
        label: (node) => (isFetch(node) ? node.fetch.filename : `${node.derivation.name} ${node.derivation.version}`.trim()),
        classify: (node) => (isFetch(node) ? "fetch" : "build"),
        estimate: (node) => (isFetch(node) ? 0 : estimateSeconds(node, store)),
        run: (node) => (isFetch(node) ? fetchNode(node) : make(node)),
        // every task that does work, with its inputs: enough to rebuild the schedule afterwards
        ...(events !== undefined ? { onTask: (node: GraphNode, state: "start" | "end", ok: boolean) => void (isFetch(node) || emitTask(events, node, state, ok)) } : {}),
      });
    } catch (error) {
      // A missing or corrupt file is the cause of whatever failed after it: report the first
      // one (in the plan's order) as itself, as a fetch-only run would.
      const first = fetchFailures.sort((a, b) => a.index - b.index)[0];
      throw first !== undefined ? first.error : error;
    }
    events?.emit({ type: "phase", phase: "build", state: "end" });

    if (options.copy) await writeCopy(options.output, venvOptions);
    else {
      swapLink(options.output, venvReal);
      store.addRoot(options.output, plan.venv.path);
    }
    events?.emit({ type: "venv", path: options.output, storePath: plan.venv.path, members: venvOptions.members.length });
    const result = { venv: venvReal, output: options.output, fetched: files.length, fetchedBytes, built, installed, noop: false };
    events?.emit({ type: "summary", fetchedBytes, fetched: files.length, built, linked: venvOptions.members.length, seconds: (performance.now() - started) / 1000 });
    return result;
  } finally {
    unsubscribe?.();
    void shutdownCompileWorkers(); // the installs' bytecode compilers (see src/install/bytecode.ts); they exit on their own
    void shutdownInstallThreads(); // and the threads that ran the installs (src/build/install-threads.ts)
  }
}

function emitTask(events: Events, item: PlanItem, state: "start" | "end", ok: boolean): void {
  const drv = item.derivation;
  if (item.status === "present" && drv.builder !== "venv") return;
  const base = { type: "task" as const, state, name: drv.name, version: drv.version, kind: drv.builder, storePath: drv.path };
  events.emit(state === "start" ? { ...base, inputs: drv.inputs.map((d) => d.path) } : { ...base, ok });
}

/** A file to fetch into the store, as a node of the build graph. */
interface FetchNode {
  fetch: FileSource;
  key: string;
  /** Position among the plan's files (errors are reported in this order). */
  index: number;
}
type GraphNode = PlanItem | FetchNode;
const isFetch = (node: GraphNode): node is FetchNode => "fetch" in node;
const fetchKey = (file: FileSource) => `fetch:${file.sha256.toLowerCase()}:${file.filename}`;

/**
 * Where the last build of a package from source recorded how long it took (any version, any
 * inputs: the next build of it is most likely a bump of one or the other).
 */
const buildSecondsKey = (drv: Derivation) => `build-seconds:${drv.builder}:${drv.name}`;

/** A source build never measured is expected to take this long. */
const DEFAULT_BUILD_SECONDS = 10;

/**
 * Expected duration in seconds, for longest-path-first ordering: a source build takes what
 * its package's last build took (DEFAULT_BUILD_SECONDS when it never was); a wheel's install
 * grows with its size (about 6 MB/s of wheel here, bytecode included), so the big ones start
 * first instead of ending the run alone.
 */
export function estimateSeconds(item: PlanItem, store: Pick<Store, "getSourceFact">): number {
  if (item.status === "present" && item.derivation.builder !== "venv") return 0;
  if (isSourceBuild(item)) {
    const last = store.getSourceFact<number>(buildSecondsKey(item.derivation));
    return typeof last === "number" && last > 0 ? last : DEFAULT_BUILD_SECONDS;
  }
  const source = item.recipe?.source;
  if (source?.kind === "wheel") return 0.1 + (source.file.size ?? 1e6) / 6e6;
  return 1;
}

const isSourceBuild = (item: PlanItem) => item.derivation.builder === "build-wheel" || item.derivation.builder === "build-editable";

/** The fetch options of a plan: its find-links, mirrors and offline settings. */
function fetchOptions(plan: Plan, store: Store, events?: Events): FetchOptions {
  const v = plan.project.settings.values;
  return {
    store,
    findLinks: v["find-links"] as string[],
    mirrors: v.mirrors as string[],
    offline: v.offline as boolean,
    baseDir: plan.project.dir,
    ...(events !== undefined ? { events } : {}),
  };
}

const fetchSession = (plan: Plan, store: Store, events?: Events) => new FetchSession(fetchOptions(plan, store, events));

/** Fetches files into the store with the plan's find-links, mirrors and offline settings. */
export function fetchPlanSources(plan: Plan, store: Store, files: FileSource[], events?: Events): Promise<Map<string, StorePath>> {
  return fetchSession(plan, store, events).fetchAll(files);
}

/**
 * Makes one missing derivation of a plan (not the project venv): a build environment, or a
 * package through its builder; records how it was made. Its inputs must already be valid.
 */
export async function realiseItem(plan: Plan, store: Store, ctx: BuildContext, item: PlanItem): Promise<"env" | "installed" | "built"> {
  const drv = item.derivation;
  if (drv.builder === "venv") {
    // A build environment: the same kind of venv, over the build-system closure.
    await store.realise(drv.path, async (tmp) => void (await assembleVenv({ python: plan.python, members: membersOf(drv, store), out: tmp, finalPath: store.toRealPath(drv.path), prompt: "build-env", lazyBytecode: hasLazyBytecode(drv) })), {
      references: drv.inputs.map((d) => d.path as StorePath),
      deriver: drv.hash,
    });
    recordDerivation(store, drv);
    return "env";
  }
  const recipe = item.recipe;
  if (recipe === undefined) throw new Error(`no recipe for ${drv.name} in the plan`);
  const builder = builderFor(drv, recipe);
  const started = performance.now();
  let ran = false;
  await store.realise(
    drv.path,
    (tmp, seal) => {
      ran = true;
      return builder.build(ctx, drv, recipe, tmp, seal);
    },
    { deriver: drv.hash },
  );
  recordDerivation(store, drv);
  if (ran && isSourceBuild(item)) store.setSourceFact(buildSecondsKey(drv), (performance.now() - started) / 1000);
  return drv.builder === "install-wheel" ? "installed" : "built";
}

/** What builders need from a sync: the store, fetched files, the sandbox in effect. */
export function makeBuildContext(
  plan: Plan,
  store: Store,
  sources: ReadonlyMap<string, StorePath>,
  options: { needsSandbox: boolean; events?: Events; discovery?: BuildSystemDiscovery },
): BuildContext {
  const v = plan.project.settings.values;
  return {
    store,
    python: plan.python,
    sandbox: options.needsSandbox ? chooseSandbox((v.sandbox as SandboxMode | undefined) ?? "auto") : "none",
    localFile: (sha256) => {
      const path = sources.get(sha256);
      if (path === undefined) throw new Error(`source ${sha256} was not fetched`);
      return store.toRealPath(path);
    },
    hasPackage: (name) => plan.set.has(name),
    passEnv: (v["build-pass-env"] as string[] | undefined) ?? [],
    ...(options.events !== undefined ? { events: options.events } : {}),
    ...(options.discovery !== undefined ? { discovery: options.discovery } : {}),
  };
}

function membersOf(venv: Derivation, store: Store): { name: string; path: string }[] {
  return venv.inputs.map((d) => ({ name: d.name, path: store.toRealPath(d.path) }));
}

/** Files a missing derivation reads: a wheel, an sdist, a url archive. */
export function fileSourcesOf(item: PlanItem): FileSource[] {
  const source = item.recipe?.source;
  if (source === undefined || item.derivation.builder === "venv") return [];
  if (source.kind === "wheel" || source.kind === "sdist") return [source.file];
  if (source.kind === "tree" && source.tree.type === "archive") return [source.tree.file];
  return [];
}

/** A real, writable environment at `output`, built beside it and renamed into place. */
async function writeCopy(output: string, venv: Omit<Parameters<typeof assembleVenv>[0], "out" | "finalPath" | "mode">): Promise<void> {
  assertReplaceable(output);
  const temp = mkdtempSync(join(dirname(output), ".wheelwright-copy-"));
  rmSync(temp, { recursive: true });
  await assembleVenv({ ...venv, out: temp, finalPath: output, mode: "copy" });
  writeFileSync(join(temp, COPY_MARKER), "made by wheelwright sync --copy\n");
  rmSync(output, { recursive: true, force: true });
  renameSync(temp, output);
}
