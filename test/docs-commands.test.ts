// Runs the commands the docs show, so a doc example that stops working fails CI.
//
// A fenced ```sh (or ```console) block is run when the line before it (blank lines allowed) is
// `<!-- test: run -->`, optionally with `cwd=<dir>` (relative to the repository root; default
// the root) and `timeout=<seconds>`. Two shapes:
//   - a script: every line is a command (`\` continues a line), each must exit 0;
//   - a session: lines starting with `$ ` are commands; the lines after one, up to the next `$ `,
//     are output that must appear, in order, in its stdout+stderr (`...` matches anything within
//     a line), and a line `[exit N]` says the command must exit with status N instead of 0.
// `npm ci`, `npm run build` and `npm test` are not run again: this test is part of the run they
// make (dist/ is built by `npm test` before vitest starts). Each document runs in its own copy
// of the repository's examples/ (with dist/ and node_modules/ linked) against one temporary
// store (WHEELWRIGHT_STORE), so neither the checkout nor the user's store is touched; a
// `wheelwright` command on PATH runs the built CLI.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist/cli/main.js");

/** Commands this test run itself stands for. */
const COVERED_BY_THE_RUN = new Set(["npm ci", "npm run build", "npm test"]);

interface Step {
  command: string;
  expected: string[];
  exit: number;
}

interface Block {
  file: string;
  line: number;
  cwd: string;
  timeout: number;
  steps: Step[];
}

function extractBlocks(file: string, text: string): Block[] {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!--\s*test:\s*run\b(.*?)-->\s*$/.exec(lines[i]!);
    if (marker === null) continue;
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() === "") j++;
    const fence = /^```(sh|console|bash)\s*$/.exec(lines[j] ?? "");
    if (fence === null) throw new Error(`${file}:${i + 1}: <!-- test: run --> must be followed by a \`\`\`sh or \`\`\`console block`);
    const body: string[] = [];
    for (j++; j < lines.length && !lines[j]!.startsWith("```"); j++) body.push(lines[j]!);
    const options = Object.fromEntries([...marker[1]!.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
    blocks.push({ file, line: i + 2, cwd: options.cwd ?? ".", timeout: Number(options.timeout ?? 300), steps: parseSteps(body) });
    i = j;
  }
  return blocks;
}

function joinContinuations(body: string[]): string[] {
  const out: string[] = [];
  let pending = "";
  for (const line of body) {
    if (line.endsWith("\\")) pending += line.slice(0, -1);
    else {
      out.push(pending + line);
      pending = "";
    }
  }
  if (pending !== "") out.push(pending);
  return out;
}

function parseSteps(body: string[]): Step[] {
  const lines = joinContinuations(body);
  if (!lines.some((l) => l.startsWith("$ "))) {
    return lines.filter((l) => l.trim() !== "" && !l.trim().startsWith("#")).map((command) => ({ command, expected: [], exit: 0 }));
  }
  const steps: Step[] = [];
  for (const line of lines) {
    if (line.startsWith("$ ")) steps.push({ command: line.slice(2), expected: [], exit: 0 });
    else if (steps.length === 0) throw new Error(`output before the first command: ${line}`);
    else {
      const exit = /^\[exit (\d+)\]$/.exec(line.trim());
      if (exit !== null) steps.at(-1)!.exit = Number(exit[1]);
      else if (line.trim() !== "") steps.at(-1)!.expected.push(line.trimEnd());
    }
  }
  return steps;
}

/** Drops the parts of `a && b && c` that the test run stands for. */
function withoutCovered(command: string): string | undefined {
  const parts = command.split(" && ").filter((p) => !COVERED_BY_THE_RUN.has(p.trim()));
  return parts.length === 0 ? undefined : parts.join(" && ");
}

