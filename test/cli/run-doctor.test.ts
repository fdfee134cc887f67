// run (activation, sync when stale, exit codes), doctor (interpreters, store health, settings
// with their origins), --help examples on every command, and --version.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "../helpers/cli.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { Workspace } from "./fixtures.js";

if (!hasPython311) console.warn("skipping run/doctor CLI tests: no pyenv 3.11.7");

describe.skipIf(!hasPython311)("run", () => {
  const ws = new Workspace();
  let dir: string;
  beforeAll(async () => {
    dir = await ws.uvProject("runner", { deps: ["alpha"] }, [{ name: "alpha", version: "1.0", files: { "alpha/__init__.py": "def main():\n    print('alpha main')\n" }, entryPoints: "[console_scripts]\nalpha-cli = alpha:main\n" }]);
  });
  afterAll(() => ws.remove());

  const probe = "import os, sys; print(sys.prefix); print(os.environ['VIRTUAL_ENV']); print(os.environ.get('PYTHONHOME')); import alpha; print(alpha.__file__)";

  it("syncs a stale environment first, then runs inside it with VIRTUAL_ENV, PATH and no PYTHONHOME", () => {
    const r = runCli(["run", "-C", dir, ...ws.flags(), "--", "python", "-c", probe], { env: { PYTHONHOME: "/nonexistent" } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^environment .*\.venv -> .*-runner-env \(1 package\)$/m);
    const [prefix, virtualEnv, home, alphaFile] = r.stdout.trim().split("\n");
    expect(realpathSync(prefix!)).toBe(realpathSync(join(dir, ".venv")));
    expect(virtualEnv).toBe(join(dir, ".venv"));
    expect(home).toBe("None");
    expect(realpathSync(alphaFile!)).toContain("-alpha-1.0/lib/python3.11/site-packages/alpha/__init__.py");
  });

  it("does not sync a current environment, finds the environment's scripts, and passes exit codes through", () => {
    const script = runCli(["run", "-C", dir, ...ws.flags(), "--", "alpha-cli"]);
    expect(script.code, script.stderr).toBe(0);
    expect(script.stderr).toBe("");
    expect(script.stdout).toBe("alpha main\n");
    const failing = runCli(["run", "-C", dir, ...ws.flags(), "--", "python", "-c", "import sys; sys.exit(7)"]);
    expect(failing.code).toBe(7);
    const killed = runCli(["run", "-C", dir, ...ws.flags(), "--", "sh", "-c", "kill -TERM $$"]);
    expect(killed.code).toBe(128 + 15);
    const missing = runCli(["run", "-C", dir, ...ws.flags(), "--", "no-such-command-here"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("command not found: no-such-command-here");
  });
});

describe.skipIf(!hasPython311)("doctor", () => {
  const ws = new Workspace();
  afterAll(() => ws.remove());

  it("reports interpreters, sandbox, store health, and each setting with its origin", async () => {
    const dir = await ws.uvProject("doc", { deps: ["alpha"] }, [{ name: "alpha", version: "1.0" }]);
    writeFileSync(join(dir, "pyproject.toml"), readFileSync(join(dir, "pyproject.toml"), "utf8") + "\n[tool.wheelwright]\njobs = 3\n");
    const r = runCli(["doctor", "-C", dir, "--store", ws.store, "--json"], { env: { WHEELWRIGHT_SANDBOX: "off" } });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      interpreters: { version: string; executable: string }[];
      sandbox: { available: string; mode: string };
      store: { root: string; layoutVersion: string; integrity: string; paths: number; unregistered: string[] };
      project: { lockFile: string };
      settings: { key: string; value: unknown; origin: string }[];
      problems: string[];
    };
    expect(report.interpreters.some((i) => i.version === "3.11.7")).toBe(true);
    expect(report.sandbox.mode).toBe("off");
    expect(report.store).toMatchObject({ root: ws.store, layoutVersion: readFileSync(join(ws.store, "VERSION"), "utf8").trim(), integrity: "ok", paths: 0, unregistered: [] });
    expect(report.project.lockFile).toBe(join(dir, "uv.lock"));
    const setting = (key: string) => report.settings.find((s) => s.key === key);
    expect(setting("jobs")).toEqual({ key: "jobs", value: 3, origin: "pyproject" });
    expect(setting("sandbox")).toEqual({ key: "sandbox", value: "off", origin: "env" });
    expect(setting("store")).toEqual({ key: "store", value: ws.store, origin: "flag" });
    expect(setting("output")).toEqual({ key: "output", value: ".venv", origin: "default" });
    expect(report.problems).toEqual([]);

    const text = runCli(["doctor", "-C", dir, "--store", ws.store]);
    expect(text.stdout).toMatch(/^ {2}database integrity: ok$/m);
    expect(text.stdout).toMatch(/^ {2}jobs +3 +\[pyproject\]$/m);
    expect(text.stdout).toMatch(/^no problems found$/m);
  });

  it("fails listing problems, and works outside a project", () => {
    const store = join(ws.work, "store2");
    expect(runCli(["doctor", "--store", store]).code).toBe(0);
    mkdirSync(join(store, "store", "0000000000000000000000000000000a-junk"));
    const empty = join(ws.work, "not-a-project");
    mkdirSync(empty);
    const r = runCli(["doctor", "--store", store], { cwd: empty });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^project: .*no lock file in /m);
    expect(r.stdout).toMatch(/^problems \(1\):\n {2}- 1 unregistered entry in .*\/store2\/store \(run wheelwright gc\)$/m);
  });
});

function runCliAsync(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, CI: "true" } }, (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }));
  });
}

async function mapTwoAtATime<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += 2) out.push(...(await Promise.all(items.slice(i, i + 2).map(fn))));
  return out;
}

describe("help and version", () => {
  /** Every command path, read from the help output itself. */
  function commands(prefix: string[] = []): string[][] {
    const help = runCli([...prefix, "--help"]).stdout;
    const section = (help.split(/^Commands:$/m)[1] ?? "").split("\n\n")[0]!;
    const names = [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((n) => n !== "help");
    if (prefix.length > 3) throw new Error(`runaway command listing: ${prefix.join(" ")}`);
    return names.flatMap((n) => [[...prefix, n], ...commands([...prefix, n])]);
  }

  it("--help of every command shows at least one example", async () => {
    const all = commands();
    for (const expected of ["sync", "plan", "build", "run", "show", "why", "graph", "diff", "doctor", "gc"]) expect(all.map((c) => c.join(" "))).toContain(expected);
    expect(runCli(["--help"]).stdout).toContain("Examples:");
    // Two at a time: each is a process start.
    const helps = await mapTwoAtATime(all, (command) => runCliAsync([...command, "--help"]));
    all.forEach((command, i) => {
      expect(helps[i]!.code, command.join(" ")).toBe(0);
      expect(helps[i]!.stdout, command.join(" ")).toMatch(/\nExamples:\n {2}wheelwright /);
    });
  });

  it("--version prints the package version; usage errors exit 2", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as { version: string };
    expect(runCli(["--version"]).stdout.trim()).toBe(pkg.version);
    expect(runCli(["no-such-command"]).code).toBe(2);
    expect(runCli(["why"]).code).toBe(2);
  });
});
