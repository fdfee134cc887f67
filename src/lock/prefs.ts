import { normalizeName } from "../pep/names.js";
import type { SourcePrefs } from "../scope/choose-source.js";
import type { LockOptions } from "./types.js";

/** Source preferences for one package: its own setting, else the global ones. */
export function sourcePrefsFor(name: string, options: LockOptions): SourcePrefs {
  const listed = (setting: boolean | string[] | undefined) => setting === true || (Array.isArray(setting) && setting.map(normalizeName).includes(name));
  const own = options.packageSourcePreference?.[name];
  return { preference: own ?? options.sourcePreference ?? "wheel", noBuild: listed(options.noBuild), noBinary: listed(options.noBinary) };
}
