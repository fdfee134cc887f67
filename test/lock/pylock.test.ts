// PEP 751 pylock.toml for one environment: package markers over the interpreter plus the
// `extras` / `dependency_groups` sets, default groups, `[tool]` tables having no effect,
// inline package arrays, and each source kind.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FILES, fakeSha256, pylock, pylockFile, type PylockEntry, failure, readPylock, recipesOf, WINDOWS } from "../helpers/lock-builder.js";

const wheel = (name: string, more: Partial<PylockEntry> = {}): PylockEntry => ({ name, version: "1.0", wheels: [`${name.replace(/-/g, "_")}-1.0-py3-none-any.whl`], ...more });
const names = (env: ReturnType<typeof readPylock>) => Object.keys(recipesOf(env)).sort();

describe("selection", () => {
  const text = pylock({
    requiresPython: ">=3.9",
    extras: ["crypto", "speed"],
    dependencyGroups: ["dev", "docs", "test"],
    defaultGroups: ["test"],
    packages: [
      wheel("core", { dependencies: [{ name: "colorama" }, { name: "cryptography" }] }),
      wheel("colorama", { marker: "sys_platform == 'win32'" }),
      wheel("cryptography", { marker: "'crypto' in extras" }),
      wheel("uvloop", { marker: "'speed' in extras and sys_platform != 'win32'" }),
      wheel("pytest", { marker: "'test' in dependency_groups or 'dev' in dependency_groups" }),
      wheel("sphinx", { marker: "'docs' in dependency_groups" }),
      wheel("not-dev", { marker: "'dev' not in dependency_groups" }),
    ],
  });

  it("installs packages whose marker holds, with default groups on", () => {
    expect(names(readPylock(text))).toEqual(["core", "not-dev", "pytest"]);
    expect(names(readPylock(text, { python: WINDOWS }))).toEqual(["colorama", "core", "not-dev", "pytest"]);
  });

  it("evaluates `extras` and `dependency_groups` from the selection", () => {
    expect(names(readPylock(text, { extras: ["crypto"], noDefaultGroups: true }))).toEqual(["core", "cryptography", "not-dev"]);
    expect(names(readPylock(text, { extras: ["speed"], python: WINDOWS, noDefaultGroups: true }))).toEqual(["colorama", "core", "not-dev"]);
    expect(names(readPylock(text, { groups: ["dev"], noDefaultGroups: true }))).toEqual(["core", "pytest"]);
    expect(names(readPylock(text, { allExtras: true, allGroups: true }))).toEqual(["core", "cryptography", "pytest", "sphinx", "uvloop"]);
  });

  it("every selected package is a root; dependencies only draw edges among selected ones", () => {
    const env = readPylock(text, { extras: ["crypto"] });
    expect(env.roots).toEqual({ core: [], cryptography: [], "not-dev": [], pytest: [] });
    expect(recipesOf(env).core!.dependencies).toEqual({ cryptography: [] });
    expect(env.summary).toEqual({ packages: 7, selected: 4, sources: { wheel: 4 } });
    expect(env.format).toBe("pylock.toml");
  });

  it("one package may have several entries with exclusive markers", () => {
    const text = pylock({
      packages: [
        wheel("numpy", { version: "1.26.4", wheels: ["numpy-1.26.4-py3-none-any.whl"], marker: "python_version < '3.12'" }),
        wheel("numpy", { version: "2.1.0", wheels: ["numpy-2.1.0-py3-none-any.whl"], marker: "python_version >= '3.12'" }),
      ],
    });
    expect(recipesOf(readPylock(text)).numpy!.version).toBe("1.26.4");
  });

  it("matches `environments` when the interpreter is one of them", () => {
    const text = pylock({ environments: ["sys_platform == 'win32'", "sys_platform == 'linux' and python_version >= '3.10'"], packages: [wheel("dep")] });
    expect(names(readPylock(text))).toEqual(["dep"]);
    expect(names(readPylock(text, { python: WINDOWS }))).toEqual(["dep"]);
  });

  it("[packages.tool] tables change nothing", () => {
    const plain = pylock({ packages: [wheel("dep"), wheel("other")] });
    const tooled = pylock({ packages: [wheel("dep", { tool: { pdm: { groups: ["default"] }, wheelwright: { "source-preference": "sdist", skip: true } } }), wheel("other")] });
    expect(tooled).toContain("[packages.tool.wheelwright]");
    const a = recipesOf(readPylock(plain));
    const b = recipesOf(readPylock(tooled));
    expect(Object.keys(b)).toEqual(Object.keys(a));
    expect(b.dep!.source).toEqual(a.dep!.source);
  });

  it("reads an inline `packages = [...]` array", () => {
    const sha = fakeSha256("a");
    const text = `lock-version = "1.0"\nrequires-python = ">=3.8"\npackages = [\n  { name = "a", version = "1.0", wheels = [{ name = "a-1.0-py3-none-any.whl", url = "${FILES}/a-1.0-py3-none-any.whl", hashes = { sha256 = "${sha}" } }] },\n  { name = "b", version = "2.0", marker = "sys_platform == 'win32'", sdist = { name = "b-2.0.tar.gz", url = "${FILES}/b-2.0.tar.gz", hashes = { sha256 = "${sha}" } } },\n]\n`;
    expect(names(readPylock(text))).toEqual(["a"]);
    const win = recipesOf(readPylock(text, { python: WINDOWS }));
    expect(win.b!.source).toMatchObject({ kind: "sdist", file: { filename: "b-2.0.tar.gz", sha256: sha } });
    // A wrong entry in an inline array is reported on its own line.
    const broken = text.replace('version = "2.0"', 'version = "two"');
    expect(failure(() => readPylock(broken)).location.line).toBe(5);
  });
});

