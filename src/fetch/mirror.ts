/**
 * Simple-repository mirrors (PEP 503 HTML and PEP 691 JSON), over HTTP(S) or on disk.
 * A file is looked up on its project's page by name; an entry whose listed sha256 differs
 * from the pinned one is skipped, and whatever is downloaded is verified anyway.
 *
 * On disk (`file:` URL or path) a mirror is a directory of `<project>/index.html` (or
 * `index.json`) pages; a project directory without an index page is read as a plain list
 * of files. Project pages are cached for the life of the process.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isWheelwrightError } from "../errors.js";
import { copyLocalFile, isLocalLocation, isNetworkUrl, localPath } from "./file.js";
import type { Attempt, Fetcher, FetchContext, Trail } from "./fetcher.js";
import { downloadToFile, fetchText, type HttpContext } from "./http.js";
import { projectNameOf } from "./names.js";
import { parseSimpleHtml } from "./simple-html.js";
import { SIMPLE_JSON_TYPE, parseSimpleJson } from "./simple-json.js";
import type { IndexFile } from "./simple-types.js";
import type { FileSource } from "./source.js";

/** Prefer PEP 691 JSON, accept PEP 503 HTML (as pip and uv ask). */
export const SIMPLE_ACCEPT = `${SIMPLE_JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01`;

export interface ProjectPage {
  /** The page's final URL (after redirects), or the file: URL of the page read from disk. */
  url: string;
  files: IndexFile[];
}

const pages = new Map<string, Promise<ProjectPage | undefined>>();

/** Forget cached project pages. */
export function clearMirrorCache(): void {
  pages.clear();
}

/** `<base>/<project>/` with exactly one slash between the parts. */
export function projectPageUrl(base: string, project: string): string {
  return `${base.replace(/\/+$/, "")}/${encodeURIComponent(project)}/`;
}

/**
 * The project page of `project` (a normalised name) on the mirror at `base`; undefined when
 * the mirror does not have the project. Errors (bad page, server failing after retries)
 * are WheelwrightErrors.
 */
export function fetchProjectPage(base: string, project: string, http: HttpContext, baseDir: string): Promise<ProjectPage | undefined> {
  const key = `${base}\u0000${project}\u0000${baseDir}`;
  let page = pages.get(key);
  if (page === undefined) {
    page = isNetworkUrl(base) ? fetchRemotePage(base, project, http) : readLocalPage(localPath(base, baseDir), project);
    pages.set(key, page);
    // A failure is not remembered: the next source of the same project asks again.
    page.catch(() => pages.delete(key));
  }
  return page;
}

async function fetchRemotePage(base: string, project: string, http: HttpContext): Promise<ProjectPage | undefined> {
  const url = projectPageUrl(base, project);
  const response = await fetchText(url, http, SIMPLE_ACCEPT);
  if (response === undefined) return undefined;
  const type = response.contentType.toLowerCase();
  const json = type.includes(SIMPLE_JSON_TYPE) || type.startsWith("application/json");
  return { url: response.url, files: json ? parseSimpleJson(response.text, response.url) : parseSimpleHtml(response.text, response.url) };
}

async function readLocalPage(root: string, project: string): Promise<ProjectPage | undefined> {
  const dir = join(root, project);
  for (const [name, parse] of [
    ["index.html", parseSimpleHtml],
    ["index.json", parseSimpleJson],
  ] as const) {
    const file = join(dir, name);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue;
    }
    const url = pathToFileURL(file).href;
    return { url, files: parse(text, url) };
  }
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const files = entries.filter((entry) => entry.isFile()).map((entry) => ({ filename: entry.name, url: pathToFileURL(join(dir, entry.name)).href, hashes: {} }));
  return { url: pathToFileURL(dir).href + "/", files };
}

/**
 * The entries worth downloading for `filename` with content `sha256`: those listing that
 * sha256 first, then those listing no sha256 at all. `rejected` explains entries skipped
 * because they list another sha256.
 */
export function pickFiles(files: IndexFile[], filename: string, sha256: string): { candidates: IndexFile[]; rejected: string[] } {
  const lower = filename.toLowerCase();
  const named = files.filter((file) => file.filename === filename || file.filename.toLowerCase() === lower);
  const matching = named.filter((file) => file.hashes.sha256 === sha256);
  const unhashed = named.filter((file) => file.hashes.sha256 === undefined);
  const rejected = named.filter((file) => file.hashes.sha256 !== undefined && file.hashes.sha256 !== sha256).map((file) => `${file.filename} listed with sha256 ${file.hashes.sha256}`);
  return { candidates: [...matching, ...unhashed], rejected };
}

/** Fetcher for simple-repository mirrors, in the order given. */
export const mirrorFetcher: Fetcher = {
  name: "mirror",
  supports: (_source: FileSource, ctx: FetchContext) => ctx.mirrors.length > 0,
  async *attempts(source: FileSource, ctx: FetchContext, trail: Trail): AsyncGenerator<Attempt> {
    const project = projectNameOf(source.filename);
    for (const base of ctx.mirrors) {
      if (project === undefined) {
        trail.looked(`mirror ${base} (cannot tell the project name from ${source.filename})`);
        continue;
      }
      if (isNetworkUrl(base) && ctx.offline) {
        trail.looked(`mirror ${base} (skipped: offline)`);
        continue;
      }
      let page: ProjectPage | undefined;
      try {
        page = await fetchProjectPage(base, project, ctx.http, ctx.baseDir);
      } catch (error) {
        if (!isWheelwrightError(error)) throw error;
        trail.failed(projectPageUrl(base, project), error);
        continue;
      }
      if (page === undefined) {
        trail.looked(`mirror ${projectPageUrl(base, project)} (no such project)`);
        continue;
      }
      const { candidates, rejected } = pickFiles(page.files, source.filename, source.sha256);
      if (candidates.length === 0) {
        trail.looked(`mirror ${page.url} (${rejected.length > 0 ? rejected.join("; ") : `no ${source.filename}`})`);
        continue;
      }
      for (const entry of candidates) {
        const url = entry.url;
        if (isNetworkUrl(url)) {
          if (ctx.offline) {
            trail.looked(`mirror ${url} (skipped: offline)`);
            continue;
          }
          yield {
            location: url,
            kind: "mirror",
            run: (tmpOut, hooks) => downloadToFile(url, tmpOut, ctx.http, { size: source.size, onBytes: hooks.onBytes, onRestart: hooks.onRestart }),
          };
        } else if (isLocalLocation(url)) {
          const path = localPath(url, ctx.baseDir);
          yield { location: url, kind: "mirror", run: (tmpOut, hooks) => copyLocalFile(path, tmpOut, hooks.onBytes, source.size) };
        } else {
          trail.looked(`mirror ${url} (unsupported URL scheme)`);
        }
      }
    }
  },
};
