// How a uv.lock is read for one environment: which entries are selected (markers, forks,
// conflict markers, extras and groups, workspaces), which source each gets, and what the
// recipes and roots say. Small inline locks; expectations are written by hand from uv's rules.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXED_INTERPRETER } from "../helpers/interpreter.js";
import { FILES, REGISTRY, lineOf, uvLock, type UvEntry, EMPTY_DIR, failure, readUv, recipesOf, WINDOWS, withMarkers } from "../helpers/lock-builder.js";

const PY312 = withMarkers({ python_version: "3.12", python_full_version: "3.12.1", implementation_version: "3.12.1" }, { version: "3.12.1", versionTuple: [3, 12, 1], soabi: "cpython-312-x86_64-linux-gnu" });
const root = (more: Partial<UvEntry> = {}): UvEntry => ({ name: "app", version: "1.0.0", source: { editable: "." }, ...more });
const reg = (name: string, version = "1.0", more: Partial<UvEntry> = {}): UvEntry => ({ name, version, wheels: [`${name.replace(/-/g, "_")}-${version}-py3-none-any.whl`], ...more });
const names = (env: ReturnType<typeof readUv>) => Object.keys(recipesOf(env)).sort();
const versionOf = (env: ReturnType<typeof readUv>, name: string) => recipesOf(env)[name]?.version;

describe("markers and forks", () => {
  const text = uvLock({
    packages: [
      root({ dependencies: ["common", { name: "colorama", marker: "sys_platform == 'win32'" }, { name: "uvloop", marker: "sys_platform != 'win32' and platform_python_implementation == 'CPython'" }] }),
      reg("colorama"),
      reg("common"),
      reg("uvloop"),
    ],
  });

  it("drops edges whose marker is false for the interpreter", () => {
    expect(names(readUv(text))).toEqual(["app", "common", "uvloop"]);
    expect(names(readUv(text, { python: WINDOWS }))).toEqual(["app", "colorama", "common"]);
  });

  it("records only the edges that hold in the recipe's dependencies", () => {
    expect(recipesOf(readUv(text)).app!.dependencies).toEqual({ common: [], uvloop: [] });
  });

  const forks = uvLock({
    requiresPython: ">=3.10",
    resolutionMarkers: ["python_full_version >= '3.12'", "python_full_version < '3.12'"],
    packages: [
      root({
        dependencies: [
          { name: "numpy", version: "1.26.4", source: { registry: REGISTRY }, marker: "python_full_version < '3.12'" },
          { name: "numpy", version: "2.1.0", source: { registry: REGISTRY }, marker: "python_full_version >= '3.12'" },
          "scipy",
        ],
      }),
      reg("numpy", "1.26.4", { resolutionMarkers: ["python_full_version < '3.12'"] }),
      reg("numpy", "2.1.0", { resolutionMarkers: ["python_full_version >= '3.12'"] }),
      reg("scipy", "1.14.0", { dependencies: [{ name: "numpy", version: "1.26.4", source: { registry: REGISTRY }, marker: "python_full_version < '3.12'" }, { name: "numpy", version: "2.1.0", source: { registry: REGISTRY }, marker: "python_full_version >= '3.12'" }] }),
    ],
  });

  it("chooses the fork of a package by the edges' markers and versions", () => {
    expect(versionOf(readUv(forks), "numpy")).toBe("1.26.4");
    expect(versionOf(readUv(forks, { python: PY312 }), "numpy")).toBe("2.1.0");
    expect(recipesOf(readUv(forks)).scipy!.dependencies).toEqual({ numpy: [] });
    expect(readUv(forks).summary).toMatchObject({ packages: 4, selected: 3 });
  });

  it("tells forks apart by source when versions are equal", () => {
    const text = uvLock({
      packages: [
        root({ dependencies: [{ name: "lib", version: "1.0", source: { registry: "https://other.invalid/simple" } }] }),
        reg("lib", "1.0"),
        reg("lib", "1.0", { source: { registry: "https://other.invalid/simple" }, wheels: ["lib-1.0-py2.py3-none-any.whl"] }),
      ],
    });
    const recipe = recipesOf(readUv(text)).lib!;
    expect(recipe.source).toMatchObject({ kind: "wheel", file: { filename: "lib-1.0-py2.py3-none-any.whl" } });
  });
});

