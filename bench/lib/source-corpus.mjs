// The SOURCE corpus: real packages built from source through several PEP 517 backends.
//
// There are no genuine sdists on these machines, so source trees are made from pure-Python
// wheels of the repacked corpus (bench/lib/corpus.mjs): the wheel's importable files plus a
// generated pyproject.toml for a backend chosen in rotation (setuptools, hatchling, flit_core,
// poetry-core), packed into deterministic sdists. The runtime dependencies of each package
// come from its wheel's METADATA (so the environment has real depth). MarkupSafe keeps its
// genuine `_speedups.c` and is built as a C extension by setuptools + gcc, and two generated C
// extensions of different sizes make build times vary.
//
// One build dependency is our own: `wwbench-buildtool`, built from source (flit_core) and
// listed in `[build-system] requires` of every setuptools package, whose setup.py imports it.
// Bumping it (1.0 → 1.1) must rebuild exactly those packages (and itself). The backends come
// as genuine wheels from the machine's local mirror, listed in a build lock (`--build-lock`).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The packages of the corpus (normalized names): closed under runtime dependencies. */
export const SOURCE_PACKAGES = [
  // flask and its dependencies (markupsafe: a C extension)
  "flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "blinker",
  // requests
  "requests", "urllib3", "idna", "certifi", "charset-normalizer",
  // ipython 8.12 and its dependencies (jedi is the big one: 34 MB, 5600 files)
  "ipython", "backcall", "decorator", "jedi", "parso", "matplotlib-inline", "traitlets", "pickleshare",
  "prompt-toolkit", "wcwidth", "pygments", "stack-data", "executing", "asttokens", "pure-eval", "pexpect", "ptyprocess",
  // trio
  "trio", "attrs", "outcome", "sniffio", "sortedcontainers",
  // dateutil
  "python-dateutil", "six",
];

/** Packages that keep a C extension (built by setuptools with gcc), by normalized name. */
const C_EXTENSIONS = { markupsafe: [{ module: "markupsafe._speedups", sources: ["markupsafe/_speedups.c"] }] };

/** Generated C extensions: [name, functions] (compile time grows with the function count). */
const NATIVE = [["wwbench-native-heavy", 700], ["wwbench-native-light", 120]];

export const BUILD_TOOL = "wwbench-buildtool";
/** The runtime dependency the "bump one runtime dependency" scenario changes. */
export const RUNTIME_BUMP = "idna";

const BACKENDS = ["setuptools", "hatchling", "flit_core", "poetry-core"];
const BACKEND_INFO = {
  setuptools: { requires: ["setuptools", BUILD_TOOL], backend: "setuptools.build_meta" },
  hatchling: { requires: ["hatchling"], backend: "hatchling.build" },
  flit_core: { requires: ["flit_core"], backend: "flit_core.buildapi" },
  "poetry-core": { requires: ["poetry-core"], backend: "poetry.core.masonry.api" },
};
/** Wheels of the backends (with their runtime closures) go into the build lock. */
const BACKEND_WHEELS = ["setuptools", "hatchling", "flit-core", "poetry-core"];
const MIRRORS = ["/opt/pypi/simple", "/opt/pypi-more/simple"];

const normalize = (name) => name.toLowerCase().replace(/[-_.]+/g, "-");
const underscore = (name) => normalize(name).replace(/-/g, "_");
const q = (s) => JSON.stringify(s);
const sha256 = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Why this machine can't make the corpus (no local mirror with the backends), or undefined. */
export function sourceCorpusUnavailable() {
  for (const name of BACKEND_WHEELS) if (findMirrorWheel(name) === undefined) return `no offline wheel of ${name} (looked in ${MIRRORS.join(", ")})`;
  return undefined;
}

