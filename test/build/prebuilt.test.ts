// `prebuilt = "<site-packages>"` in [tool.wheelwright.packages.X]: the distribution installed
// there (found by name and version, files from its RECORD) is adopted into the store instead
// of fetching the lock's file, and the environment imports it — a pure package and one with
// a compiled extension, both from the pyenv 3.11.7 interpreter's own site-packages.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isWheelwrightError, type WheelwrightError } from "../../src/errors.js";
import { sync } from "../../src/sync/index.js";
import { hasPython311 } from "../helpers/interpreter.js";
import { makeWorkspace, syncFlags, type Workspace } from "./fixtures.js";

const SITE = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages";
const installed = (name: string) => (existsSync(SITE) ? readdirSync(SITE).find((e) => e.toLowerCase().startsWith(`${name}-`) && e.endsWith(".dist-info")) : undefined);
const PACKAGES = ["packaging", "orjson"].map((name) => ({ name, distInfo: installed(name) }));
const skipReason = !hasPython311 ? "pyenv 3.11.7 is not installed" : PACKAGES.find((p) => p.distInfo === undefined) ? `${SITE} lacks ${PACKAGES.filter((p) => !p.distInfo).map((p) => p.name).join(", ")}` : undefined;
if (skipReason) console.warn(`skipping prebuilt adoption: ${skipReason}`);

describe.skipIf(skipReason !== undefined)("prebuilt sources", () => {
  let ws: Workspace;
  let project: string;
  const versions = Object.fromEntries(PACKAGES.map((p) => [p.name, p.distInfo?.replace(/^[^-]+-/, "").replace(/\.dist-info$/, "") ?? ""]));

  beforeAll(() => {
    ws = makeWorkspace("prebuilt");
    project = join(ws.dir, "project");
    mkdirSync(project);
    // The lock names wheels no machine has: only the adopted distributions can satisfy it.
    const lock = ['lock-version = "1.0"', 'created-by = "wheelwright-tests"', ""];
    for (const p of PACKAGES) {
      const file = `${p.name}-${versions[p.name]}-py3-none-any.whl`;
      lock.push("[[packages]]", `name = "${p.name}"`, `version = "${versions[p.name]}"`, `wheels = [{ name = "${file}", url = "https://files.invalid/${file}", hashes = { sha256 = "${"0".repeat(64)}" } }]`, "");
    }
    writeFileSync(join(project, "pylock.toml"), lock.join("\n"));
  });
  afterAll(() => ws?.cleanup());

  const pyproject = (site: string, version?: string) =>
    `[project]\nname = "adopter"\nversion = "0"\n\n` + PACKAGES.map((p) => `[tool.wheelwright.packages.${p.name}]\nprebuilt = "${site}"\n`).join("\n") + (version ?? "");

  it("adopts installed distributions by their RECORD and imports them from the store", async () => {
    writeFileSync(join(project, "pyproject.toml"), pyproject(SITE));
    const result = await sync({ dir: project, flags: syncFlags(ws, undefined) });
    expect(result.fetched).toBe(0);
    const out = execFileSync(join(project, ".venv/bin/python"), ["-c", "import packaging, orjson; print(packaging.__file__); import orjson.orjson as native; print(native.__file__); print(orjson.dumps({'a': 1}).decode())"], { encoding: "utf8" }).trim().split("\n");
    const store = `${realpathSync(ws.store)}/store/`;
    expect(realpathSync(out[0]!)).toContain(store);
    expect(out[1]).toMatch(/orjson.*\.so$/);
    expect(realpathSync(out[1]!)).toContain(store);
    expect(out[2]).toBe('{"a":1}');
    // bytecode caches of the old location are not copied
    expect(execFileSync("find", [join(project, ".venv/lib/python3.11/site-packages/packaging/"), "-name", "*.pyc"], { encoding: "utf8" })).not.toContain(SITE);
  }, 120_000);

  it("names the directory, the versions found and the lock's pin when the version differs", async () => {
    const dir = join(ws.dir, "fake-site");
    mkdirSync(join(dir, "packaging-1.0.dist-info"), { recursive: true });
    mkdirSync(join(dir, "orjson-1.0.dist-info"), { recursive: true });
    writeFileSync(join(project, "pyproject.toml"), pyproject(dir));
    const error = await sync({ dir: project, flags: syncFlags(ws, undefined) }).then(() => undefined, (e: unknown) => e);
    expect(isWheelwrightError(error, "ERR_WW_CONFIG")).toBe(true);
    const e = error as WheelwrightError;
    expect(e.message).toMatch(new RegExp(`prebuilt: .*fake-site has (packaging|orjson) 1\\.0, the lock pins ${versions.packaging}|${versions.orjson}`));
    expect(e.location.line).toBeGreaterThan(4);
  });
});
