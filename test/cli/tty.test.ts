// The live progress reporter in a real terminal: a sync runs inside tmux (120x30), and the
// captured screen must end as the one-line summary — no progress lines left behind, no
// escape-code debris — with colour only when NO_COLOR is unset.
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { Workspace } from "./fixtures.js";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
if (!hasTmux) console.warn("skipping the tmux progress test: tmux is not installed (.ci/run installs it)");
if (!hasPython311) console.warn("skipping the tmux progress test: no pyenv 3.11.7");

const SOCKET = `ww-tty-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args], { encoding: "utf8" });
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs `args` in a fresh 120x30 tmux window and returns the screen once it has exited. */
async function runInTerminal(session: string, args: string[], env: Record<string, string>): Promise<{ plain: string; escaped: string }> {
  const exports = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(" ");
  const command = `env -u CI ${exports} ${shellQuote(process.execPath)} ${shellQuote(CLI)} ${args.map(shellQuote).join(" ")}; echo "[exit $?]"; sleep 600`;
  tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "30", command);
  const deadline = Date.now() + 60_000;
  let plain = "";
  while (Date.now() < deadline) {
    plain = tmux("capture-pane", "-p", "-t", session);
    if (/\[exit \d+\]/.test(plain)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const escaped = tmux("capture-pane", "-p", "-e", "-t", session);
  tmux("kill-session", "-t", session);
  return { plain, escaped };
}

describe.skipIf(!hasTmux || !hasPython311)("live progress in a terminal (tmux)", () => {
  const ws = new Workspace();
  let project: string;
  let project2: string;
  beforeAll(async () => {
    const packages = ["alpha", "beta", "gamma", "delta"].map((name) => ({ name, version: "1.0" }));
    project = await ws.uvProject("tty", { deps: packages.map((p) => p.name) }, packages);
    const others = ["eta", "theta"].map((name) => ({ name, version: "1.0" }));
    project2 = await ws.uvProject("tty2", { deps: ["eta", "theta"] }, others);
  });
  afterAll(() => {
    spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
    rmSync(join(process.env.TMUX_TMPDIR ?? "/tmp", `tmux-${process.getuid?.() ?? 0}`, SOCKET), { force: true });
    ws.remove();
  });

  it("collapses to the summary line, in colour", async () => {
    const { plain, escaped } = await runInTerminal("colour", ["sync", "-C", project, ...ws.flags()], { TERM: "xterm-256color" });
    const lines = plain.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
    expect(lines, plain).toHaveLength(2);
    expect(lines[0]).toMatch(/^done fetched 4 \(0\.0 MB\), built 0, linked 4 in \d+\.\d\ds$/);
    expect(lines[1]).toBe("[exit 0]");
    // Nothing but the two lines: no left-over status rows, no stray escape sequences as text.
    expect(plain).not.toMatch(/\x1b|\[\d*[A-KJm]|\d+\/\d+ done|fetch |build /);
    expect(escaped).toContain("\x1b[32m"); // "done" in green
  });

  it("honours NO_COLOR", async () => {
    const { plain, escaped } = await runInTerminal("nocolour", ["sync", "-C", project2, ...ws.flags()], { TERM: "xterm-256color", NO_COLOR: "1" });
    const lines = plain.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
    expect(lines, plain).toEqual([expect.stringMatching(/^done fetched 2 \(0\.0 MB\), built 0, linked 2 in \d+\.\d\ds$/), "[exit 0]"]);
    expect(escaped).not.toMatch(/\x1b\[(3\d|9\d|1|2)m/);
  });

  it("leaves no status lines when the sync fails", async () => {
    const broken = await ws.uvProject("tty-broken", { deps: ["omega"] }, [{ name: "omega", version: "1.0" }]);
    const { plain } = await runInTerminal("failure", ["sync", "-C", broken, "--offline", "--store", ws.store, "--python", ws.flags()[ws.flags().length - 1]!], { TERM: "xterm-256color", NO_COLOR: "1" });
    const lines = plain.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
    expect(lines[0], plain).toMatch(/^error\[ERR_WW_OFFLINE_MISSING\]/);
    expect(lines.at(-1)).toBe("[exit 1]");
    expect(plain).not.toMatch(/\d+\/\d+ done|\d+ done ·/);
  });
});
