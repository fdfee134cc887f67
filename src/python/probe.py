# Prints one JSON object describing the interpreter running this file: everything wheelwright
# needs for tags, markers, installs and derivation identity. Run as `python -E -s -S probe.py`.
# Must run unchanged on Python 2.7 through 3.13+ (no f-strings, no subprocess.run) and start
# fast: it imports only what it reads, and spawns a process only on musl (to ask the loader).
# The field names are the TypeScript `Interpreter` type's (src/python/types.ts).
import json
import os
import platform
import struct
import sys


def venv_prefix():
    # `-S` skips site.venv(), which is what moves sys.prefix to a virtual environment. Redo its
    # lookup (pyvenv.cfg next to the executable or one level up) before sysconfig reads prefix.
    exe_dir = os.path.dirname(os.path.abspath(sys.executable))
    site_prefix = os.path.dirname(exe_dir)
    for d in (exe_dir, site_prefix):
        if os.path.isfile(os.path.join(d, "pyvenv.cfg")):
            return site_prefix
    return None


def full_version(info):
    version = "%d.%d.%d" % (info[0], info[1], info[2])
    if info[3] != "final":
        version += info[3][0] + str(info[4])
    return version


def marker_environment(impl_name):
    impl = getattr(sys, "implementation", None)
    return {
        "implementation_name": impl.name if impl else "",
        "implementation_version": full_version(impl.version) if impl else "0",
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def glibc_version():
    # Same order as packaging._manylinux: confstr, then ctypes' gnu_get_libc_version.
    version = None
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION").rsplit()[1]
    except (AttributeError, OSError, ValueError, IndexError):
        try:
            import ctypes

            fn = ctypes.CDLL(None).gnu_get_libc_version
            fn.restype = ctypes.c_char_p
            version = fn()
            if not isinstance(version, str):
                version = version.decode("ascii")
        except Exception:
            version = None
    if not version:
        return None
    import re

    m = re.match(r"([0-9]+)\.([0-9]+)", version)
    return [int(m.group(1)), int(m.group(2))] if m else None


def read_elf(path):
    # The ELF header fields packaging's _elffile reads: class, data, machine, flags, PT_INTERP.
    try:
        f = open(path, "rb")
    except (IOError, OSError):
        return None
    try:
        ident = f.read(16)
        if len(ident) < 16 or ident[:4] != b"\x7fELF":
            return None
        cls, data = bytearray(ident[4:6])
        fmts = {
            (1, 1): ("<HHIIIIIHHH", "<IIIIIIII", (0, 1, 4)),
            (1, 2): (">HHIIIIIHHH", ">IIIIIIII", (0, 1, 4)),
            (2, 1): ("<HHIQQQIHHH", "<IIQQQQQQ", (0, 2, 5)),
            (2, 2): (">HHIQQQIHHH", ">IIQQQQQQ", (0, 2, 5)),
        }.get((cls, data))
        if fmts is None:
            return None
        e_fmt, p_fmt, p_idx = fmts
        head = struct.unpack(e_fmt, f.read(struct.calcsize(e_fmt)))
        machine, phoff, flags, phentsize, phnum = head[1], head[4], head[6], head[8], head[9]
        interp = None
        for index in range(phnum):
            f.seek(phoff + phentsize * index)
            raw = f.read(struct.calcsize(p_fmt))
            if len(raw) < struct.calcsize(p_fmt):
                continue
            ph = struct.unpack(p_fmt, raw)
            if ph[p_idx[0]] != 3:
                continue
            f.seek(ph[p_idx[1]])
            interp = f.read(ph[p_idx[2]]).decode("utf-8", "replace").strip("\0")
            break
        return {"bits": 32 if cls == 1 else 64, "littleEndian": data == 1, "machine": machine, "flags": flags, "interpreter": interp}
    except (struct.error, IOError, OSError, ValueError):
        return None
    finally:
        f.close()


def musl_version(elf):
    # Like packaging._musllinux: run the musl loader named in PT_INTERP; it prints its version.
    ld = elf and elf.get("interpreter")
    if not ld or "musl" not in ld:
        return None
    import re
    import subprocess

    try:
        proc = subprocess.Popen([ld], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        err = proc.communicate()[1].decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
    lines = [n for n in (n.strip() for n in err.splitlines()) if n]
    if len(lines) < 2 or lines[0][:4] != "musl":
        return None
    m = re.match(r"Version (\d+)\.(\d+)", lines[1])
    return [int(m.group(1)), int(m.group(2))] if m else None


def linux_archs(plat, bits):
    # packaging.tags._linux_platforms: the arch list a Linux interpreter's tags are built from.
    linux = plat.replace(".", "_").replace("-", "_").replace(" ", "_")
    if not linux.startswith("linux_"):
        return []
    if bits == 32:
        linux = {"linux_x86_64": "linux_i686", "linux_aarch64": "linux_armv8l"}.get(linux, linux)
    arch = linux.split("_", 1)[1]
    return ["armv8l", "armv7l"] if arch == "armv8l" else [arch]


def manylinux_overrides(archs, glibc):
    # A distro can ship a `_manylinux` module that vetoes (or allows) manylinux versions
    # (PEP 600). Record its verdict for every candidate packaging would ask about.
    try:
        import _manylinux
    except ImportError:
        return None
    if glibc is None:
        return {}
    legacy = {(2, 5): "manylinux1_compatible", (2, 12): "manylinux2010_compatible", (2, 17): "manylinux2014_compatible"}
    out = {}
    for arch in archs:
        for major in range(glibc[0], 1, -1):
            top = glibc[1] if major == glibc[0] else 50
            for minor in range(top, -1, -1):
                verdict = None
                fn = getattr(_manylinux, "manylinux_compatible", None)
                if fn is not None:
                    result = fn(major, minor, arch)
                    verdict = True if result is None else bool(result)
                elif (major, minor) in legacy and hasattr(_manylinux, legacy[(major, minor)]):
                    verdict = bool(getattr(_manylinux, legacy[(major, minor)]))
                if verdict is not None:
                    out["%d_%d_%s" % (major, minor, arch)] = verdict
    return out


def mac_facts():
    if sys.platform != "darwin":
        return None
    release, _, machine = platform.mac_ver()
    version = [int(x) for x in release.split(".")[:2]]
    if version == [10, 16]:
        # Built against an old SDK, Python reports 10.16; ask again without the compat shim.
        import subprocess

        env = {"SYSTEM_VERSION_COMPAT": "0"}
        out = subprocess.Popen(
            [sys.executable, "-sS", "-c", "import platform; print(platform.mac_ver()[0])"],
            stdout=subprocess.PIPE,
            env=env,
        ).communicate()[0]
        version = [int(x) for x in out.decode().strip().split(".")[:2]]
    while len(version) < 2:
        version.append(0)
    return {"version": version, "arch": machine}


def ios_facts():
    if platform.system() != "iOS":
        return None
    release = platform.ios_ver()[1]
    version = [int(x) for x in release.split(".")[:2]]
    return {"version": version, "multiarch": sys.implementation._multiarch}


def android_facts():
    if platform.system() != "Android":
        return None
    return {"apiLevel": platform.android_ver().api_level}


def scheme_paths():
    scheme = "nt" if os.name == "nt" else "posix_prefix"
    try:
        paths = sysconfig.get_paths(scheme)
    except KeyError:  # implementations without that scheme (old PyPy): use their default
        paths = sysconfig.get_paths()
    keys = ("stdlib", "platstdlib", "purelib", "platlib", "include", "platinclude", "scripts", "data")
    return dict((k, paths[k]) for k in keys if k in paths)


def main():
    base_prefix = getattr(sys, "base_prefix", sys.prefix)
    prefix = venv_prefix()
    if prefix is not None:
        sys.prefix = sys.exec_prefix = prefix
    # Imported only now: sysconfig captures sys.prefix at import time.
    global sysconfig
    import sysconfig
    cv = sysconfig.get_config_var
    impl = getattr(sys, "implementation", None)
    impl_name = impl.name if impl else platform.python_implementation().lower()
    info = sys.version_info
    bits = struct.calcsize("P") * 8
    plat = sysconfig.get_platform()
    ext_suffix = cv("EXT_SUFFIX")
    if ext_suffix is None and info[0] == 2:
        ext_suffix = cv("SO")
    try:
        from importlib.machinery import EXTENSION_SUFFIXES
    except ImportError:
        import imp

        EXTENSION_SUFFIXES = [s[0] for s in imp.get_suffixes() if s[2] == imp.C_EXTENSION]

    # packaging.tags._cpython_abis inputs, decided here where the config vars are visible.
    py_debug = cv("Py_DEBUG")
    debug = bool(py_debug) or (py_debug is None and (hasattr(sys, "gettotalrefcount") or "_d.pyd" in EXTENSION_SUFFIXES))
    with_pymalloc = cv("WITH_PYMALLOC")
    unicode_size = cv("Py_UNICODE_SIZE")
    ucs4 = unicode_size == 4 or (unicode_size is None and sys.maxunicode == 0x10FFFF)

    elf = read_elf(sys.executable) if sys.platform.startswith("linux") else None
    glibc = glibc_version() if sys.platform.startswith("linux") else None
    musl = musl_version(elf)
    archs = linux_archs(plat, bits)
    executable = os.path.realpath(sys.executable) if sys.executable else ""
    result = {
        "realpath": executable,
        "implementation": impl_name,
        "version": platform.python_version(),
        "versionTuple": [info[0], info[1], info[2]],
        "abiflags": getattr(sys, "abiflags", ""),
        "soabi": cv("SOABI"),
        "extSuffix": ext_suffix,
        "platform": plat,
        "freeThreaded": bool(cv("Py_GIL_DISABLED")),
        "pointerBits": bits,
        "glibc": glibc,
        "musl": musl,
        "prefix": sys.prefix,
        "basePrefix": base_prefix,
        "paths": scheme_paths(),
        "markerEnvironment": marker_environment(impl_name),
        "tagFacts": {
            "pyVersionNodot": cv("py_version_nodot"),
            "debug": debug,
            "pymalloc": bool(with_pymalloc) or with_pymalloc is None,
            "ucs4": ucs4,
            "extensionSuffixes": list(EXTENSION_SUFFIXES),
            "elf": elf,
            "manylinuxOverrides": manylinux_overrides(archs, glibc) if archs else None,
            "macos": mac_facts(),
            "ios": ios_facts(),
            "android": android_facts(),
            "emscriptenPlatformVersion": cv("PYEMSCRIPTEN_PLATFORM_VERSION") or None,
        },
    }
    sys.stdout.write(json.dumps(result))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