describe("sources", () => {
  it("wheels by tag priority, sdist fallback and preferences", () => {
    const text = pylock({
      packages: [
        {
          name: "fast",
          version: "1.0",
          sdist: pylockFile("fast-1.0.tar.gz"),
          wheels: ["fast-1.0-py3-none-any.whl", "fast-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", "fast-1.0-cp311-cp311-win_amd64.whl"],
        },
      ],
    });
    expect(recipesOf(readPylock(text)).fast!.source).toMatchObject({ kind: "wheel", file: { filename: "fast-1.0-cp311-cp311-manylinux_2_17_x86_64.whl" } });
    expect(recipesOf(readPylock(text, { python: WINDOWS })).fast!.source).toMatchObject({ kind: "wheel", file: { filename: "fast-1.0-cp311-cp311-win_amd64.whl" } });
    expect(recipesOf(readPylock(text, { sourcePreference: "sdist" })).fast!.source.kind).toBe("sdist");
    expect(recipesOf(readPylock(text, { noBinary: ["fast"] })).fast!.source.kind).toBe("sdist");
    const wheelsOnly = pylock({ packages: [{ name: "fast", version: "1.0", wheels: ["fast-1.0-cp311-cp311-win_amd64.whl"] }] });
    const error = failure(() => readPylock(wheelsOnly));
    expect(error.code).toBe("ERR_WW_NO_COMPATIBLE_DIST");
    expect(error.message).toContain("cp311-cp311-win_amd64");
    expect(error.location.package).toBe("fast");
  });

  it("archive, vcs, directory (plain and editable) and relative paths", () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-pylock-src-"));
    mkdirSync(join(dir, "src", "local"), { recursive: true });
    writeFileSync(join(dir, "src", "local", "pyproject.toml"), "[project]\nname = 'local'\n");
    const sha = fakeSha256("archive");
    const text = pylock({
      packages: [
        { name: "arch", version: "0.1", archive: { url: "https://x.invalid/arch.zip", subdirectory: "python", hashes: { sha256: sha } } },
        { name: "patharch", archive: { path: "vendor/patharch-0.2.tar.gz", hashes: { sha256: sha } } },
        { name: "tool", vcs: { type: "git", url: "https://git.invalid/tool.git", "requested-revision": "v1", "commit-id": "e".repeat(40), subdirectory: "pkg" } },
        { name: "local", directory: { path: "src/local" } },
        { name: "dev", directory: { path: "src", editable: true, subdirectory: "local" } },
        { name: "wheelfile", version: "3.0", wheels: [{ name: "wheelfile-3.0-py3-none-any.whl", path: "dist/wheelfile-3.0-py3-none-any.whl", hashes: { sha256: sha } }] },
      ],
    });
    const r = recipesOf(readPylock(text, {}, dir));
    expect(r.arch!.source).toEqual({ kind: "tree", tree: { type: "archive", file: { filename: "arch.zip", sha256: sha, url: "https://x.invalid/arch.zip" }, subdirectory: "python" } });
    expect(r.patharch!.source).toEqual({ kind: "tree", tree: { type: "archive", file: { filename: "patharch-0.2.tar.gz", sha256: sha, path: join(dir, "vendor/patharch-0.2.tar.gz") } } });
    expect(r.patharch!.version).toBe("0");
    expect(r.tool!.source).toEqual({ kind: "tree", tree: { type: "git", url: "https://git.invalid/tool.git", commit: "e".repeat(40), ref: "v1", subdirectory: "pkg" } });
    expect(r.local!.source).toEqual({ kind: "tree", tree: { type: "directory", path: join(dir, "src/local") } });
    expect(r.local!.meta?.treeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.dev!.source).toEqual({ kind: "editable", path: join(dir, "src/local") });
    expect(r.wheelfile!.source).toMatchObject({ kind: "wheel", file: { path: join(dir, "dist/wheelfile-3.0-py3-none-any.whl") } });
  });

  it("refuses an invalid package name, naming its line", () => {
    const text = pylock({ packages: [wheel("good"), { name: "bad name!", version: "1.0", wheels: ["bad-1.0-py3-none-any.whl"] }] });
    const error = failure(() => readPylock(text));
    expect(error.code).toBe("ERR_WW_INVALID_NAME");
    expect(error.message).toContain('"bad name!" is not a valid package name');
    expect(text.split("\n")[error.location.line! - 1]).toContain('name = "bad name!"');
  });

  it("refuses vcs kinds other than git, naming the package", () => {
    const text = pylock({ packages: [{ name: "hgdep", vcs: { type: "hg", url: "https://hg.invalid/dep", "commit-id": "f".repeat(40) } }] });
    const error = failure(() => readPylock(text));
    expect(error.code).toBe("ERR_WW_LOCK_INVALID");
    expect(error.location.package).toBe("hgdep");
  });
});
