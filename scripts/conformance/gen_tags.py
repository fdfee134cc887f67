"""Writes test/conformance/tags.json: wheel tags and distribution file names, with Python's
`packaging` (26.2, in the pyenv 3.11.7 site-packages) as the oracle.

Sections:
- interpreters: for each interpreter here that packaging 26.2 runs on (3.8+), our probe's
  `Interpreter` JSON and the exact `packaging.tags.sys_tags()` list that interpreter computes.
- emulated: interpreters packaging cannot run on (2.7, 3.6, 3.7) or situations this machine
  lacks (other glibc versions, musl, a distro `_manylinux` veto, debug and free-threaded builds,
  32-bit x86 and ARM): a real probe JSON with the facts changed, and `sys_tags()` computed by
  packaging with the same facts monkeypatched in.
- platforms: packaging's platform-tag functions for explicit inputs (manylinux, musllinux,
  macOS, iOS, Android) and the tag builders (cpython_tags, compatible_tags, generic_tags).
- wheelFilenames / sdistFilenames: parse_wheel_filename / parse_sdist_filename results or errors.
- bestWheel: file lists with the wheel each interpreter should pick: lowest packaging rank,
  then the higher build tag, then the smaller file name (wheelwright's documented tie-break).

Run with the oracle interpreter: ~/.pyenv/versions/3.11.7/bin/python scripts/conformance/gen_tags.py
"""

import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROBE = os.path.join(ROOT, "src", "python", "probe.py")
OUT = os.path.join(ROOT, "test", "conformance", "tags.json")
PYENV = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
ORACLE_SITE = os.path.dirname(os.path.dirname(__import__("packaging").__file__))

