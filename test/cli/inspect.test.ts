// plan's reasons, show, why, graph, diff and build through the built CLI, on synthetic wheels.
import { appendFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { makeWheel } from "../install/fixtures.js";
import { Workspace, type PackageSpec } from "./fixtures.js";

if (!hasPython311) console.warn("skipping CLI inspect tests: no pyenv 3.11.7");
const PYTHON312 = "/root/.pyenv/versions/3.12.1/bin/python3.12";

const APP: PackageSpec[] = [
  { name: "alpha", version: "1.0" },
  { name: "beta", version: "1.0", deps: ["alpha", { name: "delta", extra: ["x"] }] },
  { name: "gamma", version: "1.0", deps: ["alpha"] },
  { name: "delta", version: "1.0", extras: { x: ["alpha"] } },
];

/** Sizes by absolute store path, from `store ls` (the database's NAR sizes). */
function storeSizes(ws: Workspace): Map<string, number> {
  const r = runCli(["store", "ls", "--store", ws.store]);
  expect(r.code, r.stderr).toBe(0);
  return new Map(r.stdout.trim().split("\n").map((line) => line.trim().split(/\s+/)).map(([size, path]) => [path!, Number(size)]));
}

describe.skipIf(!hasPython311)("inspect commands", () => {
  const ws = new Workspace();
  let app: string;
  beforeAll(async () => {
    app = await ws.uvProject("app", { deps: ["alpha", "beta"], extras: { web: ["gamma"] } }, APP);
    const r = ws.cli(["sync"], app, "--extra", "web");
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => ws.remove());

  describe("plan says why", () => {
    const rows = (stdout: string) => {
      const out = new Map<string, string>();
      const lines = stdout.split("\n");
      lines.forEach((line, i) => {
        const m = /^(present|fetch|build)\s+(\S+)/.exec(line);
        if (m) out.set(m[2]!, lines[i + 1]?.startsWith("         why: ") ? lines[i + 1]!.slice("         why: ".length) : m[1]!);
      });
      return out;
    };

    it("names a version bump, and what it does to the environment", async () => {
      const dir = await ws.uvProject("why-version", { deps: ["alpha"] }, [{ name: "alpha", version: "1.0" }]);
      expect(ws.cli(["sync"], dir).code).toBe(0);
      expect(rows(ws.cli(["plan"], dir).stdout).get("alpha")).toBe("present");
      await ws.uvProject("why-version", { deps: ["alpha"] }, [{ name: "alpha", version: "2.0" }]);
      const plan = ws.cli(["plan"], dir);
      expect(plan.code, plan.stderr).toBe(0);
      const why = rows(plan.stdout);
      expect(why.get("alpha")).toBe("not in store; version changed (1.0 → 2.0)");
      expect(why.get("why-version-env")).toBe("not in store; packages changed (1 new, 1 gone)");
      expect(plan.stdout).toMatch(/^2 derivations: 0 present, 1 to fetch, 1 to build$/m);
      const json = JSON.parse(ws.cli(["plan", "--json"], dir).stdout) as { derivations: { name: string; reasons?: string[]; previous?: string }[] };
      const alpha = json.derivations.find((d) => d.name === "alpha")!;
      expect(alpha.reasons).toEqual(["not in store", "version changed (1.0 → 2.0)"]);
      expect(alpha.previous).toMatch(/-alpha-1\.0$/);
    });

    it("names a changed source hash and changed settings", async () => {
      const dir = await ws.uvProject("why-source", { deps: ["alpha"] }, [{ name: "alpha", version: "1.0" }]);
      expect(ws.cli(["sync"], dir).code).toBe(0);
      ws.cli(["plan"], dir); // records how the present paths were made
      const other = join(ws.work, "wheels-other");
      mkdirSync(other, { recursive: true });
      const rebuilt = await makeWheel(other, { name: "alpha", version: "1.0", files: { "alpha/__init__.py": "VERSION = 'other bytes'\n" } });
      await ws.uvProject("why-source", { deps: ["alpha"] }, [{ name: "alpha", version: "1.0", wheel: rebuilt }]);
      expect(rows(ws.cli(["plan"], dir, "--find-links", other).stdout).get("alpha")).toBe("not in store; source hash changed");

      await ws.uvProject("why-source", { deps: ["alpha"] }, [{ name: "alpha", version: "1.0" }]);
      appendFileSync(join(dir, "pyproject.toml"), "\n[tool.wheelwright.packages.alpha]\nverify-record = false\n");
      expect(rows(ws.cli(["plan"], dir).stdout).get("alpha")).toBe("not in store; settings changed");
    });

    it.skipIf(!existsSync(PYTHON312))("names a changed interpreter", async () => {
      const dir = await ws.uvProject("why-python", { deps: ["alpha"] }, [{ name: "alpha", version: "1.0" }]);
      expect(ws.cli(["sync"], dir).code).toBe(0);
      ws.cli(["plan"], dir);
      const plan = runCli(["plan", "-C", dir, "--find-links", ws.wheels, "--offline", "--store", ws.store, "--python", PYTHON312]);
      expect(plan.code, plan.stderr).toBe(0);
      expect(rows(plan.stdout).get("alpha")).toBe("not in store; interpreter changed");
    });
  });

  it("show: recipe, derivation, store path, size, dependencies and dependents", () => {
    const text = ws.cli(["show", "beta"], app, "--extra", "web");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^beta 1\.0$/m);
    expect(text.stdout).toMatch(/^ {2}source: +wheel beta-1\.0-py3-none-any\.whl$/m);
    expect(text.stdout).toMatch(/^ {2}requires: +alpha, delta\[x\]$/m);
    expect(text.stdout).toMatch(/^ {2}dependencies: +alpha, delta, delta\[x\]$/m);
    expect(text.stdout).toMatch(/^ {2}required by: +app$/m);
    const json = JSON.parse(ws.cli(["show", "alpha", "--json"], app, "--extra", "web").stdout) as {
      present: boolean;
      narSize: number;
      storePath: string;
      dependents: string[];
      derivation: { builder: string; canonical: { name: string; version: string; source: { sha256: string } } };
    };
    expect(json.present).toBe(true);
    expect(json.derivation.builder).toBe("install-wheel");
    expect(json.derivation.canonical).toMatchObject({ name: "alpha", version: "1.0" });
    expect(json.dependents).toEqual(["app", "beta", "delta[x]", "gamma"]);
    expect(json.narSize).toBe(storeSizes(ws).get(json.storePath));
    expect(realpathSync(join(app, ".venv/lib/python3.11/site-packages/alpha"))).toBe(join(json.storePath, "lib/python3.11/site-packages/alpha"));
    const root = ws.cli(["show", "app"], app, "--extra", "web");
    expect(root.code, root.stderr).toBe(0);
    expect(root.stdout).toMatch(/^ {2}builder: +none \(virtual\)$/m);
    expect(root.stdout).toMatch(/^ {2}extra web: +gamma$/m);
    expect(root.stdout).toMatch(/^ {2}dependencies: +alpha, beta, gamma$/m);
    const unknown = ws.cli(["show", "nope"], app);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("ERR_WW_UNKNOWN_PACKAGE");
  });

  it("why: every path from the roots, through extras, shortest first, bounded", async () => {
    const r = ws.cli(["why", "alpha"], app, "--extra", "web");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      "alpha is in the environment through 4 paths:",
      "  app -> alpha",
      "  app -> beta -> alpha",
      "  app[web] -> gamma -> alpha",
      "  app -> beta -> delta[x] -> alpha",
    ]);
    const limited = ws.cli(["why", "alpha", "--limit", "1"], app, "--extra", "web");
    expect(limited.stdout).toContain("  … and 3 more");
    const flat = await ws.pylockProject("why-pylock", [{ name: "alpha", version: "1.0" }, { name: "beta", version: "1.0" }]);
    expect(ws.cli(["why", "beta"], flat).stdout).toBe("beta is in the environment through 1 path:\n  beta (a root)\n");
    const gamma = ws.cli(["why", "gamma"], app);
    expect(gamma.code).toBe(1); // not selected without --extra web
    expect(gamma.stderr).toMatch(/error\[ERR_WW_UNKNOWN_PACKAGE\]: gamma is not in this project's environment/);
  });

  it("graph: dot and mermaid hold both graphs' edges; html is one self-contained page", () => {
    const dot = ws.cli(["graph"], app);
    expect(dot.code, dot.stderr).toBe(0);
    const labels = new Map([...dot.stdout.matchAll(/^\s+(g\d_\d+) \[label="([^"]+)"/gm)].map((m) => [m[1]!, m[2]!]));
    const edges = [...dot.stdout.matchAll(/^\s+(g(\d)_\d+) -> (g\d_\d+);$/gm)].map((m) => `${m[2] === "0" ? "build" : "runtime"}: ${labels.get(m[1]!)} -> ${labels.get(m[3]!)}`);
    expect(edges.sort()).toEqual(
      [
        "build: app-env (environment) -> alpha 1.0",
        "build: app-env (environment) -> beta 1.0",
        "build: app-env (environment) -> delta 1.0",
        "runtime: app -> alpha",
        "runtime: app -> beta",
        "runtime: beta -> alpha",
        "runtime: beta -> delta",
        "runtime: beta -> delta[x]",
        "runtime: delta[x] -> alpha",
      ].sort(),
    );
    const mermaid = ws.cli(["graph", "--format", "mermaid"], app, "--extra", "web");
    expect(mermaid.stdout.split("\n")[0]).toBe("flowchart LR");
    expect(mermaid.stdout).toContain('["app[web]"]');
    expect((mermaid.stdout.match(/ --> /g) ?? []).length).toBe(4 + 8);

    const file = join(ws.work, "graph.html");
    const html = ws.cli(["graph", "--format", "html", "-o", file], app, "--extra", "web");
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toBe("");
    const page = readFileSync(file, "utf8");
    expect(page.match(/<svg /g)).toHaveLength(2);
    expect(page.replaceAll('xmlns="http://www.w3.org/2000/svg"', "")).not.toMatch(/https?:|<script|<link|src=|@import/);
    for (const label of ["alpha 1.0", "gamma 1.0", "app[web]", "delta[x]"]) expect(page).toContain(`>${label}</text>`);
    expect(ws.cli(["graph", "--format", "svg"], app).code).toBe(2);
  });

  it("diff: added, removed, version changes and the size delta", async () => {
    const a = await ws.uvProject("diff-a", { deps: ["alpha", "beta"] }, [APP[0]!, { name: "beta", version: "1.0" }]);
    const b = await ws.uvProject("diff-b", { deps: ["alpha", "gamma"] }, [{ name: "alpha", version: "2.0" }, { name: "gamma", version: "1.0" }]);
    expect(ws.cli(["sync"], a).code).toBe(0);
    expect(ws.cli(["sync"], b).code).toBe(0);
    const r = runCli(["diff", a, join(b, ".venv")]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.slice(0, 3)).toEqual(["+ gamma 1.0", "- beta 1.0", "~ alpha 1.0 -> 2.0"]);
    const sizes = storeSizes(ws);
    const closure = (dir: string) => {
      const venv = readlinkSync(join(dir, ".venv"));
      const members = [...sizes.keys()].filter((p) => /-(alpha|beta|gamma)-\d\.0$/.test(p) && existsSync(join(venv, "lib/python3.11/site-packages", p.split("-").at(-2)!)) && realpathSync(join(venv, "lib/python3.11/site-packages", p.split("-").at(-2)!)).startsWith(p));
      return sizes.get(venv)! + members.reduce((s, p) => s + sizes.get(p)!, 0);
    };
    const [sa, sb] = [closure(a), closure(b)];
    const mb = (n: number) => (n / 1e6).toFixed(2);
    expect(lines[3]).toBe(`1 added, 1 removed, 1 changed, 0 rebuilt; size ${mb(sa)} MB -> ${mb(sb)} MB (${sb >= sa ? "+" : "-"}${mb(Math.abs(sb - sa))} MB)`);
    const same = runCli(["diff", readlinkSync(join(a, ".venv")), a, "--json"]);
    expect(JSON.parse(same.stdout)).toMatchObject({ added: [], removed: [], changed: [], rebuilt: [] });
    const bad = runCli(["diff", ws.wheels, a]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not an environment");
  });

  it("build: realises only the named packages, prints their paths, and links them as GC roots", async () => {
    const dir = await ws.uvProject("builds", { deps: ["eta", "theta"] }, [{ name: "eta", version: "1.0" }, { name: "theta", version: "1.0" }]);
    const one = join(ws.work, "result");
    const r = ws.cli(["build", "eta", "-o", one], dir);
    expect(r.code, r.stderr).toBe(0);
    const path = r.stdout.trim();
    expect(path).toMatch(new RegExp(`^${ws.store}/store/[0-9a-z]{32}-eta-1\\.0$`));
    expect(readlinkSync(one)).toBe(path);
    expect(existsSync(join(one, "lib/python3.11/site-packages/eta/__init__.py"))).toBe(true);
    expect(existsSync(join(dir, ".venv"))).toBe(false);
    const plan = JSON.parse(ws.cli(["plan", "--json"], dir).stdout) as { derivations: { name: string; status: string }[] };
    expect(plan.derivations.map((d) => [d.name, d.status])).toEqual([["eta", "present"], ["theta", "fetch"], ["builds-env", "build"]]);

    const several = ws.cli(["build", "eta", "theta", "-o", join(ws.work, "res")], dir);
    expect(several.code, several.stderr).toBe(0);
    expect(several.stdout.trim().split("\n")).toEqual([readlinkSync(join(ws.work, "res-eta")), readlinkSync(join(ws.work, "res-theta"))]);
    const gc = runCli(["gc", "--dry-run", "--store", ws.store]);
    expect(gc.stdout).not.toMatch(/-(eta|theta)-1\.0$/m);
    expect(lstatSync(join(ws.work, "res-theta")).isSymbolicLink()).toBe(true);
    const unknown = ws.cli(["build", "nope"], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("ERR_WW_UNKNOWN_PACKAGE");
  });
});
