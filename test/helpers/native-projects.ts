// Native build backends for tests: their offline wheels (pure or platform wheels from the
// machine's local mirror, or a Debian package's installed files repacked into a wheel), a
// closure over them for a `--build-lock`, and small projects that compile native code with
// meson-python, scikit-build-core, setuptools-rust or maturin.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { findWheel, MIRRORS, newer, normalize, wheelClosure, type BackendClosure, type BackendWheel } from "./backends.js";

/** Whether CPython 3.11 on x86_64 glibc Linux can install a wheel of this file name. */
function installable(filename: string): boolean {
  const [python, abi, platform] = filename.replace(/\.whl$/, "").split("-").slice(-3) as [string, string, string];
  if (!python.split(".").some((t) => t === "py3" || t === "cp311")) return false;
  if (!["none", "abi3", "cp311"].includes(abi)) return false;
  return platform.split(".").some((t) => t === "any" || /^manylinux(1|2010|2014|_2_\d+)_x86_64$/.test(t));
}

/** The newest wheel of `name` in the mirror that CPython 3.11 on x86_64 Linux can install. */
export function findInstallableWheel(name: string, accept: (version: string) => boolean = () => true): BackendWheel | undefined {
  const key = normalize(name);
  const found: BackendWheel[] = [];
  for (const mirror of MIRRORS) {
    const index = join(mirror, key, "index.html");
    if (!existsSync(index)) continue;
    for (const match of readFileSync(index, "utf8").matchAll(/href="([^"#]+\.whl)#sha256=([0-9a-f]{64})"/g)) {
      const path = join(mirror, key, match[1]!);
      const filename = path.split("/").pop()!;
      const version = filename.split("-")[1]!;
      if (!installable(filename) || !accept(version) || !existsSync(path)) continue;
      found.push({ name: key, version, filename, path, sha256: match[2]! });
    }
  }
  return found.reduce<BackendWheel | undefined>((a, b) => (a === undefined || newer(b.version, a.version) ? b : a), undefined);
}

const DIST_PACKAGES = "/usr/lib/python3/dist-packages/";

// Writes a wheel of the files `dpkg -L` lists under dist-packages (the package's own
// .dist-info included), with a fresh RECORD: Debian's RECORDs don't match its files.
const REPACK_SCRIPT = `
import base64, hashlib, json, os, sys, zipfile
out, files = sys.argv[1], json.loads(sys.stdin.read())
def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
info = sorted({f.split("/")[0] for f in files if f.split("/")[0].endswith(".dist-info")})[0]
wheel = "Wheel-Version: 1.0\\nGenerator: wheelwright-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
entries = [(f, open(os.path.join(${JSON.stringify(DIST_PACKAGES)}, f), "rb").read()) for f in sorted(files) if not f.startswith(info + "/") or f.split("/")[1] in ("METADATA", "entry_points.txt", "top_level.txt")]
entries.append((info + "/WHEEL", wheel.encode()))
record = "".join(f"{n},{digest(d)},{len(d)}\\n" for n, d in entries) + info + "/RECORD,,\\n"
entries.append((info + "/RECORD", record.encode()))
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in entries:
        zi = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
        zi.external_attr = 0o644 << 16
        z.writestr(zi, data)
`;

/**
 * A wheel of an installed Debian package's Python distribution (`python3-foo`), written to
 * `outDir`, or the reason it can't be made (the package is not installed).
 */
export function debianWheel(debPackage: string, outDir: string): BackendWheel | { missing: string } {
  const listed = spawnSync("dpkg", ["-L", debPackage], { encoding: "utf8" });
  if (listed.status !== 0) return { missing: `the Debian package ${debPackage} is not installed (apt-get install ${debPackage})` };
  const files = listed.stdout
    .split("\n")
    .filter((f) => f.startsWith(DIST_PACKAGES) && !f.includes("/__pycache__/"))
    .map((f) => f.slice(DIST_PACKAGES.length))
    .filter((f) => f.includes("/") && statSync(join(DIST_PACKAGES, f)).isFile());
  const info = files.find((f) => /^[^/]+\.dist-info\/METADATA$/.test(f));
  if (info === undefined) return { missing: `${debPackage} installs no .dist-info/METADATA under ${DIST_PACKAGES}` };
  const [dist, version] = info.split("/")[0]!.replace(/\.dist-info$/, "").split("-") as [string, string];
  const filename = `${dist}-${version}-py3-none-any.whl`;
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, filename);
  const made = spawnSync("python3", ["-c", REPACK_SCRIPT, path], { input: JSON.stringify(files), encoding: "utf8" });
  if (made.status !== 0) return { missing: `cannot repack ${debPackage} into a wheel: ${made.stderr}` };
  return { name: normalize(dist), version, filename, path, sha256: createHash("sha256").update(readFileSync(path)).digest("hex") };
}

