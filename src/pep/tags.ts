/**
 * Wheel compatibility tags (PEP 425), with manylinux (PEP 600 + the PEP 513/571/599 aliases),
 * musllinux (PEP 656), macOS, iOS and Android platform tags. `supportedTags` reproduces
 * `packaging.tags.sys_tags()` for a probed interpreter, in the same order (best first): the
 * conformance vectors pin it against packaging itself.
 */
import type { Interpreter } from "../python/types.js";
import { normalizePlatform, type Tag } from "./tag-set.js";
import { linuxPlatforms } from "./tags-linux.js";
import { applePlatforms } from "./tags-apple.js";

export type { Tag, TagRanker } from "./tag-set.js";
export { formatTag, parseTagSet, isTagSetSorted, normalizePlatform, tagRanker, isTagRanker } from "./tag-set.js";
export { bestWheel, rankWheels, type RankedWheel } from "./best-wheel.js";
export { manylinuxPlatforms, musllinuxPlatforms, linuxPlatforms } from "./tags-linux.js";
export { macPlatforms, iosPlatforms, androidPlatforms } from "./tags-apple.js";

const INTERPRETER_SHORT_NAMES: Record<string, string> = {
  python: "py",
  cpython: "cp",
  pypy: "pp",
  ironpython: "ip",
  jython: "jy",
};

function nodot(version: readonly number[]): string {
  return version.join("");
}

/** The short interpreter name ("cp", "pp", or the implementation name itself). */
export function interpreterName(interpreter: Interpreter): string {
  return INTERPRETER_SHORT_NAMES[interpreter.implementation] ?? interpreter.implementation;
}

/** `packaging.tags.interpreter_version`: sysconfig's py_version_nodot, else major+minor. */
export function interpreterVersion(interpreter: Interpreter): string {
  const fromConfig = interpreter.tagFacts?.pyVersionNodot;
  return fromConfig ? fromConfig : nodot(interpreter.versionTuple.slice(0, 2));
}

/** `packaging.tags._cpython_abis`: the specific CPython ABIs, most specific first. */
export function cpythonAbis(interpreter: Interpreter): string[] {
  const [major, minor] = interpreter.versionTuple;
  const facts = interpreter.tagFacts;
  const flags = interpreter.abiflags;
  const debug = facts ? facts.debug : flags.includes("d");
  const version = `${major}${minor}`;
  const atLeast = (a: number, b: number): boolean => major > a || (major === a && minor >= b);
  const threading = atLeast(3, 13) && interpreter.freeThreaded ? "t" : "";
  let pymalloc = "";
  let ucs4 = "";
  const abis: string[] = [];
  if (!atLeast(3, 8)) {
    if (facts ? facts.pymalloc : flags.includes("m")) pymalloc = "m";
    if (!atLeast(3, 3) && (facts ? facts.ucs4 : flags.includes("u"))) ucs4 = "u";
  } else if (debug) {
    // Debug builds also load non-debug extension modules.
    abis.push(`cp${version}${threading}`);
  }
  abis.unshift(`cp${version}${threading}${debug ? "d" : ""}${pymalloc}${ucs4}`);
  return abis;
}

/** `packaging.tags._generic_abi`: the ABI of a non-CPython interpreter, from EXT_SUFFIX. */
export function genericAbis(interpreter: Interpreter): string[] {
  const suffix = interpreter.extSuffix;
  if (suffix === null || !suffix.startsWith(".")) return [];
  const parts = suffix.split(".");
  if (parts.length < 3) return cpythonAbis(interpreter); // ".pyd" on Windows before 3.8
  const soabi = parts[1] as string;
  let abi: string;
  if (soabi.startsWith("cpython")) abi = "cp" + (soabi.split("-")[1] ?? "");
  else if (soabi.startsWith("cp")) abi = soabi.split("-")[0] as string;
  else if (soabi.startsWith("pypy")) abi = soabi.split("-").slice(0, 2).join("-");
  else if (soabi.startsWith("graalpy")) abi = soabi.split("-").slice(0, 3).join("-");
  else if (soabi) abi = soabi;
  else return [];
  return [normalizePlatform(abi)];
}

/**
 * `packaging.tags.cpython_tags`: cpXY with its own ABIs, then abi3 (not on free-threaded
 * builds; abi3t there), then none, then abi3 of every older minor down to 3.2.
 */
