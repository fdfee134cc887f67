/**
 * One builder per derivation kind, chosen by `supports()`: install a wheel, build a wheel
 * from an sdist/tree with PEP 517 and install it, build an editable wheel (PEP 660) from the
 * working tree and install it, or adopt a prebuilt distribution. Each writes a complete
 * prefix at `tmpOut`; the caller realises it into the store (so a failure leaves nothing).
 */
import { mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Derivation } from "../derivation/derivation.js";
import { hasLazyBytecode } from "../derivation/instantiate.js";
import { WheelwrightError } from "../errors.js";
import type { Events } from "../events/emitter.js";
import { installWheel } from "../install/wheel.js";
import { parseWheelFilename } from "../pep/filenames.js";
import { normalizeName } from "../pep/names.js";
import { evaluateMarker, parseRequirement } from "../pep/pep508.js";
import { formatTag, tagRanker, type TagRanker } from "../pep/tag-set.js";
import { supportedTags } from "../pep/tags.js";
import type { Interpreter } from "../python/types.js";
import type { Recipe } from "../scope/recipe.js";
import { removeTree } from "../store/normalise.js";
import type { BuiltOutput } from "../store/realise.js";
import type { SealOptions } from "../store/seal.js";
import type { Store } from "../store/store.js";
import { buildSystemMissing, readBuildSystem, type BuildSystemDiscovery } from "./discover.js";
import { buildEnvironment } from "./env.js";
import { installWheelSealed } from "./install-threads.js";
import { HookFailure, runHook, type HookCall } from "./frontend.js";
import { BuildLog, logTail } from "./log.js";
import { applyPatchFile } from "./patch.js";
import { adoptPrebuilt } from "./prebuilt.js";
import type { SandboxKind } from "./sandbox.js";
import { unpackSource } from "./unpack.js";

export interface BuildContext {
  store: Store;
  python: Interpreter;
  events?: Events;
  sandbox: SandboxKind;
  sourceDateEpoch?: number;
  /** Variable names passed from the caller's environment into builds (`build-pass-env`). */
  passEnv?: readonly string[];
  /** The local file (a store path) of a fetched file source, by sha256. */
  localFile(sha256: string): string;
  /** Whether the package set has `name` (a backend's extra requirement could then be added). */
  hasPackage(name: string): boolean;
  /** Remembers build-time requirements for the next plan. */
  discovery?: BuildSystemDiscovery;
}

export interface Builder {
  readonly name: string;
  supports(drv: Derivation, recipe: Recipe): boolean;
  /**
   * Writes the derivation's output at `tmpOut` (which does not exist yet); may hand realise
   * the bytes it wrote, or seal the output itself as `seal` says (see `BuiltOutput`).
   */
  build(ctx: BuildContext, drv: Derivation, recipe: Recipe, tmpOut: string, seal: Pick<SealOptions, "fsync">): Promise<void | BuiltOutput>;
}

const wheelBuilder: Builder = {
  name: "install-wheel",
  supports: (drv, recipe) => drv.builder === "install-wheel" && recipe.source.kind === "wheel",
  async build(ctx, drv, recipe, tmpOut, seal) {
    if (recipe.source.kind !== "wheel") throw new Error("unreachable");
    const file = recipe.source.file;
    assertWheelFits(file.filename, ctx.python, drv.name, "the lock's wheel");
    // In a worker thread, sealed there (installWheel reports the `install` event itself).
    const { nar } = await installWheelSealed(
      ctx.localFile(file.sha256),
      tmpOut,
      {
        interpreter: ctx.python,
        filename: file.filename,
        verifyRecord: recipe.verifyRecord ?? true,
        compileBytecode: !hasLazyBytecode(drv),
        finalPrefix: ctx.store.toRealPath(drv.path),
        ...(ctx.events !== undefined ? { events: ctx.events } : {}),
      },
      seal.fsync,
    );
    return { sealed: nar };
  },
};

const sourceBuilder: Builder = {
  name: "build-wheel",
  supports: (drv, recipe) => drv.builder === "build-wheel" && (recipe.source.kind === "sdist" || recipe.source.kind === "tree"),
  build: (ctx, drv, recipe, tmpOut) => buildWithBackend(ctx, drv, recipe, tmpOut, false),
};

const editableBuilder: Builder = {
  name: "build-editable",
  supports: (drv, recipe) => drv.builder === "build-editable" && recipe.source.kind === "editable",
  build: (ctx, drv, recipe, tmpOut) => buildWithBackend(ctx, drv, recipe, tmpOut, true),
};

