// hatchling, flit_core and poetry-core builds through sync, each backend bootstrapped from its
// offline wheel (and its runtime closure) given in a --build-lock. A backend whose wheels are
// not on this machine is skipped with the reason printed.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sync } from "../../src/sync/index.js";
import { backendClosure, buildLockText, type BackendClosure } from "../helpers/backends.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { makeSdist, writeProject, type BackendKind } from "../helpers/projects.js";
import { makeWorkspace, syncFlags, writeProjectLock, type Workspace } from "./fixtures.js";

const BACKENDS: { kind: BackendKind; wheel: string; project: string }[] = [
  { kind: "hatchling", wheel: "hatchling", project: "hatch-demo" },
  { kind: "flit_core", wheel: "flit_core", project: "flit-demo" },
  { kind: "poetry-core", wheel: "poetry-core", project: "poetry-demo" },
];

const closures = new Map<BackendKind, BackendClosure | { missing: string }>();
for (const b of BACKENDS) closures.set(b.kind, hasPython311 ? backendClosure([b.wheel]) : { missing: "pyenv 3.11.7 is not installed" });
const available = BACKENDS.filter((b) => !("missing" in closures.get(b.kind)!));
for (const b of BACKENDS) {
  const c = closures.get(b.kind)!;
  if ("missing" in c) console.warn(`skipping the ${b.kind} build: ${c.missing}`);
}

describe.skipIf(available.length === 0)("other PEP 517 backends", () => {
  let ws: Workspace;
  let project: string;

  beforeAll(async () => {
    ws = makeWorkspace("backends");
    const merged: BackendClosure = { wheels: [], dependencies: {} };
    for (const b of available) {
      const c = closures.get(b.kind) as BackendClosure;
      for (const w of c.wheels) if (!merged.wheels.some((m) => m.name === w.name)) merged.wheels.push(w);
      Object.assign(merged.dependencies, c.dependencies);
    }
    const buildLock = join(ws.dir, "build-lock.toml");
    writeFileSync(buildLock, buildLockText(merged));
    project = join(ws.dir, "project");
    mkdirSync(project);
    writeProjectLock(
      project,
      available.map((b) => {
        const src = writeProject(join(ws.dir, "src"), { name: b.project, version: "2.0", backend: b.kind, modules: { "__init__.py": `"""Demo built by ${b.kind}."""\n__version__ = "2.0"\nVALUE = "${b.kind}"\n` } });
        return { name: b.project, version: "2.0", source: { sdist: makeSdist(src, join(ws.dir, "dist"), b.project, "2.0") } };
      }),
    );
    await sync({ dir: project, flags: syncFlags(ws, buildLock) });
  }, 300_000);
  afterAll(() => ws?.cleanup());

  for (const b of BACKENDS) {
    it(`builds and imports a ${b.kind} project`, (ctx) => {
      const c = closures.get(b.kind)!;
      if ("missing" in c) return ctx.skip(c.missing);
      const mod = b.project.replace(/-/g, "_");
      const out = execFileSync(join(project, ".venv/bin/python"), ["-c", `import ${mod}, importlib.metadata as m; print(${mod}.VALUE, m.version("${b.project}"))`], { encoding: "utf8" });
      expect(out.trim()).toBe(`${b.kind} 2.0`);
    });
  }
});
