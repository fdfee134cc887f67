// Malformed lock files: each case must fail with a stable code, the file, the line of the
// offending header or key (found here by searching the text, not through the readers), the
// package, and a hint. Lines are checked against the text the case wrote.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../../src/errors.js";
import { parsePylock, parseUvLock } from "../../src/lock/index.js";
import { fakeSha256, lineOf, pylock, pylockFile, uvFile, uvLock, type PylockEntry, type UvEntry, EMPTY_DIR, failure, readPylock, readUv } from "../helpers/lock-builder.js";
import type { LockOptions } from "../../src/lock/index.js";

const UV_FILE = join(EMPTY_DIR, "uv.lock");
const PY_FILE = join(EMPTY_DIR, "pylock.toml");
const SHA = fakeSha256("x");

const root = (more: Partial<UvEntry> = {}): UvEntry => ({ name: "app", version: "1.0.0", source: { editable: "." }, ...more });
const reg = (name: string, version = "1.0", more: Partial<UvEntry> = {}): UvEntry => ({ name, version, wheels: [`${name}-${version}-py3-none-any.whl`], ...more });
const wheelPkg = (name: string, more: Partial<PylockEntry> = {}): PylockEntry => ({ name, version: "1.0", wheels: [`${name}-1.0-py3-none-any.whl`], ...more });

interface Case {
  name: string;
  format: "uv" | "pylock";
  text: string;
  options?: Partial<LockOptions>;
  code: ErrorCode;
  /** A text on the offending line, or null where no line applies. */
  at: string | null;
  /** Which occurrence of `at` (default the first). */
  nth?: number;
  package?: string;
}

