// Source projects for build tests, written from module files for a chosen backend, plus the
// ways a lock can point at them: an sdist (.tar.gz, deterministic), a local git repository
// with one commit, or the directory itself.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type BackendKind = "setuptools" | "setuptools-c" | "hatchling" | "flit_core" | "poetry-core";

export interface ProjectSpec {
  name: string;
  version: string;
  backend: BackendKind;
  /** Files of the import package, relative to it (default: an `__init__.py` defining `VALUE`). */
  modules?: Record<string, string>;
  /** Replaces `[build-system] requires` (default: the backend's own name). */
  requires?: string[];
  /** `[project] dependencies`. */
  dependencies?: string[];
  /** Extra files relative to the project root (e.g. a setup.py that imports something). */
  files?: Record<string, string>;
  /** Leave out `[build-system]` entirely (PEP 517 fallback). */
  noBuildSystem?: boolean;
}

/** Import name of a project: its name with `-` as `_`. */
export const moduleName = (name: string) => name.replace(/[-.]/g, "_").toLowerCase();

const BACKENDS: Record<BackendKind, { requires: string[]; backend: string }> = {
  setuptools: { requires: ["setuptools"], backend: "setuptools.build_meta" },
  "setuptools-c": { requires: ["setuptools"], backend: "setuptools.build_meta" },
  hatchling: { requires: ["hatchling"], backend: "hatchling.build" },
  flit_core: { requires: ["flit_core"], backend: "flit_core.buildapi" },
  "poetry-core": { requires: ["poetry-core"], backend: "poetry.core.masonry.api" },
};

const C_SOURCE = `#define PY_SSIZE_T_CLEAN
#include <Python.h>
static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}
static PyMethodDef methods[] = {{"add", add, METH_VARARGS, "Add two integers."}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, methods};
PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }
`;

/** Writes the project under `parent/<name>` and returns its directory. */
export function writeProject(parent: string, spec: ProjectSpec): string {
  const dir = join(parent, spec.name);
  const mod = moduleName(spec.name);
  const modules = spec.modules ?? { "__init__.py": `"""The ${spec.name} test package."""\nVALUE = ${JSON.stringify(`${spec.name} ${spec.version}`)}\n` };
  const files: Record<string, string> = {};
  for (const [rel, text] of Object.entries(modules)) files[`${mod}/${rel}`] = text;
  const kind = BACKENDS[spec.backend];
  const lines: string[] = [];
  if (!spec.noBuildSystem) lines.push("[build-system]", `requires = ${JSON.stringify(spec.requires ?? kind.requires)}`, `build-backend = "${kind.backend}"`, "");
  lines.push("[project]", `name = "${spec.name}"`, `version = "${spec.version}"`, `description = "A test project built with ${spec.backend}."`);
  lines.push(`dependencies = ${JSON.stringify(spec.dependencies ?? [])}`, "");
  if (spec.backend === "setuptools" || spec.backend === "setuptools-c") lines.push("[tool.setuptools]", `packages = ["${mod}"]`, "");
  if (spec.backend === "setuptools-c") {
    files[`${mod}/_speedups.c`] = C_SOURCE;
    files["setup.py"] = `from setuptools import Extension, setup\nsetup(ext_modules=[Extension("${mod}._speedups", ["${mod}/_speedups.c"])])\n`;
  }
  if (spec.backend === "poetry-core") lines.push("[tool.poetry]", `packages = [{ include = "${mod}" }]`, "");
  files["pyproject.toml"] = lines.join("\n");
  Object.assign(files, spec.files ?? {});
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

export interface LocalFile {
  path: string;
  filename: string;
  sha256: string;
}

/** A deterministic `<name>-<version>.tar.gz` of `projectDir` in `outDir` (one top directory). */
export function makeSdist(projectDir: string, outDir: string, name: string, version: string): LocalFile {
  mkdirSync(outDir, { recursive: true });
  const top = `${moduleName(name)}-${version}`;
  const filename = `${top}.tar.gz`;
  const path = join(outDir, filename);
  const tarArgs = ["--sort=name", "--mtime=@315532800", "--owner=0", "--group=0", "--numeric-owner", "--format=ustar", `--transform=s,^\\.,${top},`, "-C", projectDir, "-cf", "-", "."];
  const tarBytes = execFileSync("tar", tarArgs, { maxBuffer: 64 * 1024 * 1024 });
  const gz = execFileSync("gzip", ["-n", "-9"], { input: tarBytes, maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(path, gz);
  return { path, filename, sha256: createHash("sha256").update(readFileSync(path)).digest("hex") };
}

/** Makes `dir` a git repository with everything committed; returns the commit id. */
export function makeGitRepo(dir: string): string {
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid", GIT_AUTHOR_DATE: "2020-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2020-01-01T00:00:00Z" };
  const git = (...args: string[]) => execFileSync("git", ["-c", "init.defaultBranch=main", ...args], { cwd: dir, env, encoding: "utf8" }).trim();
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "test project");
  return git("rev-parse", "HEAD");
}
