// A fixed interpreter description for tests that only need an identity (hashing, planning).
// Tests that run Python probe a real interpreter instead.
import type { Interpreter } from "../../src/python/types.js";

export const FIXED_INTERPRETER: Interpreter = {
  executable: "/opt/python/bin/python3.11",
  realpath: "/opt/python/bin/python3.11",
  implementation: "cpython",
  version: "3.11.7",
  versionTuple: [3, 11, 7],
  abiflags: "",
  soabi: "cpython-311-x86_64-linux-gnu",
  extSuffix: ".cpython-311-x86_64-linux-gnu.so",
  platform: "linux-x86_64",
  freeThreaded: false,
  pointerBits: 64,
  glibc: [2, 36],
  musl: null,
  prefix: "/opt/python",
  basePrefix: "/opt/python",
  paths: {
    stdlib: "/opt/python/lib/python3.11",
    platstdlib: "/opt/python/lib/python3.11",
    purelib: "/opt/python/lib/python3.11/site-packages",
    platlib: "/opt/python/lib/python3.11/site-packages",
    include: "/opt/python/include/python3.11",
    scripts: "/opt/python/bin",
    data: "/opt/python",
  },
  markerEnvironment: {
    implementation_name: "cpython",
    implementation_version: "3.11.7",
    os_name: "posix",
    platform_machine: "x86_64",
    platform_release: "6.1.0",
    platform_system: "Linux",
    platform_version: "#1 SMP",
    python_full_version: "3.11.7",
    platform_python_implementation: "CPython",
    python_version: "3.11",
    sys_platform: "linux",
  },
};

import { existsSync } from "node:fs";
import { probeInterpreter } from "../../src/python/probe.js";

/** The pyenv 3.11.7 interpreter the test data comes from, or undefined (tests skip, saying why). */
export const PYTHON311 = "/root/.pyenv/versions/3.11.7/bin/python3.11";

let probed: Promise<Interpreter> | undefined;
export function realInterpreter(): Promise<Interpreter> {
  probed ??= probeInterpreter(PYTHON311);
  return probed;
}
export const hasPython311 = existsSync(PYTHON311);