const cases: Case[] = [
  // ----------------------------------------------------------------- uv.lock
  { name: "uv: TOML syntax error", format: "uv", text: uvLock({ packages: [root()] }).replace('name = "app"', 'name = "app'), code: "ERR_WW_LOCK_PARSE", at: 'name = "app' },
  { name: "uv: name is not a string", format: "uv", text: uvLock({ packages: [root(), reg("dep")] }).replace('name = "dep"', "name = 42"), code: "ERR_WW_LOCK_PARSE", at: "name = 42" },
  { name: "uv: dependencies is not an array", format: "uv", text: uvLock({ packages: [root({ raw: ['dependencies = "dep"'] }), reg("dep")] }), code: "ERR_WW_LOCK_PARSE", at: 'dependencies = "dep"', package: "app" },
  { name: "uv: a dependency is not a table", format: "uv", text: uvLock({ packages: [root({ raw: ['dependencies = ["dep"]'] }), reg("dep")] }), code: "ERR_WW_LOCK_PARSE", at: 'dependencies = ["dep"]', package: "app" },
  { name: "uv: wheels are not tables", format: "uv", text: uvLock({ packages: [root(), reg("dep", "1.0", { wheels: undefined, raw: ['wheels = ["dep-1.0-py3-none-any.whl"]'] })] }), code: "ERR_WW_LOCK_PARSE", at: 'wheels = ["dep', package: "dep" },
  { name: "uv: size is not an integer", format: "uv", text: uvLock({ packages: [root(), reg("dep", "1.0", { wheels: [{ ...uvFile("dep-1.0-py3-none-any.whl"), size: "big" }] })] }), code: "ERR_WW_LOCK_PARSE", at: 'size = "big"', package: "dep" },
  { name: "uv: hash is not a string", format: "uv", text: uvLock({ packages: [root(), reg("dep", "1.0", { sdist: { url: "https://x.invalid/dep-1.0.tar.gz", hash: { sha256: SHA } } })] }), code: "ERR_WW_LOCK_PARSE", at: "sdist = ", package: "dep" },
  { name: "uv: sdist without a hash", format: "uv", text: uvLock({ packages: [root(), reg("dep", "1.0", { sdist: { url: "https://x.invalid/dep-1.0.tar.gz", size: 3 } })] }), code: "ERR_WW_LOCK_INVALID", at: "sdist = ", package: "dep" },
  { name: "uv: only a non-sha256 hash", format: "uv", text: uvLock({ packages: [root(), reg("dep", "1.0", { wheels: [{ url: "https://x.invalid/dep-1.0-py3-none-any.whl", hash: `md5:${"a".repeat(32)}` }] })] }), code: "ERR_WW_LOCK_INVALID", at: "md5:", package: "dep" },
  { name: "uv: unknown version 2", format: "uv", text: uvLock({ version: 2, packages: [root()] }), code: "ERR_WW_LOCK_VERSION", at: "version = 2" },
  { name: "uv: no version at all", format: "uv", text: uvLock({ packages: [root()] }).replace("version = 1\n", ""), code: "ERR_WW_LOCK_PARSE", at: "revision = 3" },
  { name: "uv: duplicate package (same name, version, source)", format: "uv", text: uvLock({ packages: [root({ dependencies: ["dep"] }), reg("dep"), reg("dep")] }), code: "ERR_WW_LOCK_INVALID", at: '[[package]]', nth: 2, package: "dep" },
  { name: "uv: dangling dependency name", format: "uv", text: uvLock({ packages: [root({ dependencies: ["dep", "ghost"] }), reg("dep")] }), code: "ERR_WW_LOCK_INVALID", at: '{ name = "ghost" }', package: "app" },
  { name: "uv: edge to a version the lock lacks", format: "uv", text: uvLock({ packages: [root({ dependencies: [{ name: "dep", version: "9.9" }] }), reg("dep")] }), code: "ERR_WW_LOCK_INVALID", at: '"9.9"', package: "app" },
  { name: "uv: source with two kinds", format: "uv", text: uvLock({ packages: [root(), reg("dep", "1.0", { source: { registry: "https://r.invalid/simple", url: "https://x.invalid/dep.whl" } })] }), code: "ERR_WW_LOCK_PARSE", at: 'source = { registry = "https://r.invalid', package: "dep" },
  { name: "uv: source with no kind", format: "uv", text: uvLock({ packages: [root(), reg("dep", "1.0", { source: {} })] }), code: "ERR_WW_LOCK_PARSE", at: "source = {  }", package: "dep" },
  { name: "uv: package without a source", format: "uv", text: uvLock({ packages: [root()] }).replace('source = { editable = "." }\n', ""), code: "ERR_WW_LOCK_PARSE", at: "[[package]]", package: "app" },
  { name: "uv: git source without a commit pin", format: "uv", text: uvLock({ packages: [root({ dependencies: ["tool"] }), { name: "tool", version: "1.0", source: { git: "https://git.invalid/tool.git?rev=main" } }] }), code: "ERR_WW_LOCK_INVALID", at: "rev=main", package: "tool" },
  { name: "uv: invalid version", format: "uv", text: uvLock({ packages: [root({ dependencies: ["dep"] }), reg("dep", "1.0-not-a-version!")] }), code: "ERR_WW_LOCK_INVALID", at: 'version = "1.0-not', package: "dep" },
  { name: "uv: invalid marker", format: "uv", text: uvLock({ packages: [root({ dependencies: [{ name: "dep", marker: "sys_platform === " }] }), reg("dep")] }), code: "ERR_WW_LOCK_INVALID", at: "sys_platform === ", package: "app" },
  { name: "uv: requires-python not satisfied", format: "uv", text: uvLock({ requiresPython: ">=3.12", packages: [root()] }), code: "ERR_WW_REQUIRES_PYTHON", at: "requires-python" },
  { name: "uv: unknown extra requested", format: "uv", text: uvLock({ packages: [root({ optional: { fast: ["dep"] } }), reg("dep")] }), options: { extras: ["slow"] }, code: "ERR_WW_UNKNOWN_EXTRA", at: "[[package]]", package: "app" },
  { name: "uv: unknown group requested", format: "uv", text: uvLock({ packages: [root({ groups: { dev: ["dep"] } }), reg("dep")] }), options: { groups: ["docs"] }, code: "ERR_WW_UNKNOWN_EXTRA", at: "[[package]]", package: "app" },
  {
    name: "uv: conflicting extras selected together",
    format: "uv",
    text: uvLock({
      conflicts: [[{ package: "app", extra: "cpu" }, { package: "app", extra: "gpu" }]],
      packages: [root({ optional: { cpu: [{ name: "torch", version: "2.0+cpu", marker: "extra == 'extra-3-app-cpu'" }], gpu: [{ name: "torch", version: "2.0+gpu", marker: "extra == 'extra-3-app-gpu'" }] } }), reg("torch", "2.0+cpu"), reg("torch", "2.0+gpu")],
    }),
    options: { extras: ["cpu", "gpu"] },
    code: "ERR_WW_CONFLICT",
    at: "conflicts = ",
    package: "app",
  },
  { name: "uv: ambiguous fork edge (no version/source)", format: "uv", text: uvLock({ packages: [root({ dependencies: ["dep"] }), reg("dep", "1.0"), reg("dep", "2.0")] }), code: "ERR_WW_LOCK_INVALID", at: '{ name = "dep" }', package: "app" },
  { name: "uv: directory source missing on disk", format: "uv", text: uvLock({ packages: [root({ dependencies: ["lib"] }), { name: "lib", version: "0.1", source: { directory: "libs/missing" } }] }), code: "ERR_WW_FETCH", at: 'source = { directory = "libs/missing" }', package: "lib" },
  { name: "uv: no root project", format: "uv", text: uvLock({ packages: [reg("dep")] }), code: "ERR_WW_LOCK_INVALID", at: null },
  { name: "uv: registry file without url or path", format: "uv", text: uvLock({ packages: [root({ dependencies: ["dep"] }), reg("dep", "1.0", { wheels: [{ hash: `sha256:${SHA}` }] })] }), code: "ERR_WW_LOCK_INVALID", at: `hash = "sha256:${SHA}"`, package: "dep" },
  { name: "uv: conflict item naming neither extra nor group", format: "uv", text: uvLock({ conflicts: [[{ package: "app" }]], packages: [root()] }), code: "ERR_WW_LOCK_PARSE", at: "conflicts = ", package: "app" },
  { name: "uv: wheel with an invalid file name", format: "uv", text: uvLock({ packages: [root({ dependencies: ["dep"] }), reg("dep", "1.0", { wheels: ["dep-1.0.whl"] })] }), code: "ERR_WW_LOCK_INVALID", at: "dep-1.0.whl", package: "dep" },
  { name: "uv: conflicts is not an array", format: "uv", text: uvLock({ packages: [root()] }).replace("revision = 3", 'revision = 3\nconflicts = "cpu"'), code: "ERR_WW_LOCK_PARSE", at: 'conflicts = "cpu"' },
  // ----------------------------------------------------------------- pylock.toml
  { name: "pylock: TOML syntax error", format: "pylock", text: pylock({ packages: [wheelPkg("dep")] }).replace("[[packages]]", "[[packages]"), code: "ERR_WW_LOCK_PARSE", at: "[[packages]" },
  { name: "pylock: unknown major lock-version 2.0", format: "pylock", text: pylock({ lockVersion: "2.0", packages: [wheelPkg("dep")] }), code: "ERR_WW_LOCK_VERSION", at: "lock-version" },
  { name: "pylock: name is not a string", format: "pylock", text: pylock({ packages: [wheelPkg("dep")] }).replace('name = "dep"', "name = true"), code: "ERR_WW_LOCK_PARSE", at: "name = true" },
  { name: "pylock: wheels are not tables", format: "pylock", text: pylock({ packages: [{ name: "dep", version: "1.0", raw: ['wheels = ["dep-1.0-py3-none-any.whl"]'] }] }), code: "ERR_WW_LOCK_PARSE", at: "wheels = [", package: "dep" },
  { name: "pylock: hashes is not a table", format: "pylock", text: pylock({ packages: [wheelPkg("dep", { wheels: [{ ...pylockFile("dep-1.0-py3-none-any.whl"), hashes: SHA }] })] }), code: "ERR_WW_LOCK_PARSE", at: `hashes = "${SHA}"`, package: "dep" },
  { name: "pylock: size is not an integer", format: "pylock", text: pylock({ packages: [wheelPkg("dep", { wheels: [{ ...pylockFile("dep-1.0-py3-none-any.whl"), size: 1.5 }] })] }), code: "ERR_WW_LOCK_PARSE", at: "size = 1.5", package: "dep" },
  { name: "pylock: wheel without hashes", format: "pylock", text: pylock({ packages: [wheelPkg("dep", { wheels: [{ name: "dep-1.0-py3-none-any.whl", url: "https://x.invalid/dep-1.0-py3-none-any.whl" }] })] }), code: "ERR_WW_LOCK_INVALID", at: "[[packages.wheels]]", package: "dep" },
  { name: "pylock: only a non-sha256 hash", format: "pylock", text: pylock({ packages: [{ name: "dep", version: "1.0", sdist: { url: "https://x.invalid/dep-1.0.tar.gz", hashes: { md5: "a".repeat(32) } } }] }), code: "ERR_WW_LOCK_INVALID", at: "sdist = ", package: "dep" },
  { name: "pylock: same name selected twice", format: "pylock", text: pylock({ packages: [wheelPkg("dep"), wheelPkg("dep", { version: "2.0", marker: "python_version >= '3'" })] }), code: "ERR_WW_LOCK_INVALID", at: "[[packages]]", nth: 1, package: "dep" },
  { name: "pylock: two source kinds", format: "pylock", text: pylock({ packages: [wheelPkg("dep", { directory: { path: "dep" } })] }), code: "ERR_WW_LOCK_INVALID", at: "[[packages]]", package: "dep" },
  { name: "pylock: no source at all", format: "pylock", text: pylock({ packages: [{ name: "dep", version: "1.0" }] }), code: "ERR_WW_LOCK_INVALID", at: "[[packages]]", package: "dep" },
  { name: "pylock: sdist without url or path", format: "pylock", text: pylock({ packages: [{ name: "dep", version: "1.0", sdist: { name: "dep-1.0.tar.gz", hashes: { sha256: SHA } } }] }), code: "ERR_WW_LOCK_INVALID", at: "sdist = ", package: "dep" },
  { name: "pylock: wheel without url or path", format: "pylock", text: pylock({ packages: [wheelPkg("dep", { wheels: [{ name: "dep-1.0-py3-none-any.whl", hashes: { sha256: SHA } }] })] }), code: "ERR_WW_LOCK_INVALID", at: "[[packages.wheels]]", package: "dep" },
  { name: "pylock: vcs without a commit", format: "pylock", text: pylock({ packages: [{ name: "tool", vcs: { type: "git", url: "https://git.invalid/tool.git", "requested-revision": "main" } }] }), code: "ERR_WW_LOCK_INVALID", at: "vcs = ", package: "tool" },
  { name: "pylock: invalid version", format: "pylock", text: pylock({ packages: [wheelPkg("dep", { version: "one.two" })] }), code: "ERR_WW_LOCK_INVALID", at: 'version = "one.two"', package: "dep" },
  { name: "pylock: invalid marker", format: "pylock", text: pylock({ packages: [wheelPkg("dep", { marker: "python_version >>> '3'" })] }), code: "ERR_WW_LOCK_INVALID", at: "marker = ", package: "dep" },
  { name: "pylock: requires-python not satisfied", format: "pylock", text: pylock({ requiresPython: ">=3.13", packages: [wheelPkg("dep")] }), code: "ERR_WW_REQUIRES_PYTHON", at: "requires-python" },
  { name: "pylock: a package's requires-python not satisfied", format: "pylock", text: pylock({ packages: [wheelPkg("ok"), wheelPkg("dep", { requiresPython: "<3.10" })] }), code: "ERR_WW_REQUIRES_PYTHON", at: 'requires-python = "<3.10"', package: "dep" },
  { name: "pylock: environments not matching", format: "pylock", text: pylock({ environments: ["sys_platform == 'win32'", "sys_platform == 'darwin'"], packages: [wheelPkg("dep")] }), code: "ERR_WW_LOCK_ENVIRONMENT", at: "environments = " },
  { name: "pylock: unknown extra requested", format: "pylock", text: pylock({ extras: ["fast"], packages: [wheelPkg("dep")] }), options: { extras: ["slow"] }, code: "ERR_WW_UNKNOWN_EXTRA", at: "extras = " },
  { name: "pylock: unknown group requested", format: "pylock", text: pylock({ dependencyGroups: ["dev"], packages: [wheelPkg("dep")] }), options: { groups: ["docs"] }, code: "ERR_WW_UNKNOWN_EXTRA", at: "dependency-groups = " },
  { name: "pylock: wheels without a version", format: "pylock", text: pylock({ packages: [wheelPkg("dep", { version: undefined })] }), code: "ERR_WW_LOCK_INVALID", at: "[[packages]]", package: "dep" },
  { name: "pylock: directory source missing on disk", format: "pylock", text: pylock({ packages: [{ name: "lib", directory: { path: "no/such/dir" } }] }), code: "ERR_WW_FETCH", at: "[[packages]]", package: "lib" },
  { name: "pylock: marker with a variable PEP 751 does not define", format: "pylock", text: pylock({ packages: [wheelPkg("dep", { marker: "extra == 'x'" })] }), code: "ERR_WW_MARKER_EVALUATION", at: "[[packages]]", package: "dep" },
  { name: "pylock: wheel with an invalid file name", format: "pylock", text: pylock({ packages: [wheelPkg("dep", { wheels: [pylockFile("dep.whl")] })] }), code: "ERR_WW_LOCK_INVALID", at: "[[packages.wheels]]", package: "dep" },
  { name: "pylock: lock-version is not a string", format: "pylock", text: pylock({ packages: [wheelPkg("dep")] }).replace('lock-version = "1.0"', "lock-version = 1.0"), code: "ERR_WW_LOCK_PARSE", at: "lock-version" },
  { name: "pylock: inline packages array with a bad entry", format: "pylock", text: 'lock-version = "1.0"\npackages = [\n  { name = "a", version = "1", wheels = [] },\n  "b",\n]\n', code: "ERR_WW_LOCK_PARSE", at: '"b"' },
];