/**
 * Every wheel `names` need at run time (for python3.11): `given` wheels first, else a pure
 * wheel (backends.ts), else a platform wheel this interpreter can install; or the reason one
 * is missing.
 */
export function nativeClosure(names: string[], given: BackendWheel[] = []): BackendClosure | { missing: string } {
  const find = (name: string) => given.find((w) => w.name === name) ?? findWheel(name) ?? findInstallableWheel(name);
  return wheelClosure(names, find, `${MIRRORS.join(", ")} and the interpreters' bundled wheels`);
}

/** One closure holding every wheel of `closures` (the first wheel of a name wins). */
export function mergeClosures(closures: BackendClosure[]): BackendClosure {
  const merged: BackendClosure = { wheels: [], dependencies: {} };
  for (const c of closures) {
    for (const w of c.wheels) {
      if (merged.wheels.some((m) => m.name === w.name)) continue;
      merged.wheels.push(w);
      merged.dependencies[w.name] = c.dependencies[w.name] ?? [];
    }
  }
  merged.wheels.sort((a, b) => a.name.localeCompare(b.name));
  return merged;
}

/** Where rustup keeps its toolchains for this user (`$RUSTUP_HOME`, else `~/.rustup`), if it exists. */
export function rustupHome(): string | undefined {
  const home = process.env.RUSTUP_HOME ?? join(homedir(), ".rustup");
  return existsSync(home) ? home : undefined;
}

/** Whether `tool --version` runs here (with the caller's environment). */
export function hasTool(tool: string): boolean {
  const r = spawnSync(tool, ["--version"], { encoding: "utf8" });
  return r.status === 0;
}

// ---------------------------------------------------------------------------------------
// Projects. Each compiles one native function: `mul(a, b)` returns a * b (an int).

export type NativeKind = "meson-python" | "scikit-build-core" | "setuptools-rust" | "maturin";

export interface NativeProject {
  kind: NativeKind;
  /** Distribution name. */
  name: string;
  version: string;
  /** `[build-system] requires`. */
  requires: string[];
  /** Runtime dependencies (names). */
  dependencies: string[];
  /** A Python expression, after `import <module>`, whose value is `mul(6, 7)` through the native code. */
  call: string;
  module: string;
  /** File names of the shared objects installed in the import package (sorted). */
  sharedObjects: string[];
}

/** A C extension module `<pkg>._native` with `mul(a, b)`, written against the C API. */
function cSource(): string {
  return `#define PY_SSIZE_T_CLEAN
#include <Python.h>
static PyObject *mul(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a * b);
}
static PyMethodDef methods[] = {{"mul", mul, METH_VARARGS, "Multiply two integers."}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};
PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
`;
}

