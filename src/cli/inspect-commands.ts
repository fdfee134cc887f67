/** `build`, `show`, `why`, `graph`, `diff`, and the human form of `plan`: printing only. */
import type { Command, Option } from "commander";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { WheelwrightError } from "../errors.js";
import type { EnvMember } from "../inspect/diff.js";
import type { GraphFormat } from "../inspect/graph.js";
import type { PackageReport } from "../inspect/show.js";
import type { Store } from "../store/store.js";
import type { Plan } from "../sync/index.js";
import { addProjectOptions, toFlags } from "./options.js";
import { makeEvents } from "./reporter.js";

type Opts = Record<string, unknown>;

/** Project input for the library; `-o` is left out where a command gives it another meaning. */
function projectInput(opts: Opts, keepOutput = true) {
  const flags = toFlags(opts);
  if (!keepOutput) delete flags.output;
  return { ...(opts.project ? { dir: opts.project as string } : {}), flags };
}

/** Re-describes the shared `-o` option for commands where it names a file to write. */
function redescribeOutput(command: Command, description: string): Command {
  const option = (command.options as Option[]).find((o) => o.long === "--output");
  if (option !== undefined) option.description = description;
  return command;
}

async function withPlan<T>(opts: Opts, keepOutput: boolean, fn: (p: Plan, store: Store) => Promise<T> | T): Promise<T> {
  const { plan } = await import("../sync/index.js");
  const { plan: p, store } = await plan(projectInput(opts, keepOutput));
  try {
    return await fn(p, store);
  } finally {
    store.close();
  }
}

const out = (text: string) => process.stdout.write(text);

