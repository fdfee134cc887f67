// The generated references in docs/ must match their sources (run `npm run docs` after
// changing src/config/schema.ts, src/errors.ts, a command's options or help, the exit codes or
// the event types), and the hand-written docs must keep up with the codes and files they cite.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../src/errors.js";

const root = join(import.meta.dirname, "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");

interface GenDocs {
  renderDocs: () => Promise<Record<string, string>>;
  commandPaths: () => Promise<string[][]>;
  eventsFromSource: (text: string) => { type: string; fields: string[] }[];
}
// @ts-expect-error plain .mjs module without types
const gen = (await import("../scripts/gen-docs.mjs")) as GenDocs;

/** Markdown files whose links and code references are checked. */
const docFiles = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");

describe("generated docs", () => {
  it("are up to date with the settings schema, the error codes, the CLI and the events", { timeout: 120_000 }, async () => {
    for (const [file, text] of Object.entries(await gen.renderDocs())) {
      expect(read(file), `${file} is stale: run npm run docs`).toBe(text);
    }
  });

  it("the CLI reference has a section for every command the program registers", async () => {
    const paths = await gen.commandPaths();
    // the commands that exist since the first release; a regression that drops one fails here
    for (const must of [["sync"], ["plan"], ["gc"], ["store", "verify"], ["store", "ls"], ["python", "find"]]) {
      expect(paths.map((p) => p.join(" ")), must.join(" ")).toContain(must.join(" "));
    }
    const cli = read("docs/cli.md");
    for (const path of paths) expect(cli).toContain(`### ${["wheelwright", ...path].join(" ")}\n`);
  });

  it("reads the event union from its source, and fails on one it cannot read", () => {
    const events = gen.eventsFromSource(read("src/events/types.ts"));
    expect(events.map((e) => e.type)).toContain("summary");
    expect(events.find((e) => e.type === "venv")?.fields).toContain("storePath: string");
    expect(() => gen.eventsFromSource("export type Other = 1;")).toThrow(/WheelwrightEvent/);
  });

  it("the CLI reference lists every exit code with the error codes that lead to it", () => {
    const cli = read("docs/cli.md");
    for (const [status, code] of [["2", "ERR_WW_CONFIG"], ["3", "ERR_WW_BUILD_FAILED"], ["4", "ERR_WW_HASH_MISMATCH"]] as const) {
      expect(cli).toMatch(new RegExp(`^\\| ${status} \\|.*\\\`${code}\\\``, "m"));
    }
  });
});

describe("troubleshooting.md", () => {
  const text = read("docs/troubleshooting.md");
  const sections = new Map<string, string>();
  for (const part of text.split(/^## /m).slice(1)) {
    const heading = part.slice(0, part.indexOf("\n")).trim();
    sections.set(heading, part.slice(part.indexOf("\n") + 1));
  }

  it("has a section for every error code, and none for codes that do not exist", () => {
    const missing = Object.keys(ERROR_CODES).filter((code) => !sections.has(code));
    expect(missing, "add a `## CODE` section to docs/troubleshooting.md for each").toEqual([]);
    const stale = [...sections.keys()].filter((h) => h.startsWith("ERR_WW_") && !(h in ERROR_CODES));
    expect(stale).toEqual([]);
  });

  it("says in each section what the code means and what to do", () => {
    for (const code of Object.keys(ERROR_CODES)) {
      const body = sections.get(code) ?? "";
      expect(body, `${code}: what to do`).toMatch(/\*\*What to do:?\*\*/);
      expect(body.replace(/\s+/g, " ").length, `${code} is too short to help`).toBeGreaterThan(150);
    }
  });
});

describe("links in README.md and docs/", () => {
  it("point at files that exist and headings that exist", () => {
    const broken: string[] = [];
    for (const file of docFiles) {
      const text = read(file).replace(/```[\s\S]*?```/g, "");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [path, anchor] = target!.split("#") as [string, string | undefined];
        const full = path === "" ? join(root, file) : resolve(dirname(join(root, file)), path);
        if (!existsSync(full)) {
          broken.push(`${file}: ${target}`);
          continue;
        }
        if (anchor !== undefined && full.endsWith(".md")) {
          const anchors = [...readFileSync(full, "utf8").matchAll(/^#+ (.*)$/gm)].map((m) => anchorOf(m[1]!));
          if (!anchors.includes(anchor)) broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("cite source files that exist", () => {
    const missing: string[] = [];
    for (const file of docFiles) {
      for (const [, path] of read(file).matchAll(/`((?:src|test|scripts|examples|docs)\/[\w./-]+)`/g)) {
        if (/(^|\/)\.venv(\/|$)/.test(path!)) continue; // an environment a command makes, not a source file
        if (!existsSync(join(root, path!))) missing.push(`${file}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