// The same module in Rust without any crate: CPython's C API declared by hand. The structs
// mirror PyModuleDef / PyMethodDef of the stable ABI (3.x, 64-bit, non-debug builds).
const RUST_CAPI_SOURCE = `use std::os::raw::{c_char, c_int, c_long, c_void};
use std::ptr;

#[repr(C)]
pub struct PyObject {
    _opaque: [u8; 0],
}

type FastCall = unsafe extern "C" fn(*mut PyObject, *const *mut PyObject, isize) -> *mut PyObject;

#[repr(C)]
pub struct PyMethodDef {
    name: *const c_char,
    meth: Option<FastCall>,
    flags: c_int,
    doc: *const c_char,
}

#[repr(C)]
pub struct PyModuleDefBase {
    refcnt: isize,
    ob_type: *mut c_void,
    init: *mut c_void,
    index: isize,
    copy: *mut c_void,
}

#[repr(C)]
pub struct PyModuleDef {
    base: PyModuleDefBase,
    name: *const c_char,
    doc: *const c_char,
    size: isize,
    methods: *mut PyMethodDef,
    slots: *mut c_void,
    traverse: *mut c_void,
    clear: *mut c_void,
    free: *mut c_void,
}

extern "C" {
    fn PyModule_Create2(def: *mut PyModuleDef, api_version: c_int) -> *mut PyObject;
    fn PyLong_AsLong(obj: *mut PyObject) -> c_long;
    fn PyLong_FromLong(value: c_long) -> *mut PyObject;
    fn PyErr_Occurred() -> *mut PyObject;
    fn PyErr_SetString(kind: *mut PyObject, message: *const c_char);
    static mut PyExc_TypeError: *mut PyObject;
}

const METH_FASTCALL: c_int = 0x0080;
const PYTHON_API_VERSION: c_int = 1013;

unsafe extern "C" fn mul(_module: *mut PyObject, args: *const *mut PyObject, nargs: isize) -> *mut PyObject {
    if nargs != 2 {
        PyErr_SetString(PyExc_TypeError, b"mul() takes exactly 2 arguments\\0".as_ptr() as *const c_char);
        return ptr::null_mut();
    }
    let a = PyLong_AsLong(*args);
    let b = PyLong_AsLong(*args.offset(1));
    if !PyErr_Occurred().is_null() {
        return ptr::null_mut();
    }
    PyLong_FromLong(a * b)
}

static mut METHODS: [PyMethodDef; 2] = [
    PyMethodDef { name: b"mul\\0".as_ptr() as *const c_char, meth: Some(mul), flags: METH_FASTCALL, doc: ptr::null() },
    PyMethodDef { name: ptr::null(), meth: None, flags: 0, doc: ptr::null() },
];

static mut MODULE: PyModuleDef = PyModuleDef {
    base: PyModuleDefBase { refcnt: 1, ob_type: ptr::null_mut(), init: ptr::null_mut(), index: 0, copy: ptr::null_mut() },
    name: b"_native\\0".as_ptr() as *const c_char,
    doc: ptr::null(),
    size: -1,
    methods: ptr::null_mut(),
    slots: ptr::null_mut(),
    traverse: ptr::null_mut(),
    clear: ptr::null_mut(),
    free: ptr::null_mut(),
};

#[no_mangle]
pub unsafe extern "C" fn PyInit__native() -> *mut PyObject {
    MODULE.methods = ptr::addr_of_mut!(METHODS) as *mut PyMethodDef;
    PyModule_Create2(ptr::addr_of_mut!(MODULE), PYTHON_API_VERSION)
}
`;

// A plain C-ABI function; maturin's cffi bindings generate the Python side.
const RUST_CFFI_SOURCE = `#[no_mangle]
pub extern "C" fn mul(a: i64, b: i64) -> i64 {
    a * b
}
`;