describe("conflict markers (uv's extra-<len>-<package>-<extra> encoding)", () => {
  // The layout uv writes for `conflicts = [[{extra = "cpu"}, {extra = "gpu"}]]` with torch
  // taken from a different index per extra; vision depends on whichever torch is active.
  const none = "extra != 'extra-3-app-cpu' and extra != 'extra-3-app-gpu'";
  const torchEdges = [
    { name: "torch", version: "2.0", source: { registry: REGISTRY }, marker: none },
    { name: "torch", version: "2.0+cpu", source: { registry: REGISTRY }, marker: "extra == 'extra-3-app-cpu'" },
    { name: "torch", version: "2.0+gpu", source: { registry: REGISTRY }, marker: "extra == 'extra-3-app-gpu'" },
  ];
  const text = uvLock({
    requiresPython: ">=3.10",
    resolutionMarkers: ["extra == 'extra-3-app-cpu' and extra != 'extra-3-app-gpu'", "extra != 'extra-3-app-cpu' and extra == 'extra-3-app-gpu'", none],
    conflicts: [[{ package: "app", extra: "cpu" }, { package: "app", extra: "gpu" }]],
    packages: [
      root({ dependencies: [torchEdges[0]!, "vision"], optional: { cpu: [torchEdges[1]!], gpu: [torchEdges[2]!] }, metadata: { "provides-extras": ["cpu", "gpu"] } }),
      reg("torch", "2.0", { resolutionMarkers: [none] }),
      reg("torch", "2.0+cpu", { resolutionMarkers: ["extra == 'extra-3-app-cpu' and extra != 'extra-3-app-gpu'"] }),
      reg("torch", "2.0+gpu", { resolutionMarkers: ["extra != 'extra-3-app-cpu' and extra == 'extra-3-app-gpu'"] }),
      reg("vision", "0.1", { dependencies: torchEdges }),
    ],
  });

  it("selects the torch of the requested extra, everywhere in the graph", () => {
    expect(versionOf(readUv(text), "torch")).toBe("2.0");
    expect(versionOf(readUv(text, { extras: ["cpu"] }), "torch")).toBe("2.0+cpu");
    expect(versionOf(readUv(text, { extras: ["gpu"] }), "torch")).toBe("2.0+gpu");
    expect(readUv(text, { extras: ["gpu"] }).roots).toEqual({ app: ["gpu"] });
  });

  it("refuses two extras of one conflict set, naming both", () => {
    const error = failure(() => readUv(text, { allExtras: true }));
    expect(error.code).toBe("ERR_WW_CONFLICT");
    expect(error.message).toContain("app[cpu]");
    expect(error.message).toContain("app[gpu]");
    expect(error.location.line).toBe(lineOf(text, "conflicts = "));
  });

  it("sees extras activated deeper in the graph before evaluating earlier edges (uv's two passes)", () => {
    // `other` is visited before `mid` activates lib[cpu]; its edge must still see lib's cpu extra.
    const lib = "extra == 'extra-3-lib-cpu'";
    const text = uvLock({
      conflicts: [[{ package: "lib", extra: "cpu" }, { package: "lib", extra: "gpu" }]],
      packages: [
        root({ dependencies: ["other", "mid"] }),
        reg("other", "1.0", { dependencies: [{ name: "torch", version: "2.0", source: { registry: REGISTRY }, marker: `extra != 'extra-3-lib-cpu'` }, { name: "torch", version: "2.0+cpu", source: { registry: REGISTRY }, marker: lib }] }),
        reg("mid", "1.0", { dependencies: [{ name: "lib", extra: ["cpu"] }] }),
        reg("lib", "1.0", { optional: { cpu: [], gpu: [] } }),
        reg("torch", "2.0"),
        reg("torch", "2.0+cpu"),
      ],
    });
    const env = readUv(text);
    expect(versionOf(env, "torch")).toBe("2.0+cpu");
    expect(recipesOf(env).other!.dependencies).toEqual({ torch: [] });
  });

  it("encodes groups as group-<len>-<package>-<group>", () => {
    const text = uvLock({
      conflicts: [[{ package: "app", group: "old" }, { package: "app", group: "new" }]],
      packages: [
        root({ groups: { old: [{ name: "lib", version: "1.0", source: { registry: REGISTRY }, marker: "extra == 'group-3-app-old'" }], new: [{ name: "lib", version: "2.0", source: { registry: REGISTRY }, marker: "extra == 'group-3-app-new'" }] } }),
        reg("lib", "1.0"),
        reg("lib", "2.0"),
      ],
    });
    expect(versionOf(readUv(text, { groups: ["old"] }), "lib")).toBe("1.0");
    expect(versionOf(readUv(text, { groups: ["new"] }), "lib")).toBe("2.0");
    expect(names(readUv(text))).toEqual(["app"]);
    expect(failure(() => readUv(text, { allGroups: true })).code).toBe("ERR_WW_CONFLICT");
  });

  const fixture = "/work/shared/fixtures/locks/pyproject-nix__uv2nix__lib_fixtures_conflicts-index_uv.lock";
  it("reads uv2nix's conflicts-index fixture: one arpeggio per group, both groups refused", async () => {
    const { existsSync, readFileSync } = await import("node:fs");
    if (!existsSync(fixture)) return void console.warn(`skipping: ${fixture} is absent`);
    const fixtureText = readFileSync(fixture, "utf8");
    expect(versionOf(readUv(fixtureText, { python: PY312, groups: ["group-a"] }), "arpeggio")).toBe("2.0.0");
    expect(versionOf(readUv(fixtureText, { python: PY312, groups: ["group-b"] }), "arpeggio")).toBe("2.0.1");
    expect(names(readUv(fixtureText, { python: PY312 }))).toEqual(["conflicts-index"]);
    const error = failure(() => readUv(fixtureText, { python: PY312, groups: ["group-a", "group-b"] }));
    expect(error.code).toBe("ERR_WW_CONFLICT");
  });
});

