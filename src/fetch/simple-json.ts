/**
 * PEP 691 project pages (`application/vnd.pypi.simple.v1+json`). Clients must refuse a major
 * API version they do not know, so a `meta.api-version` of 2.x is an error naming the page.
 */
import { WheelwrightError } from "../errors.js";
import { parseHashList } from "./simple-html.js";
import type { IndexFile } from "./simple-types.js";

export const SIMPLE_JSON_TYPE = "application/vnd.pypi.simple.v1+json";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(pageUrl: string, why: string): WheelwrightError {
  return new WheelwrightError("ERR_WW_FETCH", `index page ${pageUrl} is not a valid PEP 691 JSON page: ${why}`, {
    hint: "Check the mirror URL; it should be a simple-repository base (…/simple/).",
    details: { url: pageUrl },
  });
}

function hashesOf(value: unknown): Record<string, string> {
  const hashes: Record<string, string> = {};
  if (!isObject(value)) return hashes;
  for (const [name, digest] of Object.entries(value)) {
    if (typeof digest === "string" && /^[0-9a-fA-F]+$/.test(digest)) hashes[name.toLowerCase()] = digest.toLowerCase();
  }
  return hashes;
}

function metadataOf(value: unknown): IndexFile["coreMetadata"] {
  if (value === true) return {};
  if (isObject(value)) return hashesOf(value);
  if (typeof value === "string" && value !== "") return parseHashList(value); // tolerated: HTML-style "sha256=…"
  return undefined;
}

/** The files listed on a PEP 691 page; relative `url`s resolve against `pageUrl`. */
export function parseSimpleJson(text: string, pageUrl: string): IndexFile[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw invalid(pageUrl, `not JSON (${(error as Error).message})`);
  }
  if (!isObject(document)) throw invalid(pageUrl, "not an object");
  const meta = document.meta;
  const version = isObject(meta) ? meta["api-version"] : undefined;
  if (typeof version === "string" && !/^1(\.|$)/.test(version)) {
    throw new WheelwrightError("ERR_WW_FETCH", `index page ${pageUrl} uses simple API version ${version}; only 1.x is supported`, {
      hint: "Use a mirror that serves simple API 1.x, or its HTML form.",
      details: { url: pageUrl },
    });
  }
  if (!Array.isArray(document.files)) throw invalid(pageUrl, "no `files` array");
  const files: IndexFile[] = [];
  for (const entry of document.files) {
    if (!isObject(entry) || typeof entry.filename !== "string" || typeof entry.url !== "string") throw invalid(pageUrl, "a file without `filename` or `url`");
    let url: URL;
    try {
      url = new URL(entry.url, pageUrl);
    } catch {
      throw invalid(pageUrl, `bad url ${JSON.stringify(entry.url)}`);
    }
    const fragmentHashes = parseHashList(url.hash.slice(1));
    url.hash = "";
    const file: IndexFile = { filename: entry.filename, url: url.href, hashes: { ...fragmentHashes, ...hashesOf(entry.hashes) } };
    if (typeof entry.size === "number" && Number.isSafeInteger(entry.size) && entry.size >= 0) file.size = entry.size;
    if (typeof entry["requires-python"] === "string" && entry["requires-python"] !== "") file.requiresPython = entry["requires-python"];
    if (entry.yanked === true) file.yanked = true;
    else if (typeof entry.yanked === "string") file.yanked = entry.yanked === "" ? true : entry.yanked;
    // PEP 714: "core-metadata" is the current key; "dist-info-metadata" the deprecated one.
    const coreMetadata = metadataOf(entry["core-metadata"] ?? entry["dist-info-metadata"]);
    if (coreMetadata !== undefined) file.coreMetadata = coreMetadata;
    files.push(file);
  }
  return files;
}