const prebuiltBuilder: Builder = {
  name: "adopt-prebuilt",
  supports: (drv, recipe) => drv.builder === "adopt-prebuilt" && recipe.source.kind === "prebuilt",
  async build(ctx, drv, recipe, tmpOut) {
    if (recipe.source.kind !== "prebuilt") throw new Error("unreachable");
    const { files } = adoptPrebuilt(recipe.source.sitePackages, recipe.source.distInfo, tmpOut, ctx.python, recipe.name);
    ctx.events?.emit({ type: "install", name: drv.name, version: drv.version, storePath: drv.path, files });
  },
};

export const BUILDERS: readonly Builder[] = [wheelBuilder, sourceBuilder, editableBuilder, prebuiltBuilder];

export function builderFor(drv: Derivation, recipe: Recipe): Builder {
  const builder = BUILDERS.find((b) => b.supports(drv, recipe));
  if (builder === undefined) throw new Error(`no builder for ${drv.name} (${drv.builder}, ${recipe.source.kind} source)`);
  return builder;
}

/**
 * PEP 517 (or 660 when `editable`): unpack (editables build in place), ask the backend for
 * extra requirements, build the wheel, install it into `tmpOut`. The log is kept either way.
 */
async function buildWithBackend(ctx: BuildContext, drv: Derivation, recipe: Recipe, tmpOut: string, editable: boolean): Promise<void> {
  const buildEnv = drv.inputs[0];
  if (buildEnv === undefined) throw new Error(`${drv.name}: a source build has no build environment input`);
  const logFile = ctx.store.logFile(drv.path);
  const log = new BuildLog(logFile);
  const work = mkdtempSync(join(tmpdir(), `ww-build-${drv.name}-`));
  const started = performance.now();
  ctx.events?.emit({ type: "build-start", name: drv.name, version: drv.version, storePath: drv.path, kind: drv.builder });
  let ok = false;
  try {
    log.note(`building ${drv.name} ${drv.version} (${drv.builder}) for ${ctx.store.toRealPath(drv.path)}`);
    const source = recipe.source;
    let root: string;
    if (source.kind === "editable") root = source.path;
    else {
      const file = source.kind === "sdist" ? source.file.sha256 : source.kind === "tree" && source.tree.type === "archive" ? source.tree.file.sha256 : undefined;
      root = await unpackSource({ source, dest: join(work, "src"), package: drv.name, ...(file !== undefined ? { file: ctx.localFile(file) } : {}) });
    }
    log.note(`source tree: ${root}`);
    for (const patch of recipe.patches ?? []) {
      if (source.kind === "editable") throw new Error("unreachable: patches on an editable are rejected when the plan is made");
      const changed = applyPatchFile(root, patch, { package: drv.name });
      log.note(`applied ${patch}: ${changed.join(", ")}`);
    }
    const declared = readBuildSystem(root);
    const scratch = join(work, "scratch");
    for (const dir of ["home", "tmp", "hooks"]) mkdirSync(join(scratch, dir), { recursive: true });
    const envPath = ctx.store.toRealPath(buildEnv.path);
    const env = buildEnvironment({ buildEnv: envPath, scratch, sourceDir: root, ...(ctx.sourceDateEpoch !== undefined ? { sourceDateEpoch: ctx.sourceDateEpoch } : {}), ...(recipe.env !== undefined ? { extra: recipe.env } : {}), ...(ctx.passEnv !== undefined ? { passEnv: ctx.passEnv } : {}) });
    const call = (hook: HookCall["hook"], args: HookCall["args"] = {}) =>
      runHook({
        python: join(envPath, "bin", "python"),
        cwd: root,
        backend: declared.backend,
        backendPath: declared.backendPath,
        hook,
        args,
        configSettings: recipe.configSettings ?? {},
        env,
        sandbox: ctx.sandbox,
        log,
        scratch: join(scratch, "hooks"),
        package: drv.name,
        ...(ctx.events !== undefined ? { onLine: (line: string) => ctx.events!.emit({ type: "build-log", name: drv.name, line }) } : {}),
      });

    const requires = await call(editable ? "get_requires_for_build_editable" : "get_requires_for_build_wheel");
    checkDynamicRequirements(ctx, drv, recipe, buildEnv, requires.result, editable);
    const wheelDir = join(work, "wheel");
    mkdirSync(wheelDir);
    const built = await call(editable ? "build_editable" : "build_wheel", { wheel_directory: wheelDir, metadata_directory: null });
    const filename = typeof built.result === "string" ? built.result : readdirSync(wheelDir).find((f) => f.endsWith(".whl"));
    if (filename === undefined) throw new HookFailure("no-wheel", "the backend reported success but wrote no wheel", 0);
    log.note(`built ${filename}; installing`);
    assertWheelFits(filename, ctx.python, drv.name, "the wheel its backend built");
    const result = await installWheel(join(wheelDir, filename), tmpOut, {
      interpreter: ctx.python,
      filename,
      verifyRecord: recipe.verifyRecord ?? true,
      compileBytecode: !hasLazyBytecode(drv),
      finalPrefix: ctx.store.toRealPath(drv.path),
      ...(ctx.events !== undefined ? { events: ctx.events } : {}),
    });
    log.note(`installed ${result.files} files`);
    ok = true;
  } catch (error) {
    log.note(`FAILED: ${(error as Error).message}`);
    throw buildFailure(drv, error, logFile);
  } finally {
    log.close();
    removeTree(work);
    ctx.events?.emit({ type: "build-end", name: drv.name, storePath: drv.path, ok, seconds: (performance.now() - started) / 1000 });
  }
}

