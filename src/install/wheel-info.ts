/**
 * The checks a wheel must pass before anything is installed: exactly one `.dist-info`
 * directory that belongs to the wheel's project, a WHEEL file whose Wheel-Version this
 * installer understands, and METADATA whose name and version match the file name.
 */
import { WheelwrightError } from "../errors.js";
import type { Events } from "../events/emitter.js";
import { parseHeaderBlock } from "../pep/metadata-headers.js";
import { parseMetadata } from "../pep/metadata.js";
import { normalizeName } from "../pep/names.js";
import { normalize, tryParse } from "../pep/pep440.js";
import type { WheelFilename } from "../pep/filenames.js";

/** The Wheel-Version this installer implements. */
export const SUPPORTED_WHEEL_VERSION: [number, number] = [1, 0];

export interface WheelFileInfo {
  wheelVersion: [number, number];
  rootIsPurelib: boolean;
}

function invalid(wheel: string, message: string, hint: string, file?: string): WheelwrightError {
  return new WheelwrightError("ERR_WW_WHEEL_INVALID", `${wheel}: ${message}`, { file: file ?? wheel, hint });
}

/**
 * The wheel's `.dist-info` directory: the single top-level `*.dist-info` whose name part
 * normalizes to the project name (pip's rule: the version part is not compared).
 */
export function findDistInfo(wheel: string, entryNames: readonly string[], filename: WheelFilename): string {
  const dirs = new Set<string>();
  for (const name of entryNames) {
    const top = name.split("/", 1)[0]!;
    if (top.endsWith(".dist-info") && name.includes("/")) dirs.add(top);
  }
  if (dirs.size !== 1) {
    throw invalid(
      wheel,
      dirs.size === 0 ? "has no .dist-info directory" : `has ${dirs.size} .dist-info directories (${[...dirs].sort().join(", ")})`,
      "A wheel must contain exactly one {name}-{version}.dist-info directory; rebuild it.",
    );
  }
  const distInfo = [...dirs][0]!;
  const project = distInfo.slice(0, -".dist-info".length).split("-")[0]!;
  if (normalizeName(project) !== filename.name) {
    throw invalid(wheel, `its ${distInfo} does not belong to project ${filename.name}`, "The wheel file was renamed or built wrongly; rebuild it.");
  }
  return distInfo;
}

/** Parses WHEEL; fails on a newer major Wheel-Version, warns (event) on a newer minor. */
export function checkWheelFile(wheel: string, distInfo: string, text: string, events: Events | undefined, pkg: string): WheelFileInfo {
  const file = `${distInfo}/WHEEL`;
  const block = parseHeaderBlock(text, { file });
  const get = (key: string) => block.headers.find((h) => h.name.toLowerCase() === key.toLowerCase())?.value.trim();
  const versionText = get("Wheel-Version");
  if (versionText === undefined) throw invalid(wheel, `${file} has no Wheel-Version`, "The WHEEL file is incomplete; rebuild the wheel.", file);
  const match = /^(\d+)\.(\d+)$/.exec(versionText);
  if (match === null) throw invalid(wheel, `${file} has an invalid Wheel-Version ${JSON.stringify(versionText)}`, "Wheel-Version must look like 1.0.", file);
  const version: [number, number] = [Number(match[1]), Number(match[2])];
  if (version[0] > SUPPORTED_WHEEL_VERSION[0]) {
    throw invalid(
      wheel,
      `${file} says Wheel-Version ${versionText}, a newer major version than the ${SUPPORTED_WHEEL_VERSION.join(".")} this installer implements`,
      "Use a wheel built for Wheel-Version 1.x, or a newer wheelwright.",
      file,
    );
  }
  if (version[0] === SUPPORTED_WHEEL_VERSION[0] && version[1] > SUPPORTED_WHEEL_VERSION[1]) {
    events?.emit({
      type: "log",
      level: "warn",
      package: pkg,
      message: `${wheel}: Wheel-Version ${versionText} is newer than ${SUPPORTED_WHEEL_VERSION.join(".")}; installing anyway`,
    });
  }
  const purelib = get("Root-Is-Purelib");
  if (purelib === undefined) throw invalid(wheel, `${file} has no Root-Is-Purelib`, "The WHEEL file is incomplete; rebuild the wheel.", file);
  return { wheelVersion: version, rootIsPurelib: purelib.toLowerCase() === "true" };
}

/** Checks METADATA's Name and Version against the file name (both normalized); returns them as written. */
export function checkMetadata(wheel: string, distInfo: string, text: string, filename: WheelFilename): { name: string; version: string } {
  const file = `${distInfo}/METADATA`;
  const metadata = parseMetadata(text, { file, package: filename.name });
  if (normalizeName(metadata.name) !== filename.name) {
    throw invalid(wheel, `${file} names project ${JSON.stringify(metadata.name)}, but the file name says ${filename.name}`, "The wheel file was renamed or its metadata is wrong; rebuild it.", file);
  }
  const version = tryParse(metadata.version);
  if (version === null || normalize(version) !== filename.version) {
    throw invalid(wheel, `${file} has version ${JSON.stringify(metadata.version)}, but the file name says ${filename.version}`, "The wheel file was renamed or its metadata is wrong; rebuild it.", file);
  }
  return { name: metadata.name, version: metadata.version };
}
