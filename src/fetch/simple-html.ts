/**
 * PEP 503 project pages (HTML): one `<a>` per file, the file's hashes in the URL fragment
 * (`#sha256=…`), and optional `data-requires-python`, `data-yanked` and PEP 658/714
 * `data-core-metadata` / `data-dist-info-metadata` attributes. Index pages are machine
 * generated and simple, so a tolerant tag scanner is enough; no DOM is built.
 */
import type { IndexFile } from "./simple-types.js";

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decode the HTML character references that appear in attribute values and link text. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** Attributes of one start tag, names lowercased, values decoded; a bare attribute maps to "". */
export function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([^\s"'=<>`/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const match of source.matchAll(pattern)) {
    const name = match[1]!.toLowerCase();
    if (attributes.has(name)) continue; // HTML: the first occurrence wins
    attributes.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ""));
  }
  return attributes;
}

/** `sha256=abc&md5=def` (fragment) or `sha256=abc` (metadata attribute) → {sha256: "abc", …}. */
export function parseHashList(text: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const part of text.split("&")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim().toLowerCase();
    if (/^[a-z0-9_-]+$/.test(name) && /^[0-9a-f]+$/.test(value)) hashes[name] = value;
  }
  return hashes;
}

/** The file name a link points at: the URL's last path segment, percent-decoded. */
export function filenameOfUrl(url: URL): string {
  const segment = url.pathname.slice(url.pathname.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function metadataAttribute(attributes: Map<string, string>): IndexFile["coreMetadata"] {
  // PEP 714 renamed data-dist-info-metadata to data-core-metadata; read both, newer first.
  const value = attributes.get("data-core-metadata") ?? attributes.get("data-dist-info-metadata");
  if (value === undefined || value.toLowerCase() === "false") return undefined;
  const hashes = parseHashList(value);
  return Object.keys(hashes).length === 0 ? {} : hashes;
}

/**
 * The files listed on a PEP 503 page. Links resolve against `<base href>` if present, else
 * against `pageUrl` (the URL the page was finally fetched from).
 */
export function parseSimpleHtml(html: string, pageUrl: string): IndexFile[] {
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, "");
  let base = pageUrl;
  const baseTag = /<base\b([^>]*)>/i.exec(withoutComments);
  if (baseTag !== null) {
    const href = parseAttributes(baseTag[1]!).get("href");
    if (href !== undefined && href !== "") {
      try {
        base = new URL(href, pageUrl).href;
      } catch {
        // An unusable <base> is ignored, as browsers do.
      }
    }
  }
  const files: IndexFile[] = [];
  for (const match of withoutComments.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi)) {
    const attributes = parseAttributes(match[1]!);
    const href = attributes.get("href");
    if (href === undefined || href === "") continue;
    let url: URL;
    try {
      url = new URL(href, base);
    } catch {
      continue;
    }
    const hashes = parseHashList(url.hash.slice(1));
    url.hash = "";
    const text = decodeEntities(match[2]!.replace(/<[^>]*>/g, "")).trim();
    const filename = filenameOfUrl(url) || text;
    if (filename === "") continue;
    const file: IndexFile = { filename, url: url.href, hashes };
    const requiresPython = attributes.get("data-requires-python");
    if (requiresPython !== undefined && requiresPython !== "") file.requiresPython = requiresPython;
    const yanked = attributes.get("data-yanked");
    if (yanked !== undefined) file.yanked = yanked === "" ? true : yanked;
    const coreMetadata = metadataAttribute(attributes);
    if (coreMetadata !== undefined) file.coreMetadata = coreMetadata;
    files.push(file);
  }
  return files;
}
