/**
 * A lazy package set built from overlays, the way pyproject.nix's scope works:
 * `packages({python}).overrideScope((final, prev) => ({...}))`.
 *
 * Each overlay returns an object of name → value where a value is a `Recipe`, a zero-argument
 * thunk returning one (evaluated on first use, so it may read `final` freely), or `null` to
 * remove the package. `prev` is the set before this overlay; `final` is the set after all of
 * them. Overlays run at most once each, on first demand.
 */
import { WheelwrightError } from "../errors.js";
import { normalizeName } from "../pep/names.js";
import type { Interpreter } from "../python/types.js";
import { resolveBuildSystem, type BuildSystemResolver } from "../resolve/build-system.js";
import { resolveVirtualEnv } from "../resolve/virtual-env.js";
import { closestNames } from "../util/suggest.js";
import type { DepSpec, Recipe } from "./recipe.js";

export type OverlayValue = Recipe | (() => Recipe) | null;
export type PackageView = Readonly<Record<string, Recipe>>;
export type Overlay = (final: PackageView, prev: PackageView) => Record<string, OverlayValue>;

const REMOVED = Symbol("removed");
type Slot = Recipe | typeof REMOVED;

export class PackageSet {
  /** The final view: `set.pkgs.flask`. Unknown names read as undefined. */
  readonly pkgs: PackageView;
  private readonly results: (Map<string, OverlayValue> | undefined)[];
  private readonly forced: Map<string, Slot>[];
  private readonly running = new Set<number>();
  private nameCache: string[] | undefined;
  private buildSystemResolver: BuildSystemResolver | undefined;

  constructor(
    readonly python: Interpreter | undefined,
    private readonly overlays: readonly Overlay[],
  ) {
    this.results = overlays.map(() => undefined);
    this.forced = overlays.map(() => new Map());
    this.pkgs = this.view(overlays.length);
  }

  /** A new set with `overlay` applied on top of this one's overlays. */
  overrideScope(overlay: Overlay): PackageSet {
    return new PackageSet(this.python, [...this.overlays, overlay]);
  }

  has(name: string): boolean {
    return this.lookup(this.overlays.length, normalizeName(name)) !== undefined;
  }

  /** The recipe for `name`, or ERR_WW_UNKNOWN_PACKAGE naming who asked and near misses. */
  get(name: string, requestedBy?: string): Recipe {
    const recipe = this.lookup(this.overlays.length, normalizeName(name));
    if (recipe !== undefined) return recipe;
    const near = closestNames(normalizeName(name), this.names());
    throw new WheelwrightError("ERR_WW_UNKNOWN_PACKAGE", `package '${name}'${requestedBy ? ` (required by ${requestedBy})` : ""} is not in the package set`, {
      package: requestedBy ?? name,
      hint: near.length > 0 ? `did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "add it to the lock file, or declare it in [tool.wheelwright.packages] in pyproject.toml",
    });
  }

  /** Every package name in the final set, sorted. */
  names(): string[] {
    if (this.nameCache !== undefined) return this.nameCache;
    const names = new Set<string>();
    for (let layer = 1; layer <= this.overlays.length; layer++) {
      for (const [name, value] of this.result(layer)) {
        if (value === null) names.delete(name);
        else names.add(name);
      }
    }
    this.nameCache = [...names].sort();
    return this.nameCache;
  }

  /** The flat build-system closure of `spec` (memoized per set; a cycle is an error). */
  resolveBuildSystem(spec: DepSpec): Recipe[] {
    this.buildSystemResolver ??= resolveBuildSystem((name, by) => this.get(name, by));
    return this.buildSystemResolver(spec);
  }

  /** The runtime closure of `spec` over `name`/`name@extra` keys (cycles are fine). */
  resolveVirtualEnv(spec: DepSpec): Recipe[] {
    return resolveVirtualEnv(spec, (name, by) => this.get(name, by));
  }

  private view(layer: number): PackageView {
    return new Proxy({} as Record<string, Recipe>, {
      get: (_t, key) => (typeof key === "string" ? this.lookup(layer, normalizeName(key)) : undefined),
      has: (_t, key) => typeof key === "string" && this.lookup(layer, normalizeName(key)) !== undefined,
      ownKeys: () => this.namesUpTo(layer),
      getOwnPropertyDescriptor: (_t, key) => {
        if (typeof key !== "string") return undefined;
        const value = this.lookup(layer, normalizeName(key));
        return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
      },
    });
  }

  private namesUpTo(layer: number): string[] {
    if (layer === this.overlays.length) return this.names();
    const names = new Set<string>();
    for (let i = 1; i <= layer; i++) for (const [name, v] of this.result(i)) v === null ? names.delete(name) : names.add(name);
    return [...names].sort();
  }

  private result(layer: number): Map<string, OverlayValue> {
    const index = layer - 1;
    const cached = this.results[index];
    if (cached !== undefined) return cached;
    if (this.running.has(index)) {
      throw new Error(`overlay ${layer} read its own output through 'final' while running; wrap that value in a thunk: name: () => final.x...`);
    }
    this.running.add(index);
    try {
      const overlay = this.overlays[index]!;
      const raw = overlay(this.pkgs, this.view(layer - 1));
      const normalized = new Map<string, OverlayValue>();
      for (const [name, value] of Object.entries(raw)) normalized.set(normalizeName(name), value);
      this.results[index] = normalized;
      return normalized;
    } finally {
      this.running.delete(index);
    }
  }

  private lookup(layer: number, name: string): Recipe | undefined {
    for (let current = layer; current >= 1; current--) {
      const result = this.result(current);
      if (!result.has(name)) continue;
      const forced = this.forced[current - 1]!;
      let slot = forced.get(name);
      if (slot === undefined) {
        const value = result.get(name)!;
        slot = value === null ? REMOVED : typeof value === "function" ? value() : value;
        forced.set(name, slot);
      }
      return slot === REMOVED ? undefined : slot;
    }
    return undefined;
  }
}

/** An empty package set for `python`: packages arrive through overlays. */
export function packages(options: { python?: Interpreter } = {}): PackageSet {
  return new PackageSet(options.python, []);
}
