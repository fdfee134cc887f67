/**
 * The prefix layout a package is installed into (what `pip install --prefix` produces on
 * POSIX), and how a wheel's `<name>.data/<key>/…` entries map onto it.
 */
import { posix } from "node:path";
import { WheelwrightError } from "../errors.js";
import type { Interpreter } from "../python/types.js";

/** Install directories relative to the prefix (posix separators). */
export interface PrefixLayout {
  /** `lib/pythonX.Y/site-packages`: purelib and platlib are one directory, as in a venv. */
  sitePackages: string;
  /** `include/pythonX.Y<abiflags>/<name>`: pip's header path for --prefix installs. */
  headers: string;
  scripts: string;
  data: string;
}

export const SCHEME_KEYS = ["purelib", "platlib", "headers", "scripts", "data"] as const;
export type SchemeKey = (typeof SCHEME_KEYS)[number];

/**
 * The site-packages directory of a prefix for this interpreter: the interpreter's own purelib
 * relative to its prefix when that is inside it (PyPy spells it differently from CPython),
 * else the CPython spelling.
 */
export function sitePackagesDir(interpreter: Interpreter): string {
  const [major, minor] = interpreter.versionTuple;
  const own = posix.relative(interpreter.prefix, interpreter.paths.purelib);
  if (own !== "" && !own.startsWith("..") && !posix.isAbsolute(own) && own.endsWith("site-packages")) return own;
  return `lib/python${major}.${minor}/site-packages`;
}

/** `distName` is what pip uses for the header directory: the wheel file name's project part with `_` → `-`. */
export function prefixLayout(interpreter: Interpreter, distName: string): PrefixLayout {
  const [major, minor] = interpreter.versionTuple;
  return {
    sitePackages: sitePackagesDir(interpreter),
    headers: `include/python${major}.${minor}${interpreter.abiflags}/${distName}`,
    scripts: "bin",
    data: "",
  };
}

export function schemeDir(layout: PrefixLayout, key: SchemeKey): string {
  return key === "purelib" || key === "platlib" ? layout.sitePackages : layout[key];
}

/**
 * Where a `.data` entry goes, prefix-relative. `rest` is the entry name after the `.data/`
 * directory (`scripts/foo`, `data/share/x`). Throws for an unknown key, a file directly under
 * `.data/`, or a path that would leave its scheme directory.
 */
export function mapDataEntry(layout: PrefixLayout, wheel: string, entry: string, rest: string): { key: SchemeKey; path: string } {
  const slash = rest.indexOf("/");
  const key = slash < 0 ? rest : rest.slice(0, slash);
  const sub = slash < 0 ? "" : rest.slice(slash + 1);
  if (!(SCHEME_KEYS as readonly string[]).includes(key)) {
    throw new WheelwrightError("ERR_WW_WHEEL_INVALID", `${wheel}: ${entry} uses the unknown .data scheme key ${JSON.stringify(key)}`, {
      file: wheel,
      hint: `.data/ may only contain ${SCHEME_KEYS.join(", ")}; the wheel is malformed.`,
    });
  }
  if (sub === "") {
    throw new WheelwrightError("ERR_WW_WHEEL_INVALID", `${wheel}: ${entry} is a file directly under a .data scheme directory name`, {
      file: wheel,
      hint: ".data contents must be named <scheme key>/<path>; the wheel is malformed.",
    });
  }
  const base = schemeDir(layout, key as SchemeKey);
  const path = posix.normalize(posix.join(base, sub));
  const inside = base === "" ? !path.startsWith("../") && path !== ".." && !posix.isAbsolute(path) : path.startsWith(`${base}/`);
  if (!inside) {
    throw new WheelwrightError("ERR_WW_UNSAFE_ARCHIVE", `${wheel}: ${entry} would be installed outside its ${key} directory`, {
      file: wheel,
      hint: "The wheel tries to write outside the install prefix; it was not installed.",
    });
  }
  return { key: key as SchemeKey, path };
}
