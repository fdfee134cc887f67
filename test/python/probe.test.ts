// The probe against real interpreters on this machine: facts match what the interpreter says
// about itself, results are cached by (path, realpath, size, mtime), shims and venvs behave.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, statSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { Events } from "../../src/events/emitter.js";
import { probeCacheFile } from "../../src/python/cache.js";
import { probeInterpreter } from "../../src/python/probe.js";

const PYENV = process.env.PYENV_ROOT || join(process.env.HOME ?? "/root", ".pyenv");
const py = (v: string): string => join(PYENV, "versions", v, "bin", "python");
const REAL = ["3.11.7", "3.12.1", "3.13.0", "3.8.18"];
const OLD = ["2.7.18", "3.6.15"];
const ORACLE = py("3.11.7");
const cacheDir = mkdtempSync(join(tmpdir(), "ww-probe-cache-"));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

function ask(python: string, code: string): string {
  return execFileSync(python, ["-c", code], { encoding: "utf8" }).trim();
}

function counting(): { events: Events; spawns: () => number } {
  const events = new Events();
  let n = 0;
  events.on((e) => {
    if (e.type === "log" && e.message.startsWith("probing interpreter")) n++;
  });
  return { events, spawns: () => n };
}

function missing(path: string): boolean {
  if (existsSync(path)) return false;
  console.warn(`skipped: ${path} is not installed on this machine`);
  return true;
}

describe("probeInterpreter on real interpreters", () => {
  for (const version of REAL) {
    const python = py(version);
    it.skipIf(missing(python))(`reports ${version} as the interpreter itself does`, async () => {
      const interp = await probeInterpreter(python, { cacheDir });
      // What the interpreter says about itself, in its normal (site-enabled) startup.
      const self = JSON.parse(
        ask(
          python,
          "import json, os, platform, struct, sys, sysconfig; print(json.dumps({" +
            "'version': platform.python_version(), 'tuple': list(sys.version_info[:3]), 'exe': sys.executable," +
            "'soabi': sysconfig.get_config_var('SOABI'), 'ext': sysconfig.get_config_var('EXT_SUFFIX')," +
            "'platform': sysconfig.get_platform(), 'prefix': sys.prefix, 'base': sys.base_prefix," +
            "'purelib': sysconfig.get_paths('posix_prefix')['purelib'], 'glibc': os.confstr('CS_GNU_LIBC_VERSION')," +
            "'bits': struct.calcsize('P') * 8, 'impl': sys.implementation.name}))",
        ),
      );
      expect(interp.executable).toBe(python);
      expect(interp.version).toBe(self.version);
      expect(interp.versionTuple).toEqual(self.tuple);
      expect(interp.realpath).toBe(realpathSync(self.exe));
      expect(interp.implementation).toBe(self.impl);
      expect(interp.soabi).toBe(self.soabi);
      expect(interp.extSuffix).toBe(self.ext);
      expect(interp.platform).toBe(self.platform);
      expect(interp.prefix).toBe(self.prefix);
      expect(interp.basePrefix).toBe(self.base);
      expect(interp.paths.purelib).toBe(self.purelib);
      expect(`glibc ${interp.glibc?.join(".")}`).toBe(self.glibc);
      expect(interp.musl).toBeNull();
      expect(interp.pointerBits).toBe(self.bits);
    });
  }

  it.skipIf(missing(ORACLE))("gives the marker environment packaging.markers.default_environment() gives", async () => {
    const interp = await probeInterpreter(ORACLE, { cacheDir });
    const expected = JSON.parse(ask(ORACLE, "import json; from packaging.markers import default_environment as d; print(json.dumps(d()))"));
    expect(interp.markerEnvironment).toEqual(expected);
  });

  for (const version of OLD) {
    const python = py(version);
    it.skipIf(missing(python))(`does not crash on ${version}`, async () => {
      const interp = await probeInterpreter(python, { cacheDir });
      expect(interp.version).toBe(version);
      expect(interp.tagFacts?.pymalloc).toBe(true);
    });
  }
});