describe("extras and groups", () => {
  const text = uvLock({
    packages: [
      root({
        dependencies: ["base"],
        optional: { web: [{ name: "server", extra: ["tls"] }], cli: ["click"] },
        groups: { dev: ["pytest"], docs: ["sphinx"] },
      }),
      reg("base"),
      reg("server", "1.0", { optional: { tls: [{ name: "crypto", extra: ["fast"] }] } }),
      reg("crypto", "1.0", { optional: { fast: ["accel"] } }),
      reg("accel"),
      reg("click"),
      reg("pytest"),
      reg("sphinx"),
    ],
  });

  it("installs the dev group by default, as uv does", () => {
    expect(names(readUv(text))).toEqual(["app", "base", "pytest"]);
    expect(readUv(text).roots).toEqual({ app: ["dev"] });
  });

  it("--no-default-groups leaves groups out", () => {
    expect(names(readUv(text, { noDefaultGroups: true }))).toEqual(["app", "base"]);
  });

  it("extras pull the extras their edges name, transitively", () => {
    const env = readUv(text, { extras: ["web"], noDefaultGroups: true });
    expect(names(env)).toEqual(["accel", "app", "base", "crypto", "server"]);
    const recipes = recipesOf(env);
    expect(recipes.app!.optionalDependencies).toEqual({ web: { server: ["tls"] }, cli: {} });
    expect(recipes.server!.optionalDependencies).toEqual({ tls: { crypto: ["fast"] } });
    expect(recipes.crypto!.optionalDependencies).toEqual({ fast: { accel: [] } });
    expect(env.roots).toEqual({ app: ["web"] });
  });

  it("--all-extras and --all-groups", () => {
    expect(names(readUv(text, { allExtras: true, allGroups: true }))).toEqual(["accel", "app", "base", "click", "crypto", "pytest", "server", "sphinx"]);
  });

  it("--group adds to the default groups", () => {
    expect(names(readUv(text, { groups: ["docs"] }))).toEqual(["app", "base", "pytest", "sphinx"]);
    expect(names(readUv(text, { groups: ["docs"], noDefaultGroups: true }))).toEqual(["app", "base", "sphinx"]);
  });

  it("accepts an extra the project declares without dependencies (provides-extras)", () => {
    const declared = uvLock({ packages: [root({ metadata: { "provides-extras": ["empty"] } })] });
    expect(readUv(declared, { extras: ["empty"] }).roots).toEqual({ app: [] });
    expect(failure(() => readUv(declared, { extras: ["other"] })).hint).toContain("empty");
  });

  it("takes [tool.uv] default-groups from the pyproject.toml next to the lock", () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-lock-groups-"));
    writeFileSync(join(dir, "pyproject.toml"), '[project]\nname = "app"\nversion = "1.0.0"\n\n[tool.uv]\ndefault-groups = ["docs"]\n');
    expect(names(readUv(text, {}, dir))).toEqual(["app", "base", "sphinx"]);
    writeFileSync(join(dir, "pyproject.toml"), '[project]\nname = "app"\nversion = "1.0.0"\n\n[tool.uv]\ndefault-groups = "all"\n');
    expect(names(readUv(text, {}, dir))).toEqual(["app", "base", "pytest", "sphinx"]);
    expect(names(readUv(text, { noDefaultGroups: true }, dir))).toEqual(["app", "base"]);
  });
});

