/**
 * macOS, iOS and Android platform tags, mirroring packaging's `mac_platforms`,
 * `ios_platforms` and `android_platforms`. (Android sits here because, like iOS, its tags are
 * a descending version ladder; the file is about "versioned OS platforms".)
 */
import type { Interpreter } from "../python/types.js";
import { normalizePlatform } from "./tag-set.js";

type AppleVersion = readonly [number, number];

function before(a: AppleVersion, b: AppleVersion): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

function macBinaryFormats(version: AppleVersion, cpuArch: string): string[] {
  const formats = [cpuArch];
  if (cpuArch === "x86_64") {
    if (before(version, [10, 4])) return [];
    formats.push("intel", "fat64", "fat32");
  } else if (cpuArch === "i386") {
    if (before(version, [10, 4])) return [];
    formats.push("intel", "fat32", "fat");
  } else if (cpuArch === "ppc64") {
    if (before([10, 5], version) || before(version, [10, 4])) return [];
    formats.push("fat64");
  } else if (cpuArch === "ppc") {
    if (before([10, 6], version)) return [];
    formats.push("fat32", "fat");
  }
  if (cpuArch === "arm64" || cpuArch === "x86_64") formats.push("universal2");
  if (["x86_64", "i386", "ppc64", "ppc", "intel"].includes(cpuArch)) formats.push("universal");
  return formats;
}

/** packaging's `_mac_arch`: a 32-bit interpreter on a 64-bit CPU uses the 32-bit arch. */
export function macArch(arch: string, is32bit: boolean): string {
  if (!is32bit) return arch;
  return arch.startsWith("ppc") ? "ppc" : "i386";
}

/** macOS platform tags for an OS version and arch, best first. */
export function macPlatforms(version: AppleVersion, arch: string): string[] {
  const out: string[] = [];
  const emit = (major: number, minor: number, formats: string[]): void => {
    for (const format of formats) out.push(`macosx_${major}_${minor}_${format}`);
  };
  if (!before(version, [10, 0]) && before(version, [11, 0])) {
    // Before macOS 11 the yearly release bumped the minor version.
    for (let minor = version[1]; minor >= 0; minor--) emit(10, minor, macBinaryFormats([10, minor], arch));
  }
  if (!before(version, [11, 0])) {
    for (let major = version[0]; major > 10; major--) emit(major, 0, macBinaryFormats([major, 0], arch));
    // x86_64 runs binaries built for 10.x; arm64 only universal2 ones (which may target 10.x).
    for (let minor = 16; minor > 3; minor--) {
      emit(10, minor, arch === "x86_64" ? macBinaryFormats([10, minor], arch) : ["universal2"]);
    }
  }
  return out;
}

/** iOS platform tags: the requested X.Y, older minors of X, then every X'.9..0 down to 12. */
export function iosPlatforms(version: AppleVersion, multiarch: string): string[] {
  const arch = multiarch.replace(/-/g, "_");
  if (version[0] < 12) return [];
  const out = [`ios_${version[0]}_${version[1]}_${arch}`];
  for (let minor = version[1] - 1; minor >= 0; minor--) out.push(`ios_${version[0]}_${minor}_${arch}`);
  for (let major = version[0] - 1; major > 11; major--) {
    for (let minor = 9; minor >= 0; minor--) out.push(`ios_${major}_${minor}_${arch}`);
  }
  return out;
}

/** Android platform tags from an API level down to 16 (the oldest CPython runs on). */
export function androidPlatforms(apiLevel: number, abi: string): string[] {
  const normalized = normalizePlatform(abi);
  const out: string[] = [];
  for (let level = apiLevel; level >= 16; level--) out.push(`android_${level}_${normalized}`);
  return out;
}

/** Platform tags of a probed Darwin / iOS / Android interpreter. */
export function applePlatforms(interpreter: Interpreter, system: "Darwin" | "iOS" | "Android"): string[] {
  const facts = interpreter.tagFacts;
  if (system === "Darwin") {
    // Without probe facts, fall back to sysconfig's "macosx-<target>-<arch>" (the build target).
    const [, target = "0.0", arch = interpreter.markerEnvironment.platform_machine] = interpreter.platform.split("-");
    const [major = 0, minor = 0] = target.split(".").map(Number);
    const version: AppleVersion = facts?.macos?.version ?? [major, minor];
    const cpuArch = facts?.macos?.arch ?? arch;
    return macPlatforms(version, macArch(cpuArch, interpreter.pointerBits === 32));
  }
  if (system === "iOS") {
    if (!facts?.ios) return [normalizePlatform(interpreter.platform)];
    return iosPlatforms(facts.ios.version, facts.ios.multiarch);
  }
  if (!facts?.android) return [normalizePlatform(interpreter.platform)];
  return androidPlatforms(facts.android.apiLevel, interpreter.platform.split("-").pop() ?? "");
}