describe("probe cache", () => {
  const python = py("3.12.1");
  it.skipIf(missing(python))("probes once, then serves from the cache until the key goes stale", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-probe-cache-"));
    try {
      const { events, spawns } = counting();
      const first = await probeInterpreter(python, { cacheDir: dir, events });
      expect(spawns()).toBe(1);
      const file = probeCacheFile(dir, python);
      const mtime = statSync(file).mtimeMs;
      const second = await probeInterpreter(python, { cacheDir: dir, events });
      expect(spawns()).toBe(1);
      expect(statSync(file).mtimeMs).toBe(mtime);
      expect(second).toEqual(first);

      // Same path, different binary (size/mtime changed): the stale entry is not used.
      const entry = JSON.parse(readFileSync(file, "utf8"));
      entry.key.size += 1;
      entry.interpreter.version = "9.9.9";
      writeFileSync(file, JSON.stringify(entry));
      const third = await probeInterpreter(python, { cacheDir: dir, events });
      expect(spawns()).toBe(2);
      expect(third.version).toBe("3.12.1");
      expect(JSON.parse(readFileSync(file, "utf8")).key.size).toBe(statSync(realpathSync(python)).size);

      // cacheDir: false always probes.
      await probeInterpreter(python, { cacheDir: false, events });
      expect(spawns()).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(missing(python))("does not cache a shim under its own name but under the binary it ran", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-probe-shim-"));
    try {
      const shim = join(dir, "python3");
      writeFileSync(shim, `#!/bin/sh\nexec "${python}" "$@"\n`);
      chmodSync(shim, 0o755);
      const { events, spawns } = counting();
      const viaShim = await probeInterpreter(shim, { cacheDir: join(dir, "cache"), events });
      expect(viaShim.executable).toBe(shim);
      expect(viaShim.realpath).toBe(realpathSync(python));
      await probeInterpreter(shim, { cacheDir: join(dir, "cache"), events });
      expect(spawns()).toBe(2);
      await probeInterpreter(realpathSync(python), { cacheDir: join(dir, "cache"), events });
      expect(spawns()).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("probe edge cases", () => {
  const python = py("3.12.1");
  it.skipIf(missing(python))("reports a venv's own prefix even though site.py is skipped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ww-probe-venv-"));
    try {
      execFileSync(python, ["-m", "venv", "--without-pip", join(dir, "venv")]);
      const interp = await probeInterpreter(join(dir, "venv", "bin", "python"), { cacheDir: false });
      expect(interp.prefix).toBe(ask(join(dir, "venv", "bin", "python"), "import sys; print(sys.prefix)"));
      expect(interp.basePrefix).toBe(join(PYENV, "versions", "3.12.1"));
      expect(interp.paths.purelib).toBe(join(interp.prefix, "lib", "python3.12", "site-packages"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails with ERR_WW_PYTHON_NOT_FOUND for a missing path and ERR_WW_PYTHON_PROBE for a non-Python", async () => {
    await expect(probeInterpreter("/nonexistent/python3", { cacheDir: false })).rejects.toSatisfy((e) => isWheelwrightError(e, "ERR_WW_PYTHON_NOT_FOUND"));
    const dir = mkdtempSync(join(tmpdir(), "ww-probe-bad-"));
    try {
      const fake = join(dir, "python");
      writeFileSync(fake, "#!/bin/sh\necho not json\n");
      chmodSync(fake, 0o755);
      await expect(probeInterpreter(fake, { cacheDir: false })).rejects.toSatisfy((e) => isWheelwrightError(e, "ERR_WW_PYTHON_PROBE"));
      writeFileSync(fake, "#!/bin/sh\necho boom >&2; exit 3\n");
      const error = await probeInterpreter(fake, { cacheDir: false }).catch((e: unknown) => e);
      expect(isWheelwrightError(error, "ERR_WW_PYTHON_PROBE")).toBe(true);
      expect((error as Error).message).toContain("boom");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