/** Expected lines must match actual lines in order; `...` matches any text within a line. */
function missingOutput(expected: string[], output: string): string | undefined {
  const actual = output.split("\n").map((l) => l.trimEnd());
  let at = 0;
  for (const want of expected) {
    const pattern = new RegExp(`^${want.split("...").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    while (at < actual.length && !pattern.test(actual[at]!)) at++;
    if (at === actual.length) return want;
    at++;
  }
  return undefined;
}

const docFiles = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const blocksByFile = docFiles.map((file) => ({ file, blocks: extractBlocks(file, readFileSync(join(root, file), "utf8")) }));

const scratch = mkdtempSync(join(tmpdir(), "ww-docs-"));
const store = join(scratch, "store");
const bin = join(scratch, "bin");
mkdirSync(bin);
writeFileSync(join(bin, "wheelwright"), `#!/bin/sh\nexec "${process.execPath}" "${cli}" "$@"\n`);
chmodSync(join(bin, "wheelwright"), 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A throwaway checkout for one document: examples/ copied (without environments), the rest linked. */
function workspaceFor(file: string): string {
  const dir = join(scratch, "workspaces", file.replace(/[/.]/g, "-"));
  mkdirSync(dir, { recursive: true });
  for (const name of ["dist", "node_modules", "package.json", "src", "docs", "scripts"]) symlinkSync(join(root, name), join(dir, name));
  cpSync(join(root, "examples"), join(dir, "examples"), { recursive: true, filter: (src) => !/\/(\.venv|result)$/.test(src) });
  return dir;
}

function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // the user's wheelwright settings must not leak into the examples
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("WHEELWRIGHT_") && k !== "FORCE_COLOR") env[k] = v;
  return { ...env, PATH: `${bin}:${process.env.PATH ?? ""}`, WHEELWRIGHT_STORE: store, NO_COLOR: "1", CI: "1" };
}

describe("runnable blocks in the docs", () => {
  it("exist, including the README's quick start sync", () => {
    const all = blocksByFile.flatMap((f) => f.blocks);
    expect(all.length).toBeGreaterThanOrEqual(5);
    const readme = blocksByFile.find((f) => f.file === "README.md")!.blocks;
    const quickStart = readme.find((b) => b.steps.some((s) => s.command.includes("sync -C examples/quickstart")));
    expect(quickStart, "README's quick start must be marked <!-- test: run -->").toBeDefined();
    expect(quickStart!.steps.map((s) => withoutCovered(s.command))).toContain("node dist/cli/main.js sync -C examples/quickstart");
  });

  it("parses scripts, sessions, wildcards and exit statuses", () => {
    const [block] = extractBlocks("x.md", ["<!-- test: run cwd=examples -->", "```console", "$ wheelwright a \\", "  --b", "ok ...", "[exit 2]", "$ c", "```"].join("\n"));
    expect(block!.cwd).toBe("examples");
    expect(block!.steps).toEqual([
      { command: "wheelwright a   --b", expected: ["ok ..."], exit: 2 },
      { command: "c", expected: [], exit: 0 },
    ]);
    expect(missingOutput(["a ... c", "d"], "x\na b c\nd\n")).toBeUndefined();
    expect(missingOutput(["d", "a ... c"], "a b c\nd\n")).toBe("a ... c");
    expect(withoutCovered("npm ci && npm run build && node x")).toBe("node x");
    expect(withoutCovered("npm test")).toBeUndefined();
    expect(() => extractBlocks("y.md", "<!-- test: run -->\n\nplain text")).toThrow(/y.md:1/);
  });

  for (const { file, blocks } of blocksByFile) {
    if (blocks.length === 0) continue;
    describe(file, () => {
      let workspace: string | undefined;
      for (const block of blocks) {
        it(`line ${block.line}: ${block.steps.map((s) => s.command).join("; ").slice(0, 100)}`, { timeout: block.timeout * 1000 }, () => {
          workspace ??= workspaceFor(file);
          for (const step of block.steps) {
            const command = withoutCovered(step.command);
            if (command === undefined) continue;
            const result = spawnSync("bash", ["-o", "pipefail", "-c", command], { cwd: join(workspace, block.cwd), env: environment(), encoding: "utf8", timeout: block.timeout * 1000 });
            const output = `${result.stdout}${result.stderr}`;
            expect(result.status, `${file}:${block.line}: \`${command}\` exited ${result.status}:\n${output}`).toBe(step.exit);
            const missing = missingOutput(step.expected, output);
            expect(missing, `${file}:${block.line}: \`${command}\` did not print the line the doc shows; it printed:\n${output}`).toBeUndefined();
          }
          if (file === "README.md" && block.steps.some((s) => s.command.includes("sync -C examples/quickstart"))) {
            // the environment the quick start promises: a working interpreter with pip in it
            const python = join(workspace, "examples/quickstart/.venv/bin/python");
            expect(existsSync(python)).toBe(true);
            const pip = spawnSync(python, ["-m", "pip", "list"], { encoding: "utf8", env: environment() });
            expect(pip.stdout).toMatch(/^pip\s+23\.2\.1$/m);
          }
        });
      }
    });
  }
});