describe("malformed lock files", () => {
  it("has at least 25 distinct cases across both formats", () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(25);
    expect(cases.filter((c) => c.format === "uv").length).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => c.format === "pylock").length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)("$name", (c) => {
    const error = failure(() => (c.format === "uv" ? readUv(c.text, c.options) : readPylock(c.text, c.options)));
    expect(error.code, error.message).toBe(c.code);
    expect(error.location.file).toBe(c.format === "uv" ? UV_FILE : PY_FILE);
    if (c.at !== null) expect(error.location.line, `${error.message}\n${c.text}`).toBe(lineOf(c.text, c.at, c.nth));
    if (c.package !== undefined) expect(error.location.package).toBe(c.package);
    expect(error.hint ?? "").not.toBe("");
    if (c.package !== undefined) expect(error.message).toContain(c.package);
  });
});

describe("version warnings", () => {
  it("accepts pylock lock-version 1.1 with a warning", () => {
    const text = pylock({ lockVersion: "1.1", packages: [wheelPkg("dep")] });
    const model = parsePylock(text, PY_FILE, EMPTY_DIR);
    expect(model.warnings).toHaveLength(1);
    expect(model.warnings[0]).toContain("1.1");
    expect(readPylock(text).warnings).toEqual(model.warnings);
  });

  it("accepts pylock lock-version 1.0 without warnings", () => {
    expect(parsePylock(pylock({ packages: [wheelPkg("dep")] }), PY_FILE).warnings).toEqual([]);
  });

  it("reads a uv.lock revision newer than it knows with a warning", () => {
    const model = parseUvLock(uvLock({ revision: 9, packages: [root()] }), UV_FILE);
    expect(model.warnings.join("\n")).toContain("revision 9");
  });
});
