// A small synthetic wheelhouse and projects over it (uv.lock with a virtual root, extras and
// groups; pylock.toml), plus the flags every offline CLI run needs.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { runCli, type CliResult } from "../helpers/cli.js";
import { PYTHON311 } from "../helpers/interpreter.js";
import { makeWheel } from "../install/fixtures.js";

export interface Dep {
  name: string;
  extra?: string[];
}

export interface PackageSpec {
  name: string;
  version: string;
  deps?: (string | Dep)[];
  extras?: Record<string, (string | Dep)[]>;
  groups?: Record<string, (string | Dep)[]>;
  /** Extra files in the wheel (the import package `name/__init__.py` is always there). */
  files?: Record<string, string>;
  entryPoints?: string;
  /** Use this wheel file instead of making one (e.g. other bytes under the same name). */
  wheel?: string;
}

export class Workspace {
  readonly work = mkdtempSync(join(tmpdir(), "ww-cli-"));
  readonly wheels = join(this.work, "wheels");
  readonly store = join(this.work, "store");
  private readonly made = new Map<string, string>();

  constructor() {
    mkdirSync(this.wheels);
  }

  /** Writes the wheel for name-version once; returns its path. */
  async wheel(spec: Pick<PackageSpec, "name" | "version" | "files" | "entryPoints">): Promise<string> {
    const key = `${spec.name}-${spec.version}`;
    const known = this.made.get(key);
    if (known !== undefined) return known;
    const path = await makeWheel(this.wheels, {
      name: spec.name,
      version: spec.version,
      files: { [`${spec.name}/__init__.py`]: `VERSION = ${JSON.stringify(spec.version)}\n`, ...spec.files },
      ...(spec.entryPoints !== undefined ? { entryPoints: spec.entryPoints } : {}),
    });
    this.made.set(key, path);
    return path;
  }

  /** A project directory with a uv.lock whose virtual root `project` needs `roots`. */
  async uvProject(project: string, root: Omit<PackageSpec, "version" | "name">, packages: PackageSpec[]): Promise<string> {
    const dir = join(this.work, project);
    mkdirSync(dir, { recursive: true });
    const edge = (d: string | Dep) => (typeof d === "string" ? `{ name = "${d}" }` : `{ name = "${d.name}"${d.extra ? `, extra = [${d.extra.map((e) => `"${e}"`).join(", ")}]` : ""} }`);
    const deps = (list: (string | Dep)[] | undefined) => `[${(list ?? []).map(edge).join(", ")}]`;
    const tables = (spec: Omit<PackageSpec, "version" | "name">) => {
      const out: string[] = [];
      for (const [table, map] of [["optional-dependencies", spec.extras], ["dev-dependencies", spec.groups]] as const) {
        if (map === undefined) continue;
        out.push(`[package.${table}]`, ...Object.entries(map).map(([k, v]) => `${k} = ${deps(v)}`), "");
      }
      return out;
    };
    const lines = ["version = 1", "revision = 3", 'requires-python = ">=3.8"', ""];
    lines.push("[[package]]", `name = "${project}"`, 'version = "0.1.0"', 'source = { virtual = "." }', `dependencies = ${deps(root.deps)}`, "", ...tables(root));
    for (const p of packages) {
      const path = p.wheel ?? (await this.wheel(p));
      const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
      lines.push("[[package]]", `name = "${p.name}"`, `version = "${p.version}"`, 'source = { registry = "https://registry.invalid/simple" }', `dependencies = ${deps(p.deps)}`);
      lines.push(`wheels = [{ url = "https://files.invalid/${basename(path)}", hash = "sha256:${sha}", size = ${readFileSync(path).length} }]`, "", ...tables(p));
    }
    writeFileSync(join(dir, "uv.lock"), lines.join("\n"));
    const extras = Object.keys(root.extras ?? {});
    writeFileSync(join(dir, "pyproject.toml"), `[project]\nname = "${project}"\nversion = "0.1.0"\n${extras.length > 0 ? `[project.optional-dependencies]\n${extras.map((e) => `${e} = []`).join("\n")}\n` : ""}`);
    return dir;
  }

  /** A project directory with a pylock.toml listing `packages` (all of them roots). */
  async pylockProject(project: string, packages: PackageSpec[]): Promise<string> {
    const dir = join(this.work, project);
    mkdirSync(dir, { recursive: true });
    const lines = ['lock-version = "1.0"', 'created-by = "test"', ""];
    for (const p of packages) {
      const path = await this.wheel(p);
      const sha = createHash("sha256").update(readFileSync(path)).digest("hex");
      lines.push("[[packages]]", `name = "${p.name}"`, `version = "${p.version}"`);
      lines.push(`wheels = [{ name = "${basename(path)}", url = "https://files.invalid/${basename(path)}", hashes = { sha256 = "${sha}" } }]`, "");
    }
    writeFileSync(join(dir, "pylock.toml"), lines.join("\n"));
    return dir;
  }

  /** Removes the workspace (store paths are read-only, so make them writable first). */
  remove(): void {
    spawnSync("chmod", ["-R", "u+w", this.work]);
    rmSync(this.work, { recursive: true, force: true });
  }

  /** Flags for an offline run against this workspace's wheelhouse and store. */
  flags(): string[] {
    return ["--find-links", this.wheels, "--offline", "--store", this.store, "--python", PYTHON311];
  }

  /** `wheelwright <command> -C dir <flags> ...args`. */
  cli(command: string[], dir: string, ...args: string[]): CliResult {
    return runCli([...command, "-C", dir, ...this.flags(), ...args]);
  }
}