export function registerInspectCommands(program: Command): void {
  redescribeOutput(
    addProjectOptions(
      program
        .command("build <names...>")
        .description("Make just these packages' store paths (and what they need) and print them")
        .addHelpText("after", "\nExamples:\n  wheelwright build numpy\n  wheelwright build mypkg -o result        # result -> its store path (a GC root)\n  wheelwright build alpha beta -o result   # result-alpha, result-beta"),
    ),
    "make a link to each store path: <path>, or <path>-<name> for several (GC roots)",
  ).action(async (names: string[], opts: Opts) => {
    const events = makeEvents(program.opts());
    const { buildPackages } = await import("../inspect/build.js");
    await withPlan(opts, false, async (p, store) => {
      const built = await buildPackages(p, store, names, { events });
      for (const b of built) {
        if (opts.output !== undefined) {
          const link = resolve(built.length === 1 ? (opts.output as string) : `${opts.output as string}-${b.name}`);
          store.addRoot(link, b.path);
        }
        out(`${b.storePath}\n`);
      }
    });
  });

  addProjectOptions(
    program
      .command("show <name>")
      .description("Show a package: recipe, derivation, store path, size, dependencies and dependents")
      .option("--json", "print everything as JSON, including the derivation's canonical form")
      .addHelpText("after", "\nExamples:\n  wheelwright show requests\n  wheelwright show numpy --json | jq .derivation.canonical"),
  ).action(async (name: string, opts: Opts) => {
    const { showPackage } = await import("../inspect/show.js");
    await withPlan(opts, true, (p, store) => {
      const report = showPackage(p, store, name);
      out(opts.json ? JSON.stringify(report, null, 2) + "\n" : formatShow(report));
    });
  });

  addProjectOptions(
    program
      .command("why <name>")
      .description("List every path from the environment's roots to a package (shortest first)")
      .option("--limit <n>", "paths to list (default 20)", (v) => Number.parseInt(v, 10))
      .option("--json", "print the paths as JSON")
      .addHelpText("after", "\nExamples:\n  wheelwright why urllib3\n  wheelwright why idna --limit 5"),
  ).action(async (name: string, opts: Opts) => {
    const [{ normalizeName }, { runtimeGraph, whyPaths }] = await Promise.all([import("../pep/names.js"), import("../inspect/runtime-graph.js")]);
    await withPlan(opts, true, (p) => {
      const wanted = normalizeName(name);
      if (!p.members.some((m) => m.name === wanted)) {
        const inBuild = p.items.filter((i) => i.derivation.builder === "venv" && i.derivation !== p.venv && i.derivation.inputs.some((m) => m.name === wanted));
        throw new WheelwrightError("ERR_WW_UNKNOWN_PACKAGE", `${name} is not in this project's environment`, {
          package: name,
          hint: inBuild.length > 0 ? `it is only in build environments (see: wheelwright show ${wanted})` : "run `wheelwright plan` to list the packages",
        });
      }
      const result = whyPaths(runtimeGraph(p.set, p.locked.roots), wanted, { limit: (opts.limit as number | undefined) ?? 20 });
      if (opts.json) {
        out(JSON.stringify(result, null, 2) + "\n");
        return;
      }
      const total = result.paths.length + result.more;
      out(`${wanted} is in the environment through ${total}${result.truncated ? "+" : ""} path${total === 1 ? "" : "s"}:\n`);
      for (const path of result.paths) out(`  ${path.length === 1 ? `${path[0]} (a root)` : path.join(" -> ")}\n`);
      if (result.more > 0) out(`  … and ${result.more}${result.truncated ? "+" : ""} more (--limit to see them)\n`);
    });
  });

  redescribeOutput(
    addProjectOptions(
      program
        .command("graph")
        .description("Draw the build graph and the runtime graph side by side")
        .option("--format <format>", "dot, mermaid or html (one self-contained file)", "dot")
        .addHelpText("after", "\nExamples:\n  wheelwright graph | dot -Tsvg > graph.svg\n  wheelwright graph --format mermaid\n  wheelwright graph --format html -o graph.html"),
    ),
    "write to this file instead of stdout",
  ).action(async (opts: Opts) => {
    const format = opts.format as string;
    if (format !== "dot" && format !== "mermaid" && format !== "html") {
      throw new WheelwrightError("ERR_WW_USAGE", `unknown graph format '${format}'`, { hint: "use --format dot, mermaid or html" });
    }
    const { renderGraphs } = await import("../inspect/graph.js");
    await withPlan(opts, false, (p) => {
      const text = renderGraphs(p, format as GraphFormat);
      if (opts.output !== undefined) writeFileSync(opts.output as string, text);
      else out(text);
    });
  });

  program
    .command("diff <a> <b>")
    .description("Compare two environments: packages added, removed, changed, and size")
    .option("--store <dir>", "store root (default: the store the first environment is in)")
    .option("--json", "print the comparison as JSON")
    .addHelpText("after", "\nExamples:\n  wheelwright diff old-project/ new-project/\n  wheelwright diff .venv /path/to/store/store/<hash>-myproject-env")
    .action(async (a: string, b: string, opts: Opts) => {
      const [{ diffEnvironments, resolveEnvironment, storeRootOf }, { Store }] = await Promise.all([import("../inspect/diff.js"), import("../store/store.js")]);
      const aReal = resolveEnvironment(a);
      const bReal = resolveEnvironment(b);
      const store = await Store.open((opts.store as string | undefined) ?? storeRootOf(aReal));
      try {
        const d = diffEnvironments(store, aReal, bReal);
        if (opts.json) {
          out(JSON.stringify(d, null, 2) + "\n");
          return;
        }
        const id = (m: EnvMember) => `${m.name} ${m.version}`;
        for (const m of d.added) out(`+ ${id(m)}\n`);
        for (const m of d.removed) out(`- ${id(m)}\n`);
        for (const c of d.changed) out(`~ ${c.name} ${c.from.version} -> ${c.to.version}\n`);
        for (const c of d.rebuilt) out(`~ ${c.name} ${c.to.version} (rebuilt: ${c.to.storePath})\n`);
        const delta = d.sizeB - d.sizeA;
        out(`${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.rebuilt.length} rebuilt; size ${mb(d.sizeA)} -> ${mb(d.sizeB)} (${delta >= 0 ? "+" : "-"}${mb(Math.abs(delta))})\n`);
      } finally {
        store.close();
      }
    });
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

function specText(spec: Record<string, string[]>): string {
  const names = Object.entries(spec).map(([n, extras]) => (extras.length > 0 ? `${n}[${extras.join(",")}]` : n));
  return names.length > 0 ? names.join(", ") : "(none)";
}

function formatShow(r: PackageReport): string {
  const rows: [string, string][] = [
    ["source", r.source],
    ["in environment", r.member ? "yes" : "no (build environments only)"],
    ["builder", r.derivation?.builder ?? "none (virtual)"],
    ["store path", r.storePath ?? "none"],
    ["status", r.present ? `present, ${r.narSize} bytes (NAR)` : r.storePath === null ? "nothing to make" : `not present: ${r.reasons.join("; ") || "not in store"}`],
    ["derivation", r.derivation?.hash ?? "none"],
    ["inputs", r.derivation !== null && r.derivation.inputs.length > 0 ? r.derivation.inputs.join(", ") : "(none)"],
    ["requires", specText(r.recipe.dependencies)],
    ...Object.entries(r.recipe.extras).map(([k, v]) => [`extra ${k}`, specText(v)] as [string, string]),
    ...Object.entries(r.recipe.groups).map(([k, v]) => [`group ${k}`, specText(v)] as [string, string]),
    ["dependencies", r.dependencies.join(", ") || "(none)"],
    ["required by", r.dependents.join(", ") || "(none)"],
    ...(r.buildDependents.length > 0 ? [["build env of", r.buildDependents.join(", ")] as [string, string]] : []),
  ];
  return `${r.name} ${r.version}\n${rows.map(([k, v]) => `  ${(k + ":").padEnd(16)} ${v}`).join("\n")}\n`;
}