export function cpythonTags(pythonVersion: readonly number[], abis: readonly string[], platforms: readonly string[]): Tag[] {
  const interpreter = `cp${nodot(pythonVersion.slice(0, 2))}`;
  const specific = abis.filter((abi) => abi !== "abi3" && abi !== "none");
  const tags: Tag[] = [];
  for (const abi of specific) for (const platform of platforms) tags.push({ interpreter, abi, platform });
  const threading = /^cp\d+(.*)$/.exec(specific[0] ?? "")?.[1]?.includes("t") ?? false;
  const [major = 0, minor = 0] = pythonVersion;
  const stableApplies = pythonVersion.length > 1 && (major > 3 || (major === 3 && minor >= 2));
  const useAbi3 = stableApplies && !threading;
  const useAbi3t = stableApplies && threading;
  if (useAbi3) for (const platform of platforms) tags.push({ interpreter, abi: "abi3", platform });
  if (useAbi3t) for (const platform of platforms) tags.push({ interpreter, abi: "abi3t", platform });
  for (const platform of platforms) tags.push({ interpreter, abi: "none", platform });
  if (useAbi3 || useAbi3t) {
    for (let older = minor - 1; older > 1; older--) {
      const olderInterpreter = `cp${major}${older}`;
      for (const platform of platforms) {
        if (useAbi3) tags.push({ interpreter: olderInterpreter, abi: "abi3", platform });
        if (useAbi3t) tags.push({ interpreter: olderInterpreter, abi: "abi3t", platform });
      }
    }
  }
  return tags;
}

/** `packaging.tags.generic_tags`: interpreter × (abis + none) × platforms. */
export function genericTags(interpreter: string, abis: readonly string[], platforms: readonly string[]): Tag[] {
  const all = abis.includes("none") ? [...abis] : [...abis, "none"];
  const tags: Tag[] = [];
  for (const abi of all) for (const platform of platforms) tags.push({ interpreter, abi, platform });
  return tags;
}

function pyInterpreterRange(pythonVersion: readonly number[]): string[] {
  const [major = 0, minor = 0] = pythonVersion;
  const out: string[] = [];
  if (pythonVersion.length > 1) out.push(`py${major}${minor}`);
  out.push(`py${major}`);
  if (pythonVersion.length > 1) for (let m = minor - 1; m >= 0; m--) out.push(`py${major}${m}`);
  return out;
}

/** `packaging.tags.compatible_tags`: pyXY-none-platform, interpreter-none-any, pyXY-none-any. */
export function compatibleTags(pythonVersion: readonly number[], interpreter: string | null, platforms: readonly string[]): Tag[] {
  const range = pyInterpreterRange(pythonVersion);
  const tags: Tag[] = [];
  for (const version of range) for (const platform of platforms) tags.push({ interpreter: version, abi: "none", platform });
  if (interpreter) tags.push({ interpreter, abi: "none", platform: "any" });
  for (const version of range) tags.push({ interpreter: version, abi: "none", platform: "any" });
  return tags;
}

/** `packaging.tags.platform_tags`: the platforms this interpreter can load, best first. */
export function platformTags(interpreter: Interpreter): string[] {
  const system = interpreter.markerEnvironment.platform_system;
  const generic = normalizePlatform(interpreter.platform);
  if (system === "Darwin" || system === "iOS" || system === "Android") return applePlatforms(interpreter, system);
  if (system === "Linux") return linuxPlatforms(interpreter);
  if (system === "Emscripten") {
    const version = interpreter.tagFacts?.emscriptenPlatformVersion;
    return version ? [`pyemscripten_${version}_wasm32`, generic] : [generic];
  }
  return [generic];
}

/** Every tag the interpreter supports, best first, exactly as `packaging.tags.sys_tags()`. */
export function supportedTags(interpreter: Interpreter): Tag[] {
  const name = interpreterName(interpreter);
  const pythonVersion = interpreter.versionTuple.slice(0, 2);
  const platforms = platformTags(interpreter);
  const tags =
    name === "cp"
      ? cpythonTags(pythonVersion, cpythonAbis(interpreter), platforms)
      : genericTags(`${name}${interpreterVersion(interpreter)}`, genericAbis(interpreter), platforms);
  const compatibleInterpreter = name === "pp" ? "pp3" : name === "cp" ? `cp${interpreterVersion(interpreter)}` : null;
  tags.push(...compatibleTags(pythonVersion, compatibleInterpreter, platforms));
  return tags;
}