import packaging  # noqa: E402
from packaging import _manylinux, _musllinux, tags  # noqa: E402
from packaging.utils import (  # noqa: E402
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

CONFIG_VARS = ["Py_DEBUG", "WITH_PYMALLOC", "Py_UNICODE_SIZE", "Py_GIL_DISABLED", "py_version_nodot", "EXT_SUFFIX", "SOABI"]

# Runs inside a target interpreter: its own sys_tags() via the oracle's packaging, with
# optional monkeypatches (a JSON object in argv[2]) for the emulated cases.
ORACLE = r"""
import json, sys, sysconfig
sys.path.insert(0, sys.argv[1])
patch = json.loads(sys.argv[2])
from packaging import tags, _manylinux, _musllinux
if "version_info" in patch:
    sys.version_info = tuple(patch["version_info"])
if "config_vars" in patch:
    real = sysconfig.get_config_var
    over = patch["config_vars"]
    sysconfig.get_config_var = lambda name: over[name] if name in over else real(name)
if "platform" in patch:
    sysconfig.get_platform = lambda: patch["platform"]
if "glibc" in patch:
    g = patch["glibc"] or [-1, -1]
    _manylinux._get_glibc_version = lambda: _manylinux._GLibCVersion(g[0], g[1])
if "musl" in patch:
    m = patch["musl"]
    _musllinux._get_musl_version = lambda exe: _musllinux._MuslVersion(m[0], m[1]) if m else None
if patch.get("is_32bit"):
    tags._linux_platforms.__defaults__ = (True,)
    _manylinux._is_linux_i686 = lambda exe: True
    _manylinux._is_linux_armhf = lambda exe: True
if "manylinux_veto_above" in patch:
    import types
    mod = types.ModuleType("_manylinux")
    top = tuple(patch["manylinux_veto_above"])
    mod.manylinux_compatible = lambda major, minor, arch: False if (major, minor) > top else None
    sys.modules["_manylinux"] = mod
print(json.dumps([str(t) for t in tags.sys_tags()]))
"""


def run(cmd):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout


def probe(python):
    data = json.loads(run([python, "-E", "-s", "-S", PROBE]))
    return dict({"executable": python}, **data)


def oracle_tags(python, patch=None):
    return json.loads(run([python, "-E", "-s", "-S", "-c", ORACLE, ORACLE_SITE, json.dumps(patch or {})]))


def config_vars(python):
    code = "import json, sysconfig; print(json.dumps({n: sysconfig.get_config_var(n) for n in %r}))" % (CONFIG_VARS,)
    return json.loads(run([python, "-E", "-s", "-S", "-c", code]))


def version_of(python):
    return tuple(json.loads(run([python, "-E", "-s", "-S", "-c", "import sys, json; print(json.dumps(list(sys.version_info[:3])))"])))


def pythons():
    found = []
    for path in sorted(glob.glob(os.path.join(PYENV, "versions", "*", "bin", "python"))):
        found.append((version_of(path), path))
    found.sort()
    return found


def real_interpreters(all_pythons):
    cases = []
    for version, path in all_pythons:
        if version < (3, 8):
            continue
        cases.append({"name": "cpython-%d.%d.%d" % version, "interpreter": probe(path), "tags": oracle_tags(path)})
    if os.path.exists("/usr/bin/python3"):
        cases.append({"name": "system-python3", "interpreter": probe("/usr/bin/python3"), "tags": oracle_tags("/usr/bin/python3")})
    return cases


def manylinux_overrides_for(archs, glibc, veto_above):
    """What our probe would record on a system whose `_manylinux` vetoes newer versions."""
    import types

    sys.path.insert(0, os.path.dirname(PROBE))
    import probe as probe_module

    mod = types.ModuleType("_manylinux")
    mod.manylinux_compatible = lambda major, minor, arch: False if (major, minor) > tuple(veto_above) else None
    saved = sys.modules.get("_manylinux")
    sys.modules["_manylinux"] = mod
    try:
        return probe_module.manylinux_overrides(archs, glibc)
    finally:
        if saved is None:
            del sys.modules["_manylinux"]
        else:
            sys.modules["_manylinux"] = saved


def emulated(all_pythons):
    oracle = sys.executable
    by_minor = dict(((v[0], v[1]), p) for v, p in all_pythons)
    base = probe(oracle)
    cases = []

    def add(name, interp, patch, runner=oracle):
        cases.append({"name": name, "interpreter": interp, "tags": oracle_tags(runner, patch)})

    # Old interpreters: their own probe, their config vars and version in the oracle.
    for minor in [(2, 7), (3, 6), (3, 7)]:
        path = by_minor.get(minor)
        if path is None:
            continue
        interp = probe(path)
        cvars = config_vars(path)
        info = list(version_of(path)) + ["final", 0]
        add("cpython-%s (emulated)" % interp["version"], interp, {"version_info": info, "config_vars": cvars, "platform": interp["platform"]})

    def variant(**changes):
        interp = json.loads(json.dumps(base))
        facts = changes.pop("tagFacts", {})
        interp.update(changes)
        interp["tagFacts"].update(facts)
        return interp

    for glibc in ([2, 17], [2, 12], [2, 5], [2, 4], [2, 28], [3, 1]):
        add("glibc %d.%d" % tuple(glibc), variant(glibc=glibc), {"glibc": glibc})
    add("musl 1.2", variant(glibc=None, musl=[1, 2]), {"glibc": None, "musl": [1, 2]})
    add("musl 1.1 with glibc", variant(glibc=[2, 31], musl=[1, 1]), {"glibc": [2, 31], "musl": [1, 1]})
    add("no libc known", variant(glibc=None, musl=None), {"glibc": None, "musl": None})
    overrides = manylinux_overrides_for(["x86_64"], [2, 35], [2, 28])
    add(
        "distro _manylinux vetoes > 2.28",
        variant(glibc=[2, 35], tagFacts={"manylinuxOverrides": overrides}),
        {"glibc": [2, 35], "manylinux_veto_above": [2, 28]},
    )
    add(
        "debug build",
        variant(abiflags="d", tagFacts={"debug": True}),
        {"config_vars": {"Py_DEBUG": 1}},
    )
    i686_elf = {"bits": 32, "littleEndian": True, "machine": 3, "flags": 0, "interpreter": "/lib/ld-linux.so.2"}
    add(
        "32-bit x86 (i686)",
        variant(pointerBits=32, glibc=[2, 31], tagFacts={"elf": i686_elf}),
        {"is_32bit": True, "glibc": [2, 31]},
    )
    armhf_elf = {"bits": 32, "littleEndian": True, "machine": 40, "flags": 0x05000400, "interpreter": "/lib/ld-linux-armhf.so.3"}
    add(
        "32-bit ARM on aarch64 (armv8l)",
        variant(pointerBits=32, platform="linux-aarch64", glibc=[2, 36], tagFacts={"elf": armhf_elf}),
        {"is_32bit": True, "glibc": [2, 36], "platform": "linux-aarch64"},
    )
    add(
        "aarch64",
        variant(platform="linux-aarch64", glibc=[2, 28], musl=None),
        {"platform": "linux-aarch64", "glibc": [2, 28]},
    )
    py313 = by_minor.get((3, 13))
    if py313 is not None:
        interp = probe(py313)
        ft = json.loads(json.dumps(interp))
        ft.update(abiflags="t", freeThreaded=True)
        add("cpython-3.13 free-threaded", ft, {"config_vars": {"Py_GIL_DISABLED": 1}}, runner=py313)
        ftd = json.loads(json.dumps(ft))
        ftd["abiflags"] = "td"
        ftd["tagFacts"]["debug"] = True
        add("cpython-3.13 free-threaded debug", ftd, {"config_vars": {"Py_GIL_DISABLED": 1, "Py_DEBUG": 1}}, runner=py313)
    return cases


def platforms():
    out = {"manylinux": [], "musllinux": [], "mac": [], "ios": [], "android": [], "cpython": [], "compatible": [], "generic": []}
    real_glibc = _manylinux._get_glibc_version
    try:
        for glibc in ([2, 4], [2, 5], [2, 12], [2, 16], [2, 17], [2, 28], [2, 39], [3, 0], [3, 3]):
            for archs in (["x86_64"], ["aarch64"], ["ppc64le"], ["s390x"], ["riscv64"], ["loongarch64"], ["sparc"]):
                _manylinux._get_glibc_version = lambda g=glibc: _manylinux._GLibCVersion(*g)
                out["manylinux"].append({"archs": archs, "glibc": glibc, "platforms": list(_manylinux.platform_tags(archs))})
    finally:
        _manylinux._get_glibc_version = real_glibc
    real_musl = _musllinux._get_musl_version
    try:
        for musl in ([1, 1], [1, 2], [2, 0]):
            for archs in (["x86_64"], ["aarch64"], ["armv8l", "armv7l"]):
                _musllinux._get_musl_version = lambda exe, m=musl: _musllinux._MuslVersion(*m)
                out["musllinux"].append({"archs": archs, "musl": musl, "platforms": list(_musllinux.platform_tags(archs))})
    finally:
        _musllinux._get_musl_version = real_musl
    for version in ([10, 0], [10, 3], [10, 4], [10, 5], [10, 6], [10, 9], [10, 15], [10, 16], [11, 0], [12, 3], [14, 0], [15, 2], [26, 0]):
        for arch in ("x86_64", "arm64", "i386", "ppc", "ppc64", "universal2", "intel"):
            out["mac"].append({"version": version, "arch": arch, "platforms": list(tags.mac_platforms(tuple(version), arch))})
    for version in ([11, 0], [12, 0], [13, 2], [17, 4]):
        for multiarch in ("arm64-iphoneos", "x86_64-iphonesimulator"):
            out["ios"].append({"version": version, "multiarch": multiarch, "platforms": list(tags.ios_platforms(tuple(version), multiarch))})
    for api, abi in ((15, "arm64_v8a"), (16, "x86_64"), (21, "armeabi-v7a"), (34, "arm64.v8a")):
        out["android"].append({"apiLevel": api, "abi": abi, "platforms": list(tags.android_platforms(api, abi))})
    plats = ["manylinux_2_17_x86_64", "linux_x86_64"]
    for version, abis in (((3, 12), ["cp312"]), ((3, 7), ["cp37m"]), ((3, 13), ["cp313t"]), ((3, 8), ["cp38d", "cp38", "abi3", "none"]), ((3,), ["cp3x"]), ((3, 2), ["cp32mu"])):
        out["cpython"].append({"pythonVersion": list(version), "abis": abis, "platforms": plats, "tags": [str(t) for t in tags.cpython_tags(version, abis, plats)]})
    for version, interp in (((3, 11), "cp311"), ((3, 9), None), ((2, 7), "pp3"), ((3,), None)):
        out["compatible"].append({"pythonVersion": list(version), "interpreter": interp, "platforms": plats, "tags": [str(t) for t in tags.compatible_tags(version, interp, plats)]})
    for interp, abis in (("pp310", ["pypy310_pp73"]), ("graalpy311", ["graalpy311_311_native", "none"]), ("ip27", [])):
        out["generic"].append({"interpreter": interp, "abis": abis, "platforms": plats, "tags": [str(t) for t in tags.generic_tags(interp, abis, plats)]})
    return out


def real_wheel_names():
    """File names of the distributions installed in the oracle's site-packages (from WHEEL)."""
    names = []
    for wheel in sorted(glob.glob(os.path.join(ORACLE_SITE, "*.dist-info", "WHEEL"))):
        stem = os.path.basename(os.path.dirname(wheel))[: -len(".dist-info")]
        tag_lines, build = [], None
        with open(wheel) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "Tag":
                    tag_lines.append(value.strip())
                elif key.strip() == "Build":
                    build = value.strip()
        if not tag_lines:
            continue
        parts = [t.split("-") for t in tag_lines]
        compressed = "-".join(".".join(sorted(set(p[i] for p in parts))) for i in range(3))
        names.append("%s%s-%s.whl" % (stem, "-" + build if build else "", compressed))
    return names


def wheel_cases():
    names = real_wheel_names()
    names += [
        "foo-1.0-py3-none-any.whl", "Foo-1.0-py3-none-any.whl", "foo_bar-1.0-py3-none-any.whl",
        "foo.bar-1.0-py3-none-any.whl", "Foo.Bar_baz-2.0-py2.py3-none-any.whl", "foo__bar-1.0-py3-none-any.whl",
        "foo-bar-1.0-py3-none-any.whl", "foo-1.0-1-py3-none-any.whl", "foo-1.0-1abc-py3-none-any.whl",
        "foo-1.0-abc-py3-none-any.whl", "foo-1.0-007-py3-none-any.whl", "foo-1.0-12_b.c-py3-none-any.whl",
        "foo-1.0-py3-none-any", "foo-1.0-py3-none-any.zip", "foo-1.0.whl", "foo-1.0-py3-none.whl",
        "foo-1.0-1-2-py3-none-any.whl", "foo-1.0-py3-none-any.WHL", "foo-x.y-py3-none-any.whl",
        "foo-1.0.post1-py3-none-any.whl", "foo-1.0post1-py3-none-any.whl", "foo-1.0.dev3-py3-none-any.whl",
        "foo-1!2.0-py3-none-any.whl", "foo-1.0+local.7-py3-none-any.whl", "foo-1.0+Local_7-py3-none-any.whl",
        "foo-1.0a1-py3-none-any.whl", "foo-1.0alpha1-py3-none-any.whl", "foo-1.0.RC1-py3-none-any.whl",
        "foo-v1.0-py3-none-any.whl", "foo-01.02-py3-none-any.whl", "foo-1.0.0.0-py3-none-any.whl",
        "foo-1.0-PY3-NONE-ANY.whl", "foo-1.0-py3.py2-none-any.whl", "foo-1.0-cp39.cp310-abi3-manylinux1_x86_64.manylinux_2_5_x86_64.whl",
        "foo-1.0-cp310.cp39-abi3-any.whl", "foo-1.0-py3-none-macosx_10_9_x86_64.macosx_11_0_arm64.whl",
        "foo-1.0-py3-none-macosx_11_0_arm64.macosx_10_9_x86_64.whl", "foo-1.0-py3--any.whl",
        "-1.0-py3-none-any.whl", "f-1-py3-none-any.whl", "foo bar-1.0-py3-none-any.whl", "foo!-1.0-py3-none-any.whl",
        "föö-1.0-py3-none-any.whl", "名字-1.0-py3-none-any.whl", "foo-١.0-py3-none-any.whl", "foo-1.0-py3-none-any.whl.whl",
        "foo.-1.0-py3-none-any.whl", "_foo-1.0-py3-none-any.whl", "foo_-1.0-py3-none-any.whl", "9-1.0-py3-none-any.whl",
        "foo-1.0-0-py3-none-any.whl", "foo-1.0-99999999-py3-none-any.whl", "foo-1.0--py3-none-any.whl",
        "foo-1.0-1_-py3-none-any.whl", "foo-1.0-py3-none-win_amd64.whl", "foo-1.0-cp27-cp27mu-manylinux1_x86_64.whl",
        "foo-2024.1.1-pp310-pypy310_pp73-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "foo-1.0-cp313-cp313t-musllinux_1_2_aarch64.whl", "foo-1.0-py3-none-any.manylinux1_x86_64.whl",
        "foo-1.0-py2.py3.py31-none-any.whl", "foo-1.0-py3-abi3.none-any.whl", "foo-1.0-py3-none-any-.whl", ".whl",
        "foo-1.0_1-py3-none-any.whl", "foo-1.0-1.0-py3-none-any.whl", "FOO-1.0-py3-none-any.whl",
        "foo-1.0.0-py3-none-any.whl", "foo-1.0-py3-none-ios_13_0_arm64_iphoneos.whl", "foo-1.0-py3-none-android_21_arm64_v8a.whl",
        "foo-1.0.0-1-py3-none-any.whl", "Django-4.2.7-py3-none-any.whl", "zope.interface-6.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        "a-b-c-d-e-f-g.whl", "foo-1.0-c-d-e-f.whl", "foo-1.0-1-c-d-e.whl", "foo-1.0- -none-any.whl",
    ]
    cases = []
    for name in names:
        for validate in (False, True):
            try:
                n, v, b, t = parse_wheel_filename(name, validate_order=validate)
                result = {"name": n, "version": str(v), "build": list(b) if b else None, "tags": sorted(str(x) for x in t)}
            except InvalidWheelFilename:
                result = None
            cases.append({"filename": name, "validateOrder": validate, "result": result})
    return cases


def sdist_cases():
    names = [
        "foo-1.0.tar.gz", "Foo-1.0.tar.gz", "foo_bar-1.0.tar.gz", "foo-bar-1.0.tar.gz", "foo.bar-2.0.zip",
        "foo-1.0.zip", "foo-1.0.tar.bz2", "foo-1.0.tgz", "foo-1.0.tar", "foo-1.0.tar.xz", "foo-1.0",
        "foo.tar.gz", "foo-.tar.gz", "-1.0.tar.gz", "foo-x.tar.gz", "foo-1.0-1.tar.gz", "foo-1.0.post1.tar.gz",
        "foo-1!2.0.tar.gz", "foo-1.0+local.tar.gz", "foo-1.0RC1.tar.gz", "foo-v1.0.tar.gz", "FOO__BAR-1.0.tar.gz",
        "foo bar-1.0.tar.gz", "foo-1.0.TAR.GZ", "foo-1.0.tar.gz.zip", "foo-1.0.zip.tar.gz", "a-1.tar.gz",
        "foo--1.0.tar.gz", "foo-1.0.dev0.tar.gz", "foo-01.0.tar.gz", "ünïcode-1.0.tar.gz", "foo-1.0a.tar.gz",
        "foo-1.0-py3-none-any.whl", ".tar.gz", "-.tar.gz", "foo-1_0.tar.gz", "foo-1.0.0.tar.gz",
    ]
    cases = []
    for name in names:
        try:
            n, v = parse_sdist_filename(name)
            result = {"name": n, "version": str(v)}
        except InvalidSdistFilename:
            result = None
        cases.append({"filename": name, "result": result})
    return cases


def best_wheel_cases(interpreters):
    lists = [
        ["foo-1.0-py3-none-any.whl", "foo-1.0-py2-none-any.whl"],
        ["foo-1.0-py2.py3-none-any.whl", "foo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", "foo-1.0-cp311-abi3-manylinux_2_17_x86_64.whl"],
        ["foo-1.0-cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "foo-1.0-cp38-abi3-manylinux_2_28_x86_64.whl", "foo-1.0-py3-none-any.whl"],
        ["foo-1.0-cp311-cp311-win_amd64.whl", "foo-1.0-cp311-cp311-macosx_11_0_arm64.whl"],
        ["foo-1.0-1-py3-none-any.whl", "foo-1.0-2-py3-none-any.whl", "foo-1.0-py3-none-any.whl"],
        ["foo-1.0-2a-py3-none-any.whl", "foo-1.0-2b-py3-none-any.whl", "foo-1.0-10-py3-none-any.whl"],
        ["b-1.0-py3-none-any.whl", "a-1.0-py3-none-any.whl"],
        ["foo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "foo-1.0-cp313-cp313-manylinux_2_17_x86_64.whl",
         "foo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", "foo-1.0-cp310-cp310-manylinux_2_17_x86_64.whl",
         "foo-1.0-cp39-cp39-manylinux_2_17_x86_64.whl", "foo-1.0-cp38-cp38-manylinux_2_17_x86_64.whl"],
        ["foo-1.0-cp311-cp311-musllinux_1_1_x86_64.whl", "foo-1.0-cp311-cp311-linux_x86_64.whl", "foo-1.0-cp311-none-any.whl"],
        ["foo-1.0-cp37-cp37m-manylinux1_x86_64.whl", "foo-1.0-py3-none-manylinux1_x86_64.whl", "foo-1.0-py36-none-any.whl"],
        ["not-a-wheel.tar.gz", "foo-1.0-py3-none-any.whl.bak", "foo-1.0-cp27-cp27mu-manylinux1_x86_64.whl"],
        ["foo-1.0-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.whl", "foo-1.0-cp311-cp311-manylinux_2_12_x86_64.manylinux2010_x86_64.whl"],
    ]
    cases = []
    for case in interpreters:
        ranks = {}
        for i, t in enumerate(case["tags"]):
            ranks.setdefault(t, i)
        selector = tags.create_compatible_tags_selector(tags.Tag(*t.split("-")) for t in case["tags"])
        for files in lists:
            parsed = []
            for f in files:
                try:
                    n, v, b, t = parse_wheel_filename(f)
                except InvalidWheelFilename:
                    continue
                parsed.append((f, b, t))
            compatible = list(selector((f, t) for f, b, t in parsed))
            ranked = []
            for f, b, t in parsed:
                if f in compatible:
                    rank = min(ranks[str(x)] for x in t if str(x) in ranks)
                    ranked.append((f, b, rank))
            # lowest rank; then higher build tag (no build lowest); then smaller file name
            ranked.sort(key=lambda r: r[0])
            ranked.sort(key=lambda r: r[1] if r[1] else (-1, ""), reverse=True)
            ranked.sort(key=lambda r: r[2])
            best = {"filename": ranked[0][0], "rank": ranked[0][2]} if ranked else None
            cases.append({"interpreter": case["name"], "filenames": files, "best": best})
    return cases


def main():
    all_pythons = pythons()
    real = real_interpreters(all_pythons)
    emu = emulated(all_pythons)
    data = {
        "meta": {
            "oracle": "packaging %s on Python %s" % (packaging.__version__, sys.version.split()[0]),
            "generator": "scripts/conformance/gen_tags.py",
        },
        "interpreters": real,
        "emulated": emu,
        "platforms": platforms(),
        "wheelFilenames": wheel_cases(),
        "sdistFilenames": sdist_cases(),
        "bestWheel": best_wheel_cases(real + emu),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.write("\n")
    plat = data["platforms"]
    print(
        "tags.json: %d interpreters, %d emulated, %d platform cases, %d wheel names, %d sdist names, %d best-wheel cases"
        % (len(real), len(emu), sum(len(v) for v in plat.values()), len(data["wheelFilenames"]), len(data["sdistFilenames"]), len(data["bestWheel"]))
    )


if __name__ == "__main__":
    main()