/** Requirements the backend returned that the build env lacks: remember and replan, or say how to add them. */
function checkDynamicRequirements(ctx: BuildContext, drv: Derivation, recipe: Recipe, buildEnv: Derivation, result: unknown, editable: boolean): void {
  if (!Array.isArray(result)) return;
  const present = new Set(buildEnv.inputs.map((d) => normalizeName(d.name)));
  const missing: string[] = [];
  for (const text of result) {
    if (typeof text !== "string") continue;
    const req = parseRequirement(text, { package: drv.name });
    if (req.marker !== null && !evaluateMarker(req.marker, { ...ctx.python.markerEnvironment, extra: "" })) continue;
    if (!present.has(normalizeName(req.name))) missing.push(text);
  }
  if (missing.length === 0) return;
  const hook = editable ? "get_requires_for_build_editable" : "get_requires_for_build_wheel";
  const absent = missing.find((text) => !ctx.hasPackage(normalizeName(parseRequirement(text).name)));
  if (absent !== undefined || ctx.discovery === undefined) throw buildSystemMissing(drv.name, drv.version, absent ?? missing[0]!, `its backend asks for it in ${hook}`);
  ctx.discovery.addDynamic(recipe, missing);
  throw new WheelwrightError("ERR_WW_BUILD_SYSTEM_MISSING", `${drv.name} ${drv.version}: its backend also needs ${missing.join(", ")} (${hook}); planning again with them`, {
    package: drv.name,
    hint: `to declare it up front: [tool.wheelwright.packages.${drv.name}] build-system-add = ${JSON.stringify(missing)}`,
    details: { replan: true, requirements: missing },
  });
}

function buildFailure(drv: Derivation, error: unknown, logFile: string): unknown {
  if (error instanceof WheelwrightError && error.code !== "ERR_WW_BUILD_FAILED") return error;
  const reason = error instanceof HookFailure ? error.message : (error as Error).message;
  const tail = logTail(logFile, 20);
  const quoted = tail === "" ? "" : `\n  last lines of the build log:\n${tail.split("\n").map((l) => `    | ${l}`).join("\n")}`;
  return new WheelwrightError("ERR_WW_BUILD_FAILED", `building ${drv.name} ${drv.version} failed: ${reason}${quoted}`, {
    package: drv.name,
    hint: `see the whole log: wheelwright log ${drv.name}  (${logFile})`,
    cause: error,
    details: { log: logFile, tail },
  });
}

const rankers = new WeakMap<Interpreter, TagRanker>();

/**
 * ERR_WW_WHEEL_INCOMPATIBLE unless one of the wheel's tags is supported by the interpreter the
 * environment is for. Lock wheels were chosen by tags already; a backend can still build for
 * another interpreter (a hard-coded `--python-tag`, a cross-compiling setting).
 */
function assertWheelFits(filename: string, python: Interpreter, pkg: string, what: string): void {
  let ranker = rankers.get(python);
  if (ranker === undefined) rankers.set(python, (ranker = tagRanker(supportedTags(python))));
  const wheel = parseWheelFilename(filename);
  if (ranker.bestRank(wheel.tags) !== undefined) return;
  throw new WheelwrightError("ERR_WW_WHEEL_INCOMPATIBLE", `${what}, ${filename}, does not fit ${python.implementation} ${python.version} on ${python.platform} (${python.executable}) (its tags: ${wheel.tags.map(formatTag).join(", ")})`, {
    package: pkg,
    hint: "build for this interpreter (check the package's build settings or config settings for a fixed Python tag), or choose the interpreter the wheel is for with --python",
  });
}
