/**
 * Linux platform tags: manylinux (PEP 600, with the manylinux1/2010/2014 aliases of PEP
 * 513/571/599 right after their glibc versions), musllinux (PEP 656), then linux_<arch>.
 * Mirrors packaging's `_linux_platforms`, `_manylinux.platform_tags`, `_musllinux.platform_tags`.
 */
import type { ElfFacts, Interpreter } from "../python/types.js";
import { normalizePlatform } from "./tag-set.js";

const MANYLINUX_ARCHS = new Set(["x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64"]);
const LEGACY_MANYLINUX: Record<string, string> = { "2_17": "manylinux2014", "2_12": "manylinux2010", "2_5": "manylinux1" };
/** packaging's guess of the last minor of a glibc major that has been superseded. */
const LAST_GLIBC_MINOR = 50;
const EM_386 = 3;
const EM_ARM = 40;
const EF_ARM_ABIMASK = 0xff000000;
const EF_ARM_ABI_VER5 = 0x05000000;
const EF_ARM_ABI_FLOAT_HARD = 0x00000400;

export interface ManylinuxOptions {
  /** The executable's ELF header; needed to vouch for armv7l (hard-float) and i686. `undefined` = unknown, assume yes. */
  elf?: ElfFacts | null;
  /** A distro `_manylinux` module's verdicts keyed "major_minor_arch". */
  overrides?: Record<string, boolean> | null;
}

function hasCompatibleAbi(archs: readonly string[], elf: ElfFacts | null | undefined): boolean {
  if (archs.includes("armv7l")) {
    if (elf === undefined) return true;
    return (
      elf !== null &&
      elf.bits === 32 &&
      elf.littleEndian &&
      elf.machine === EM_ARM &&
      (elf.flags & EF_ARM_ABIMASK) >>> 0 === EF_ARM_ABI_VER5 &&
      (elf.flags & EF_ARM_ABI_FLOAT_HARD) === EF_ARM_ABI_FLOAT_HARD
    );
  }
  if (archs.includes("i686")) {
    if (elf === undefined) return true;
    return elf !== null && elf.bits === 32 && elf.littleEndian && elf.machine === EM_386;
  }
  return archs.some((arch) => MANYLINUX_ARCHS.has(arch));
}

/**
 * manylinux platforms for a glibc version, newest first: every glibc from the current one down
 * to 2.17 (2.5 on x86/i686), across major versions, each followed by its legacy alias.
 */
export function manylinuxPlatforms(archs: readonly string[], glibc: readonly [number, number] | null, options: ManylinuxOptions = {}): string[] {
  if (!hasCompatibleAbi(archs, options.elf)) return [];
  const [currentMajor, currentMinor] = glibc ?? [-1, -1];
  const oldest: [number, number] = archs.some((a) => a === "x86_64" || a === "i686") ? [2, 4] : [2, 16];
  const maxima: Array<[number, number]> = [[currentMajor, currentMinor]];
  for (let major = currentMajor - 1; major > 1; major--) maxima.push([major, LAST_GLIBC_MINOR]);
  const compatible = (major: number, minor: number, arch: string): boolean => {
    if (currentMajor < major || (currentMajor === major && currentMinor < minor)) return false;
    const verdict = options.overrides?.[`${major}_${minor}_${arch}`];
    return verdict ?? true;
  };
  const out: string[] = [];
  for (const arch of archs) {
    for (const [major, maxMinor] of maxima) {
      const minMinor = major === oldest[0] ? oldest[1] : -1;
      for (let minor = maxMinor; minor > minMinor; minor--) {
        if (!compatible(major, minor, arch)) continue;
        out.push(`manylinux_${major}_${minor}_${arch}`);
        const legacy = LEGACY_MANYLINUX[`${major}_${minor}`];
        if (legacy !== undefined) out.push(`${legacy}_${arch}`);
      }
    }
  }
  return out;
}

/** musllinux platforms: musllinux_<major>_<minor>_<arch> from the running minor down to 0. */
export function musllinuxPlatforms(archs: readonly string[], musl: readonly [number, number] | null): string[] {
  if (musl === null) return [];
  const out: string[] = [];
  for (const arch of archs) for (let minor = musl[1]; minor >= 0; minor--) out.push(`musllinux_${musl[0]}_${minor}_${arch}`);
  return out;
}

/** packaging's `_linux_platforms` for a probed Linux interpreter. */
export function linuxPlatforms(interpreter: Interpreter): string[] {
  let linux = normalizePlatform(interpreter.platform);
  if (!linux.startsWith("linux_")) return [linux];
  if (interpreter.pointerBits === 32) {
    if (linux === "linux_x86_64") linux = "linux_i686";
    else if (linux === "linux_aarch64") linux = "linux_armv8l";
  }
  const arch = linux.slice("linux_".length);
  const archs = arch === "armv8l" ? ["armv8l", "armv7l"] : [arch];
  const facts = interpreter.tagFacts;
  const options: ManylinuxOptions = facts ? { elf: facts.elf, overrides: facts.manylinuxOverrides } : {};
  return [
    ...manylinuxPlatforms(archs, interpreter.glibc, options),
    ...musllinuxPlatforms(archs, interpreter.musl),
    ...archs.map((a) => `linux_${a}`),
  ];
}
