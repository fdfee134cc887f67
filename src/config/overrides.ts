/**
 * `[tool.wheelwright.packages.<name>]` tables as an overlay over the lock's package set:
 * source preference, extra runtime dependencies, build-system replace/add/drop, PEP 517
 * config settings, build environment variables, and the RECORD check switch.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { WheelwrightError } from "../errors.js";
import { compare } from "../pep/pep440.js";
import { normalizeName } from "../pep/names.js";
import { evaluateMarker, parseRequirement } from "../pep/pep508.js";
import type { Tag } from "../pep/tags.js";
import type { MarkerEnvironment } from "../python/types.js";
import { chooseSource, type SourcePrefs } from "../scope/choose-source.js";
import type { Overlay } from "../scope/package-set.js";
import type { Source } from "../scope/source.js";
import { mergeSpecs, type DepSpec, type RecipeAttrs } from "../scope/recipe.js";
import { closestNames } from "../util/suggest.js";
import type { PackageSettings } from "./load.js";

export interface OverridesContext {
  environment: MarkerEnvironment;
  tags: readonly Tag[];
  prefs: SourcePrefs;
  file?: string;
}

export function overridesOverlay(packages: Record<string, PackageSettings>, ctx: OverridesContext): Overlay {
  return (_final, prev) => {
    const out: Record<string, () => ReturnType<NonNullable<typeof prev[string]>["override"]>> = {};
    for (const [rawName, settings] of Object.entries(packages)) {
      const name = normalizeName(rawName);
      out[name] = () => {
        const recipe = prev[name];
        if (recipe === undefined) {
          const near = closestNames(name, Object.keys(prev));
          throw new WheelwrightError("ERR_WW_CONFIG", `[tool.wheelwright.packages.${rawName}] overrides a package that is not in the lock`, {
            ...(ctx.file !== undefined ? { file: ctx.file } : {}),
            ...(ctx.file !== undefined && settings.line !== undefined ? { line: settings.line } : {}),
            package: name,
            hint: near.length > 0 ? `did you mean '${near[0]}'?` : "overrides change packages the lock provides; add the package to the lock first",
          });
        }
        const change: Partial<RecipeAttrs> = {};
        if (settings.prebuilt !== undefined) change.source = prebuiltSource(settings.prebuilt, recipe.name, recipe.version, { rawName, ...(ctx.file !== undefined ? { file: ctx.file } : {}), ...(settings.line !== undefined ? { line: settings.line } : {}) });
        if (settings.sourcePreference !== undefined && recipe.candidates !== undefined) {
          change.source = chooseSource(recipe, recipe.candidates, { ...ctx.prefs, preference: settings.sourcePreference }, ctx.tags);
        }
        if (settings.dependencies.length > 0) change.dependencies = mergeSpecs(recipe.dependencies, toSpec(settings.dependencies, ctx, rawName));
        if (settings.buildSystem !== undefined) change.buildSystem = toSpec(settings.buildSystem, ctx, rawName);
        if (settings.buildSystemAdd.length > 0) change.buildSystemAdd = toSpec(settings.buildSystemAdd, ctx, rawName);
        if (settings.buildSystemDrop.length > 0) change.buildSystemDrop = settings.buildSystemDrop.map(normalizeName);
        if (Object.keys(settings.configSettings).length > 0) change.configSettings = { ...recipe.configSettings, ...settings.configSettings };
        if (Object.keys(settings.env).length > 0) change.env = { ...recipe.env, ...settings.env };
        if (!settings.verifyRecord) change.verifyRecord = false;
        if (settings.patches.length > 0) {
          const source = change.source ?? recipe.source;
          if (source.kind !== "sdist" && source.kind !== "tree") {
            const what = { editable: "an editable (built in place from your working tree)", wheel: "installed from a wheel, not built from source", prebuilt: "adopted from an installed distribution, not built", virtual: "a virtual package with nothing to build" }[source.kind];
            throw new WheelwrightError("ERR_WW_CONFIG", `[tool.wheelwright.packages.${rawName}] patches can't be applied: ${name} is ${what}`, {
              ...(ctx.file !== undefined ? { file: ctx.file } : {}),
              ...(ctx.file !== undefined && settings.line !== undefined ? { line: settings.line } : {}),
              package: name,
              hint: source.kind === "editable" ? "change the working tree itself" : `build it from its sdist: source-preference = "sdist" in the same table`,
            });
          }
          change.patches = [...(recipe.patches ?? []), ...settings.patches];
        }
        return recipe.override(change);
      };
    }
    return out;
  };
}

/** PEP 508 strings → name/extras, dropping those whose marker is false here. */
function toSpec(requirements: string[], ctx: OverridesContext, pkg: string): DepSpec {
  const spec: DepSpec = {};
  for (const text of requirements) {
    const req = parseRequirement(text, { ...(ctx.file !== undefined ? { file: ctx.file } : {}), package: pkg });
    if (req.marker !== null && !evaluateMarker(req.marker, { ...ctx.environment })) continue;
    spec[normalizeName(req.name)] = req.extras.map(normalizeName);
  }
  return spec;
}

/** The installed distribution of `name` `version` in `sitePackages`, as a prebuilt source. */
function prebuiltSource(sitePackages: string, name: string, version: string, where: { rawName: string; file?: string; line?: number }): Source {
  const found: { distInfo: string; version: string }[] = [];
  for (const entry of readdirSync(sitePackages)) {
    const m = /^(.+)-([^-]+)\.dist-info$/.exec(entry);
    if (m !== null && normalizeName(m[1]!) === name) found.push({ distInfo: entry, version: m[2]! });
  }
  const error = (message: string, hint: string) =>
    new WheelwrightError("ERR_WW_CONFIG", `[tool.wheelwright.packages.${where.rawName}] prebuilt: ${message}`, {
      ...(where.file !== undefined ? { file: where.file } : {}),
      ...(where.file !== undefined && where.line !== undefined ? { line: where.line } : {}),
      package: name,
      hint,
    });
  if (found.length === 0) throw error(`${sitePackages} has no ${name} installed (no ${name}-*.dist-info)`, "give the site-packages directory where it is installed (python -c 'import foo; print(foo.__file__)' shows it)");
  const match = found.find((f) => {
    try {
      return compare(f.version, version) === 0;
    } catch {
      return false;
    }
  });
  if (match === undefined) throw error(`${sitePackages} has ${name} ${found.map((f) => f.version).join(", ")}, the lock pins ${version}`, "adopt the version the lock pins: install it there, or relock to the installed version");
  if (!existsSync(join(sitePackages, match.distInfo, "RECORD"))) throw error(`${join(sitePackages, match.distInfo)} has no RECORD, so its files are unknown`, "only distributions installed from wheels (pip, uv, installer) have a RECORD; Debian's dist-packages don't");
  return { kind: "prebuilt", sitePackages, distInfo: match.distInfo };
}
