/**
 * What wheelwright knows about an interpreter. Produced by the probe (python/probe.py run by
 * the interpreter itself), cached, and passed to tags, markers, the installer and derivations.
 */

/** PEP 508 marker environment, exactly the keys `packaging.markers.default_environment()` has. */
export interface MarkerEnvironment {
  implementation_name: string;
  implementation_version: string;
  os_name: string;
  platform_machine: string;
  platform_release: string;
  platform_system: string;
  platform_version: string;
  python_full_version: string;
  platform_python_implementation: string;
  python_version: string;
  sys_platform: string;
}

/** sysconfig install paths of a scheme, relative to nothing (absolute as reported). */
export interface SchemePaths {
  stdlib: string;
  platstdlib: string;
  purelib: string;
  platlib: string;
  include: string;
  platinclude?: string;
  scripts: string;
  data: string;
}

export interface Interpreter {
  /** The path the interpreter was found at (may be a shim or symlink). */
  executable: string;
  /** `sys.executable` realpath'ed: the binary that actually runs. */
  realpath: string;
  /** `sys.implementation.name`, e.g. "cpython", "pypy". */
  implementation: string;
  /** `platform.python_version()`, e.g. "3.11.7". */
  version: string;
  /** [major, minor, micro] */
  versionTuple: [number, number, number];
  /** `sys.abiflags` ("" on 3.8+ CPython except debug/free-threaded builds). */
  abiflags: string;
  /** `sysconfig.get_config_var("SOABI")`, e.g. "cpython-311-x86_64-linux-gnu"; null if unknown. */
  soabi: string | null;
  /** `sysconfig.get_config_var("EXT_SUFFIX")`. */
  extSuffix: string | null;
  /** `sysconfig.get_platform()`, e.g. "linux-x86_64". */
  platform: string;
  /** True when `Py_GIL_DISABLED` (free-threaded build, PEP 703). */
  freeThreaded: boolean;
  /** Pointer size in bits (from `struct.calcsize("P") * 8`). */
  pointerBits: number;
  /** glibc version [major, minor] when linked against glibc, else null. */
  glibc: [number, number] | null;
  /** musl version [major, minor] when linked against musl, else null. */
  musl: [number, number] | null;
  /** `sys.prefix` and `sys.base_prefix` of the interpreter itself. */
  prefix: string;
  basePrefix: string;
  /** The interpreter's own posix_prefix scheme paths (for reference; installs use a prefix layout). */
  paths: SchemePaths;
  markerEnvironment: MarkerEnvironment;
  /**
   * Raw facts `packaging.tags` reads beyond the fields above, filled by the probe. Optional so
   * hand-made interpreters (tests, cross targets) can omit it: tags then derive the ABI from
   * `abiflags` and use no platform overrides.
   */
  tagFacts?: TagFacts;
}

/** ELF header facts of `sys.executable` (Linux), as packaging's `_elffile` reads them. */
export interface ElfFacts {
  bits: 32 | 64;
  littleEndian: boolean;
  /** `e_machine`: 3 = i386, 40 = ARM, 62 = x86-64, 183 = AArch64. */
  machine: number;
  /** `e_flags` (ARM float ABI lives here). */
  flags: number;
  /** PT_INTERP: the dynamic loader path, or null for static binaries. */
  interpreter: string | null;
}

export interface TagFacts {
  /** `sysconfig.get_config_var("py_version_nodot")`, e.g. "311"; null when unset. */
  pyVersionNodot: string | null;
  /** Debug build (`Py_DEBUG`, else `sys.gettotalrefcount` or a `_d.pyd` suffix): the "d" ABI flag. */
  debug: boolean;
  /** pymalloc (`WITH_PYMALLOC`, or unset): the "m" ABI flag before 3.8. */
  pymalloc: boolean;
  /** Wide unicode (`Py_UNICODE_SIZE == 4`, or unset and maxunicode 0x10FFFF): "u" before 3.3. */
  ucs4: boolean;
  /** `importlib.machinery.EXTENSION_SUFFIXES`. */
  extensionSuffixes: string[];
  elf: ElfFacts | null;
  /**
   * Verdicts of a distro's `_manylinux` module keyed "major_minor_arch" (PEP 600); null when
   * the module does not exist (then every glibc-compatible version is allowed).
   */
  manylinuxOverrides: Record<string, boolean> | null;
  /** macOS version (after undoing the 10.16 compatibility shim) and `platform.mac_ver()` arch. */
  macos: { version: [number, number]; arch: string } | null;
  /** iOS version and `sys.implementation._multiarch`. */
  ios: { version: [number, number]; multiarch: string } | null;
  /** Android API level. */
  android: { apiLevel: number } | null;
  /** `PYEMSCRIPTEN_PLATFORM_VERSION` for Pyodide-style builds. */
  emscriptenPlatformVersion: string | null;
}