describe("workspaces", () => {
  const dir = mkdtempSync(join(tmpdir(), "ww-lock-ws-"));
  mkdirSync(join(dir, "packages", "lib"), { recursive: true });
  writeFileSync(join(dir, "packages", "lib", "pyproject.toml"), '[project]\nname = "lib"\nversion = "0.1"\n');

  const members = [
    { name: "api", version: "0.1", source: { editable: "packages/api" }, dependencies: ["lib", "requests"] },
    { name: "lib", version: "0.1", source: { directory: "packages/lib" } },
    { name: "tools", version: "0.1", source: { virtual: "packages/tools" }, dependencies: ["rich"] },
    reg("requests"),
    reg("rich"),
    reg("pytest"),
  ] satisfies UvEntry[];

  it("a workspace whose root is not a project: every member is a root", () => {
    const text = uvLock({ members: ["api", "lib", "tools"], packages: members });
    const env = readUv(text, {}, dir);
    expect(names(env)).toEqual(["api", "lib", "requests", "rich", "tools"]);
    expect(Object.keys(env.roots).sort()).toEqual(["api", "lib", "tools"]);
    const recipes = recipesOf(env);
    expect(recipes.api!.source).toEqual({ kind: "editable", path: join(dir, "packages/api") });
    expect(recipes.lib!.source).toEqual({ kind: "tree", tree: { type: "directory", path: join(dir, "packages/lib") } });
    expect(recipes.lib!.meta?.treeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(recipes.tools!.source).toEqual({ kind: "virtual" });
    expect(env.projectName).toBe("api");
  });

  it("the root's own dependency groups ([manifest.dependency-groups]) are installed too", () => {
    const text = uvLock({ members: ["api", "lib", "tools"], header: '[manifest.dependency-groups]\ndev = [{ name = "pytest", specifier = ">=8" }]\nwin = [{ name = "rich", marker = "sys_platform == \'win32\'" }]', packages: members });
    expect(names(readUv(text, {}, dir))).toContain("pytest");
    expect(readUv(text, {}, dir).roots.pytest).toEqual([]);
    expect(names(readUv(text, { noDefaultGroups: true }, dir))).not.toContain("pytest");
    expect(readUv(text, { groups: ["win"], noDefaultGroups: true }, dir).roots.rich).toBeUndefined();
  });

  it("a project at the root (even a virtual one) is the only root, as `uv sync` does", () => {
    const text = uvLock({ members: ["api", "lib", "tools", "app"], packages: [{ name: "app", version: "1.0", source: { virtual: "." }, dependencies: ["lib"] }, ...members] });
    const env = readUv(text, {}, dir);
    expect(names(env)).toEqual(["app", "lib"]);
    expect(env.roots).toEqual({ app: [] });
  });
});

describe("sources", () => {
  const linuxWheel = "fast-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
  const pureWheel = "fast-1.0-py3-none-any.whl";
  const winWheel = "fast-1.0-cp311-cp311-win_amd64.whl";
  const fast = (wheels: string[], more: Partial<UvEntry> = {}) => uvLock({ packages: [root({ dependencies: ["fast"] }), { name: "fast", version: "1.0", wheels, ...more }] });
  const sourceOf = (text: string, options = {}) => recipesOf(readUv(text, options)).fast!.source;

  it("picks the registry wheel whose tags rank highest", () => {
    expect(sourceOf(fast([pureWheel, winWheel, linuxWheel]))).toMatchObject({ kind: "wheel", file: { filename: linuxWheel, url: `${FILES}/${linuxWheel}` } });
    expect(sourceOf(fast([pureWheel, winWheel, linuxWheel]), { python: WINDOWS })).toMatchObject({ kind: "wheel", file: { filename: winWheel } });
  });

  it("falls back to the sdist when no wheel fits, and keeps every candidate", () => {
    const env = readUv(fast([winWheel]));
    const recipe = recipesOf(env).fast!;
    expect(recipe.source).toMatchObject({ kind: "sdist", file: { filename: "fast-1.0.tar.gz" } });
    expect(recipe.candidates?.wheels.map((w) => w.filename)).toEqual([winWheel]);
    expect(env.summary.sources).toEqual({ editable: 1, sdist: 1 });
  });

  it("names the package and the tags its wheels have when nothing fits", () => {
    const error = failure(() => readUv(fast([winWheel, "fast-1.0-cp311-cp311-macosx_11_0_arm64.whl"], { sdist: false })));
    expect(error.code).toBe("ERR_WW_NO_COMPATIBLE_DIST");
    expect(error.location.package).toBe("fast");
    expect(error.message).toContain("fast 1.0");
    expect(error.message).toContain("cp311-cp311-win_amd64");
    expect(error.message).toContain("cp311-cp311-macosx_11_0_arm64");
  });

  it("honours sourcePreference, per-package preferences, noBuild and noBinary", () => {
    const text = fast([pureWheel]);
    expect(sourceOf(text, { sourcePreference: "sdist" }).kind).toBe("sdist");
    expect(sourceOf(text, { sourcePreference: "sdist", packageSourcePreference: { fast: "wheel" } }).kind).toBe("wheel");
    expect(sourceOf(text, { packageSourcePreference: { fast: "sdist" } }).kind).toBe("sdist");
    expect(sourceOf(text, { noBinary: true }).kind).toBe("sdist");
    expect(sourceOf(text, { noBinary: ["Fast"] }).kind).toBe("sdist");
    expect(sourceOf(text, { noBinary: ["other"] }).kind).toBe("wheel");
    expect(sourceOf(text, { sourcePreference: "sdist", noBuild: ["fast"] }).kind).toBe("wheel");
    const noWheel = fast([winWheel]);
    expect(failure(() => readUv(noWheel, { noBuild: true })).code).toBe("ERR_WW_NO_COMPATIBLE_DIST");
    expect(failure(() => readUv(noWheel, { noBuild: true })).message).toContain("no-build");
  });

  it("url, path, git, url-archive-with-subdirectory sources", () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-lock-src-"));
    const sha = "ab".repeat(32);
    const text = uvLock({
      packages: [
        root({ dependencies: ["urlwheel", "archive", "localwheel", "localsdist", "gitdep", "tagged", "localdir"] }),
        { name: "urlwheel", version: "2.0", source: { url: "https://x.invalid/urlwheel-2.0-py3-none-any.whl" }, wheels: [{ hash: `sha256:${sha}` }] },
        { name: "archive", version: "0.3", source: { url: "https://x.invalid/mono.tar.gz", subdirectory: "pkgs/archive" }, sdist: { hash: `sha256:${sha}` } },
        { name: "localwheel", version: "1.0", source: { path: "wheels/localwheel-1.0-py3-none-any.whl" }, wheels: [{ filename: "localwheel-1.0-py3-none-any.whl", hash: `sha256:${sha}` }] },
        { name: "localsdist", version: "1.0", source: { path: "../dist/localsdist-1.0.tar.gz" }, sdist: { hash: `sha256:${sha}` } },
        { name: "gitdep", version: "0.1", source: { git: `https://git.invalid/org/repo.git?subdirectory=sub&rev=main#${"c".repeat(40)}` } },
        { name: "tagged", version: "0.2", source: { git: `https://git.invalid/org/tagged.git?tag=v0.2#${"d".repeat(40)}` } },
        { name: "localdir", version: "0.1", source: { path: "." } },
      ],
    });
    const r = recipesOf(readUv(text, {}, dir));
    expect(r.urlwheel!.source).toEqual({ kind: "wheel", file: { filename: "urlwheel-2.0-py3-none-any.whl", sha256: sha, url: "https://x.invalid/urlwheel-2.0-py3-none-any.whl" } });
    expect(r.archive!.source).toEqual({ kind: "tree", tree: { type: "archive", file: { filename: "mono.tar.gz", sha256: sha, url: "https://x.invalid/mono.tar.gz" }, subdirectory: "pkgs/archive" } });
    expect(r.localwheel!.source).toMatchObject({ kind: "wheel", file: { filename: "localwheel-1.0-py3-none-any.whl", path: join(dir, "wheels/localwheel-1.0-py3-none-any.whl") } });
    expect(r.localsdist!.source).toMatchObject({ kind: "sdist", file: { filename: "localsdist-1.0.tar.gz", path: join(dir, "../dist/localsdist-1.0.tar.gz") } });
    expect(r.gitdep!.source).toEqual({ kind: "tree", tree: { type: "git", url: "https://git.invalid/org/repo.git", commit: "c".repeat(40), ref: "main", subdirectory: "sub" } });
    expect(r.tagged!.source).toEqual({ kind: "tree", tree: { type: "git", url: "https://git.invalid/org/tagged.git", commit: "d".repeat(40), ref: "v0.2" } });
    expect(r.localdir!.source).toEqual({ kind: "tree", tree: { type: "directory", path: dir } });
  });

  it("a directory's tree hash changes with its files", () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-lock-tree-"));
    mkdirSync(join(dir, "lib"));
    writeFileSync(join(dir, "lib", "a.py"), "x = 1\n");
    const text = uvLock({ packages: [root({ dependencies: ["lib"] }), { name: "lib", version: "0.1", source: { directory: "lib" } }] });
    const before = recipesOf(readUv(text, {}, dir)).lib!.meta?.treeHash;
    writeFileSync(join(dir, "lib", "a.py"), "x = 2\n");
    expect(recipesOf(readUv(text, {}, dir)).lib!.meta?.treeHash).not.toBe(before);
  });

  it("root project paths resolve against projectDir (default: the lock's directory)", () => {
    const env = readUv(uvLock({ packages: [root()] }));
    expect(recipesOf(env).app!.source).toEqual({ kind: "editable", path: EMPTY_DIR });
    expect(env.projectName).toBe("app");
    expect(FIXED_INTERPRETER.markerEnvironment.sys_platform).toBe("linux");
  });
});