function cargoToml(name: string, version: string): string {
  // Cargo wants a full semver version: 1.0 -> 1.0.0.
  const semver = [...version.split("."), "0", "0"].slice(0, 3).join(".");
  return `[package]\nname = "${name}"\nversion = "${semver}"\nedition = "2021"\n\n[lib]\nname = "_native"\npath = "src/lib.rs"\ncrate-type = ["cdylib"]\n\n[profile.release]\ncodegen-units = 1\n`;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

const project = (name: string, version: string, kind: NativeKind, dependencies: string[] = []) =>
  `[project]\nname = "${name}"\nversion = "${version}"\ndescription = "A native test project built with ${kind}."\ndependencies = ${JSON.stringify(dependencies)}\n`;

/** Writes a `kind` project under `parent/<name>`; returns its directory and what to check. */
export function writeNativeProject(parent: string, kind: NativeKind, name: string, version = "1.0"): { dir: string; project: NativeProject } {
  const dir = join(parent, name);
  const mod = name.replace(/-/g, "_");
  const init = `"""${name}: native code built by ${kind}."""\nfrom ._native import mul\n`;
  let requires: string[];
  let dependencies: string[] = [];
  let call = `${mod}.mul(6, 7)`;
  let sharedObjects = ["_native.cpython-311-x86_64-linux-gnu.so"];
  switch (kind) {
    case "meson-python":
      requires = ["meson-python", "meson"];
      write(dir, {
        "pyproject.toml": `[build-system]\nrequires = ${JSON.stringify(requires)}\nbuild-backend = "mesonpy"\n\n${project(name, version, kind)}`,
        "meson.build": `project('${name}', 'c', version: '${version}')\npy = import('python').find_installation(pure: false)\npy.extension_module('_native', '${mod}/_native.c', install: true, subdir: '${mod}')\npy.install_sources(['${mod}/__init__.py'], subdir: '${mod}')\n`,
        [`${mod}/__init__.py`]: init,
        [`${mod}/_native.c`]: cSource(),
      });
      break;
    case "scikit-build-core":
      requires = ["scikit-build-core"];
      write(dir, {
        "pyproject.toml": `[build-system]\nrequires = ${JSON.stringify(requires)}\nbuild-backend = "scikit_build_core.build"\n\n${project(name, version, kind)}\n[tool.scikit-build]\nwheel.packages = ["src/${mod}"]\n`,
        "CMakeLists.txt": `cmake_minimum_required(VERSION 3.15...3.31)\nproject(\${SKBUILD_PROJECT_NAME} VERSION \${SKBUILD_PROJECT_VERSION} LANGUAGES C)\nfind_package(Python COMPONENTS Interpreter Development.Module REQUIRED)\npython_add_library(_native MODULE src/${mod}/_native.c WITH_SOABI)\ninstall(TARGETS _native DESTINATION ${mod})\n`,
        [`src/${mod}/__init__.py`]: init,
        [`src/${mod}/_native.c`]: cSource(),
      });
      break;
    case "setuptools-rust":
      requires = ["setuptools", "setuptools-rust"];
      write(dir, {
        "pyproject.toml": `[build-system]\nrequires = ${JSON.stringify(requires)}\nbuild-backend = "setuptools.build_meta"\n\n${project(name, version, kind)}\n[tool.setuptools]\npackages = ["${mod}"]\n\n[[tool.setuptools-rust.ext-modules]]\ntarget = "${mod}._native"\nbinding = "NoBinding"\n`,
        "Cargo.toml": cargoToml(name, version),
        "src/lib.rs": RUST_CAPI_SOURCE,
        [`${mod}/__init__.py`]: init,
      });
      break;
    case "maturin":
      requires = ["maturin", "cffi"];
      dependencies = ["cffi"];
      call = `${mod}.lib.mul(6, 7)`;
      sharedObjects = ["lib_native.so"];
      write(dir, {
        "pyproject.toml": `[build-system]\nrequires = ${JSON.stringify(requires)}\nbuild-backend = "maturin"\n\n${project(name, version, kind, dependencies)}\n[tool.maturin]\nbindings = "cffi"\nmodule-name = "${mod}._native"\npython-source = "python"\n\n# maturin's Rust SBOM records the absolute build directory (a random temp path), so a\n# wheel with it never rebuilds bit-identically elsewhere.\n[tool.maturin.sbom]\nrust = false\n`,
        "Cargo.toml": cargoToml(name, version),
        "src/lib.rs": RUST_CFFI_SOURCE,
        [`python/${mod}/__init__.py`]: `"""${name}: native code built by ${kind}."""\nfrom ._native import ffi, lib\n`,
      });
      break;
  }
  return { dir, project: { kind, name, version, requires, dependencies, call, module: mod, sharedObjects } };
}

/**
 * A pylock.toml at `<projectDir>/pylock.toml`: the project's sdist plus the wheels of its
 * runtime closure (all selected, as PEP 751 installs every package whose marker holds).
 */
export function writeNativeLock(projectDir: string, project: NativeProject, sdist: { path: string; filename: string; sha256: string }, runtime: BackendClosure): string {
  const out = ['lock-version = "1.0"', 'created-by = "wheelwright-tests"', ""];
  out.push("[[packages]]", `name = "${project.name}"`, `version = "${project.version}"`);
  out.push(`dependencies = [${project.dependencies.map((d) => `{ name = "${d}" }`).join(", ")}]`);
  out.push(`sdist = { name = "${sdist.filename}", path = ${JSON.stringify(sdist.path)}, hashes = { sha256 = "${sdist.sha256}" } }`, "");
  for (const wheel of runtime.wheels) {
    out.push("[[packages]]", `name = "${wheel.name}"`, `version = "${wheel.version}"`);
    out.push(`dependencies = [${(runtime.dependencies[wheel.name] ?? []).map((d) => `{ name = "${d}" }`).join(", ")}]`);
    out.push("", "[[packages.wheels]]", `name = "${wheel.filename}"`, `path = ${JSON.stringify(wheel.path)}`, `hashes = { sha256 = "${wheel.sha256}" }`, "");
  }
  const file = join(projectDir, "pylock.toml");
  writeFileSync(file, out.join("\n"));
  return file;
}