function versionKey(v) {
  return v.split(/[.+-]/).map((p) => Number.parseInt(p, 10) || 0);
}
function newer(a, b) {
  const x = versionKey(a);
  const y = versionKey(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
}

/** The newest pure wheel of `name` in the local mirror: { name, version, filename, path, sha256 }. */
function findMirrorWheel(name) {
  const key = normalize(name);
  let best;
  for (const mirror of MIRRORS) {
    const index = join(mirror, key, "index.html");
    if (!existsSync(index)) continue;
    for (const m of readFileSync(index, "utf8").matchAll(/href="([^"#]+\.whl)#sha256=([0-9a-f]{64})"/g)) {
      const path = join(mirror, key, m[1]);
      const filename = basename(path);
      if (!/-py3-none-any\.whl$|-py2\.py3-none-any\.whl$/.test(filename) || !existsSync(path)) continue;
      const wheel = { name: key, version: filename.split("-")[1], filename, path, sha256: m[2] };
      if (best === undefined || newer(wheel.version, best.version)) best = wheel;
    }
  }
  return best;
}

/** Runs a Python script with JSON on stdin; returns its JSON stdout. */
function python(py, script, input) {
  const r = spawnSync(py, ["-c", script], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`python helper failed: ${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout);
}

// Extracts the importable files of wheels (not .dist-info/.data, no compiled objects) into
// one directory per wheel, and returns each wheel's METADATA headers.
const EXTRACT = String.raw`
import json, os, sys, zipfile, email.parser
jobs = json.load(sys.stdin)
out = {}
for job in jobs:
    z = zipfile.ZipFile(job["wheel"])
    meta_name = [n for n in z.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")][0]
    msg = email.parser.Parser().parsestr(z.read(meta_name).decode("utf-8"), headersonly=True)
    files = []
    for info in z.infolist():
        name = info.filename
        top = name.split("/")[0]
        if name.endswith("/") or top.endswith((".dist-info", ".data")) or "__pycache__" in name.split("/"):
            continue
        if name.endswith((".so", ".pyd", ".pyc")):
            continue
        dest = os.path.join(job["dest"], name)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(z.read(info))
        files.append(name)
    out[job["wheel"]] = {
        "files": files,
        "summary": msg.get("Summary", "") or "",
        "requiresPython": msg.get("Requires-Python", "") or "",
        "requiresDist": msg.get_all("Requires-Dist") or [],
        "name": msg.get("Name"),
    }
print(json.dumps(out))
`;

// Reads Requires-Dist of wheels for python3.11 with extras off: { path: [normalized names] }.
const WHEEL_REQUIRES = String.raw`
import json, sys, zipfile, email.parser, re
paths = json.load(sys.stdin)
sys.path.insert(0, paths.pop())
from packaging.requirements import Requirement
out = {}
for p in paths:
    z = zipfile.ZipFile(p)
    meta = [n for n in z.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")][0]
    msg = email.parser.Parser().parsestr(z.read(meta).decode("utf-8"), headersonly=True)
    names = []
    for text in msg.get_all("Requires-Dist") or []:
        r = Requirement(text)
        if r.marker is None or r.marker.evaluate({"extra": ""}):
            names.append(re.sub(r"[-_.]+", "-", r.name).lower())
    out[p] = sorted(set(names))
print(json.dumps(out))
`;

/** The backends' wheels and their runtime closure: [{...wheel, dependencies}]. */
function backendClosure(py, packagingDir) {
  const wheels = new Map();
  let todo = BACKEND_WHEELS.map(normalize);
  while (todo.length > 0) {
    const batch = [];
    for (const name of todo) {
      if (wheels.has(name)) continue;
      const w = findMirrorWheel(name);
      if (w === undefined) throw new Error(`no offline wheel of ${name} in ${MIRRORS.join(", ")}`);
      wheels.set(name, w);
      batch.push(w);
    }
    if (batch.length === 0) break;
    const reqs = python(py, WHEEL_REQUIRES, [...batch.map((w) => w.path), packagingDir]);
    todo = [];
    for (const w of batch) {
      w.dependencies = reqs[w.path];
      todo.push(...w.dependencies);
    }
  }
  return [...wheels.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Top-level entries of a wheel's files: { packages: [dotted names of every dir], modules: [single-file modules], tops }. */
function layoutOf(files) {
  const tops = [...new Set(files.map((f) => f.split("/")[0]))].sort();
  const dirs = new Set();
  for (const f of files) {
    const parts = f.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("."));
  }
  const modules = tops.filter((t) => t.endsWith(".py") && !files.some((f) => f.startsWith(`${t}/`))).map((t) => t.slice(0, -3));
  return { tops, packages: [...dirs].sort(), modules };
}

/** A PEP 621 [project] table. */
function projectTable(p) {
  const lines = ["[project]", `name = ${q(p.name)}`, `version = ${q(p.version)}`, `description = ${q(p.summary || `${p.name}, rebuilt from source for the wheelwright SOURCE bench`)}`];
  if (p.requiresPython) lines.push(`requires-python = ${q(p.requiresPython)}`);
  lines.push(`dependencies = [${p.requiresDist.map(q).join(", ")}]`, "");
  return lines;
}

/** pyproject.toml (+ setup.py for setuptools) of a source tree, for its backend. */
function backendFiles(p) {
  const info = BACKEND_INFO[p.backend];
  const lines = ["[build-system]", `requires = [${info.requires.map(q).join(", ")}]`, `build-backend = ${q(info.backend)}`, "", ...projectTable(p)];
  const files = {};
  const { tops, packages, modules } = p.layout;
  if (p.backend === "setuptools") {
    lines.push("[tool.setuptools]", `packages = [${packages.map(q).join(", ")}]`, `py-modules = [${modules.map(q).join(", ")}]`, "include-package-data = false", "");
    lines.push("[tool.setuptools.package-data]", `"*" = ["*"]`, "");
    const ext = p.extensions ?? [];
    files["setup.py"] = [
      "# the SOURCE bench's build dependency: bumping it must rebuild this package",
      ...(ext.length > 0 ? ["from setuptools import Extension, setup"] : ["from setuptools import setup"]),
      `from ${underscore(BUILD_TOOL)} import setup_options`,
      ext.length > 0 ? `setup(**setup_options(ext_modules=[${ext.map((e) => `Extension(${q(e.module)}, ${JSON.stringify(e.sources)})`).join(", ")}]))` : "setup(**setup_options())",
      "",
    ].join("\n");
  } else if (p.backend === "hatchling") {
    lines.push("[tool.hatch.build.targets.wheel]", `only-include = [${tops.map(q).join(", ")}]`, "");
  } else if (p.backend === "flit_core") {
    if (tops.length !== 1) throw new Error(`${p.name}: flit_core needs exactly one top-level module`);
    lines.push("[tool.flit.module]", `name = ${q(tops[0].replace(/\.py$/, ""))}`, "");
  } else if (p.backend === "poetry-core") {
    lines.push("[tool.poetry]", `packages = [${tops.map((t) => `{ include = ${q(t)} }`).join(", ")}]`, "");
  }
  files["pyproject.toml"] = lines.join("\n");
  return files;
}

/** A deterministic `<name>-<version>.tar.gz` of `projectDir` (one top directory) in `outDir`. */
export function makeSdist(projectDir, outDir, name, version) {
  mkdirSync(outDir, { recursive: true });
  const top = `${underscore(name)}-${version}`;
  const filename = `${top}.tar.gz`;
  const path = join(outDir, filename);
  const tar = spawnSync("tar", ["--sort=name", "--mtime=@315532800", "--owner=0", "--group=0", "--numeric-owner", "--format=ustar", `--transform=s,^\\.,${top},`, "-C", projectDir, "-cf", "-", "."], { maxBuffer: 512 << 20 });
  if (tar.status !== 0) throw new Error(`tar failed for ${name}: ${tar.stderr}`);
  const gz = spawnSync("gzip", ["-n", "-6"], { input: tar.stdout, maxBuffer: 512 << 20 });
  if (gz.status !== 0) throw new Error(`gzip failed for ${name}`);
  writeFileSync(path, gz.stdout);
  return { path, filename, sha256: sha256(path) };
}

function writeTree(dir, files) {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

function nativeSource(module, functions) {
  const out = ["#define PY_SSIZE_T_CLEAN", "#include <Python.h>", `/* generated for the wheelwright SOURCE bench: ${functions} functions */`];
  for (let i = 0; i < functions; i++) {
    out.push(`static long f${i}(long x) { long s = 0; for (long k = 0; k < x; k++) { s += (k * ${i + 3}) ^ (s >> ${(i % 7) + 1}); if (s % ${i + 11} == 0) s += k; } return s + ${i}; }`);
  }
  out.push("static PyObject *total(PyObject *self, PyObject *args) {", "  long x;", '  if (!PyArg_ParseTuple(args, "l", &x)) return NULL;', "  long s = 0;");
  for (let i = 0; i < functions; i++) out.push(`  s += f${i}(x);`);
  out.push("  return PyLong_FromLong(s);", "}");
  out.push('static PyMethodDef methods[] = {{"total", total, METH_VARARGS, "Sum of every generated function."}, {NULL, NULL, 0, NULL}};');
  out.push(`static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};`);
  out.push("PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }", "");
  return out.join("\n");
}

function buildToolFiles(version) {
  return {
    "pyproject.toml": [
      "[build-system]", 'requires = ["flit_core"]', 'build-backend = "flit_core.buildapi"', "",
      "[project]", `name = ${q(BUILD_TOOL)}`, `version = ${q(version)}`, 'description = "A build helper that setup.py files of the SOURCE bench import."', "dependencies = []", "",
      "[tool.flit.module]", `name = ${q(underscore(BUILD_TOOL))}`, "",
    ].join("\n"),
    [`${underscore(BUILD_TOOL)}/__init__.py`]: [
      '"""Options every setuptools package of the wheelwright SOURCE bench passes to setup()."""',
      `VERSION = ${q(version)}`,
      "",
      "",
      "def setup_options(**extra):",
      '    """The keyword arguments for setuptools.setup(): `extra` as given."""',
      "    return dict(extra)",
      "",
    ].join("\n"),
  };
}

/**
 * Makes the corpus under `out` (emptied first):
 *   out/dist/       sdists of every package and of the build tool, plus the backend wheels (pip's --find-links)
 *   out/bump/       sdists of bumped versions (the bump scenarios), made on demand
 *   out/trees/      the unpacked source trees (for reading)
 * Returns { packages, buildTool, backends, dist, bumpRuntime(n), bumpBuildTool(n) }, where a
 * package is { name, version, backend, sdist, dependencies (normalized runtime deps),
 * buildRequires, extensions? }; bumpRuntime(n) is RUNTIME_BUMP at `<version>.post<n>` and
 * bumpBuildTool(n) the build tool at `1.<n>`, each with a new sdist.
 */
export function makeSourceCorpus({ corpus, python: py, out, pep }) {
  rmSync(out, { recursive: true, force: true });
  const dist = join(out, "dist");
  const trees = join(out, "trees");
  const bumpDir = join(out, "bump");
  mkdirSync(dist, { recursive: true });
  mkdirSync(bumpDir, { recursive: true });

  const byName = new Map(corpus.wheels.map((w) => [normalize(w.name), w]));
  const chosen = SOURCE_PACKAGES.map((name) => {
    const w = byName.get(name);
    if (w === undefined) throw new Error(`${name} is not in the repacked corpus ${corpus.dir}`);
    return w;
  });
  const extracted = python(py, EXTRACT, chosen.map((w) => ({ wheel: w.path, dest: join(trees, `${normalize(w.name)}-${w.version}`) })));

  const markers = python(py, "import json,sys,os,platform\njson.load(sys.stdin)\nprint(json.dumps({'python_version':'.'.join(platform.python_version_tuple()[:2]),'python_full_version':platform.python_version(),'sys_platform':sys.platform,'platform_system':platform.system(),'os_name':os.name,'platform_machine':platform.machine(),'implementation_name':sys.implementation.name,'platform_python_implementation':platform.python_implementation(),'platform_release':platform.release(),'platform_version':platform.version(),'implementation_version':platform.python_version()}))", null);

  const packages = [];
  let rotation = 0;
  for (const w of chosen) {
    const name = normalize(w.name);
    const meta = extracted[w.path];
    const layout = layoutOf(meta.files);
    // dependencies without extras; the environment's edges are those that hold on this interpreter
    const requiresDist = [];
    const dependencies = [];
    for (const text of meta.requiresDist) {
      const req = pep.parseRequirement(text);
      if (req.marker !== null && /\bextra\b/.test(text.split(";").slice(1).join(";"))) continue;
      requiresDist.push(text);
      if (req.marker === null || pep.evaluateMarker(req.marker, { ...markers, extra: "" })) {
        const dep = normalize(req.name);
        if (!SOURCE_PACKAGES.includes(dep)) throw new Error(`${name} needs ${dep}, which the SOURCE corpus lacks`);
        dependencies.push(dep);
      }
    }
    let backend;
    if (C_EXTENSIONS[name]) backend = "setuptools";
    else {
      backend = BACKENDS[rotation++ % BACKENDS.length];
      if (backend === "flit_core" && layout.tops.length !== 1) backend = BACKENDS[rotation++ % BACKENDS.length];
    }
    const p = { name, version: w.version, backend, summary: meta.summary, requiresPython: meta.requiresPython, requiresDist, dependencies: [...new Set(dependencies)].sort(), layout, extensions: C_EXTENSIONS[name] };
    const dir = join(trees, `${name}-${w.version}`);
    writeTree(dir, backendFiles(p));
    p.sdist = makeSdist(dir, dist, name, w.version);
    p.buildRequires = BACKEND_INFO[backend].requires.map(normalize);
    packages.push(p);
  }

  for (const [name, functions] of NATIVE) {
    const mod = underscore(name);
    const dir = join(trees, `${name}-1.0`);
    const p = { name, version: "1.0", backend: "setuptools", summary: `A generated C extension (${functions} functions) for the wheelwright SOURCE bench`, requiresPython: ">=3.8", requiresDist: [], dependencies: [], layout: { tops: [mod], packages: [mod], modules: [] }, extensions: [{ module: `${mod}._native`, sources: [`${mod}/_native.c`] }] };
    writeTree(dir, { ...backendFiles(p), [`${mod}/__init__.py`]: `"""${p.summary}."""\nfrom ._native import total\n`, [`${mod}/_native.c`]: nativeSource(mod, functions) });
    p.sdist = makeSdist(dir, dist, name, "1.0");
    p.buildRequires = BACKEND_INFO.setuptools.requires.map(normalize);
    packages.push(p);
  }

  const makeTool = (version, where) => {
    const dir = join(trees, `${BUILD_TOOL}-${version}`);
    writeTree(dir, buildToolFiles(version));
    return { name: BUILD_TOOL, version, backend: "flit_core", sdist: makeSdist(dir, where, BUILD_TOOL, version), buildRequires: ["flit-core"], dependencies: [] };
  };
  const buildTool = makeTool("1.0", dist);
  // bump n (1, 2, …) of the build tool: version 1.n, a new sdist
  const bumpBuildTool = (n) => makeTool(`1.${n}`, join(bumpDir, `build-${n}`));

  // bump n of the runtime dependency: the same tree as a post release `.post<n>`
  const base = packages.find((p) => p.name === RUNTIME_BUMP);
  const bumpRuntime = (n) => {
    const version = `${base.version}.post${n}`;
    const tree = join(trees, `${RUNTIME_BUMP}-${version}`);
    rmSync(tree, { recursive: true, force: true });
    spawnSync("cp", ["-a", join(trees, `${RUNTIME_BUMP}-${base.version}`), tree]);
    const pyproject = join(tree, "pyproject.toml");
    writeFileSync(pyproject, readFileSync(pyproject, "utf8").replace(`version = ${q(base.version)}`, `version = ${q(version)}`));
    return { ...base, version, sdist: makeSdist(tree, join(bumpDir, `runtime-${n}`), RUNTIME_BUMP, version) };
  };

  // the backends (genuine wheels), next to the sdists for pip
  const packagingDir = join(out, "packaging-lib");
  const packagingWheel = findMirrorWheel("packaging");
  if (packagingWheel === undefined) throw new Error("no packaging wheel in the local mirror (needed to read wheel metadata)");
  mkdirSync(packagingDir, { recursive: true });
  spawnSync(py, ["-c", "import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", packagingWheel.path, packagingDir]);
  const backends = backendClosure(py, packagingDir);
  for (const b of backends) copyFileSync(b.path, join(dist, b.filename));

  return { packages, buildTool, backends, dist, bumpRuntime, bumpBuildTool };
}

function sdistLine(p) {
  return `sdist = { name = ${q(p.sdist.filename)}, path = ${q(p.sdist.path)}, hashes = { sha256 = ${q(p.sdist.sha256)} } }`;
}

/** The project's pylock.toml: every package from its sdist, with its runtime edges. */
export function writeSourceLock(file, packages) {
  const lines = ['lock-version = "1.0"', 'created-by = "wheelwright-bench"', 'requires-python = ">=3.11"', ""];
  for (const p of [...packages].sort((a, b) => a.name.localeCompare(b.name))) {
    lines.push("[[packages]]", `name = ${q(p.name)}`, `version = ${q(p.version)}`, `dependencies = [${p.dependencies.map((d) => `{ name = ${q(d)} }`).join(", ")}]`, sdistLine(p), "");
  }
  writeFileSync(file, lines.join("\n"));
}

/** The build lock: the backends' wheels (and closures) plus the build tool from its sdist. */
export function writeSourceBuildLock(file, backends, buildTool) {
  const lines = ['lock-version = "1.0"', 'created-by = "wheelwright-bench"', ""];
  for (const b of backends) {
    lines.push("[[packages]]", `name = ${q(b.name)}`, `version = ${q(b.version)}`, `dependencies = [${b.dependencies.map((d) => `{ name = ${q(d)} }`).join(", ")}]`, "");
    lines.push("[[packages.wheels]]", `name = ${q(b.filename)}`, `path = ${q(b.path)}`, `hashes = { sha256 = ${q(b.sha256)} }`, "");
  }
  lines.push("[[packages]]", `name = ${q(buildTool.name)}`, `version = ${q(buildTool.version)}`, "dependencies = []", sdistLine(buildTool), "");
  writeFileSync(file, lines.join("\n"));
}
