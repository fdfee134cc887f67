// A loopback package index for tests and benchmarks. It serves a directory of distribution
// files as a simple repository in both forms — PEP 503 HTML and PEP 691 JSON (content
// negotiated on /simple/, or forced on /html/simple/ and /json/simple/) — with sha256 hashes,
// optional PEP 658 `.metadata` files, TCP_NODELAY on every socket, injectable faults
// (status failures, mid-body disconnects, corrupted bytes), and per-path request counts.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, join } from "node:path";
import yauzl from "yauzl";
import { projectNameOf } from "../../src/fetch/names.js";

export interface IndexFaults {
  /** Answer the first N requests to each matching path with `failStatus`. */
  failFirst?: number;
  /** Status for `failFirst` (default 503). */
  failStatus?: number;
  /** A Retry-After header to send with `failFirst` responses. */
  retryAfter?: string;
  /** For the first N requests to each matching path: send half the body, then drop the socket. */
  closeMidBody?: number;
  /** For the first N requests to each matching path: send half the body, then stall (until close). */
  stallMidBody?: number;
  /** Serve corrupted bytes of the right length: on every request (true) or the first N per path. */
  wrongBytes?: boolean | number;
  /** Which request paths the faults apply to (default: file downloads, `/files/…`). */
  match?: (path: string) => boolean;
}

export interface IndexServerOptions {
  /** Directory of wheels and sdists (searched recursively; a name found twice: first wins). */
  root: string;
  /** Serve `<file>.metadata` (PEP 658) and advertise it on pages: a sidecar file if present, else a wheel's METADATA. */
  metadata?: boolean;
  /** List sha256 hashes on pages (default true). */
  hashes?: boolean;
  faults?: IndexFaults;
  /** Hold every file response this long before sending (to observe concurrency). */
  delayMs?: number;
  host?: string;
  port?: number;
}

export interface ServedFile {
  filename: string;
  project: string;
  path: string;
  size: number;
  sha256: string;
}

export interface IndexServer {
  /** `http://host:port/simple/` — content negotiated (JSON when asked for, else HTML). */
  url: string;
  /** The same index, always PEP 503 HTML. */
  htmlUrl: string;
  /** The same index, always PEP 691 JSON. */
  jsonUrl: string;
  origin: string;
  fileUrl(filename: string): string;
  /** Requests per decoded request path (e.g. `/files/x.whl`, `/simple/x/`). */
  requests: Map<string, number>;
  /** Requests whose path ends with `suffix` (all requests when omitted). */
  count(suffix?: string): number;
  /** Requests so far, in progress now, the most there ever were at once, and TCP connections accepted. */
  stats: { total: number; active: number; maxActive: number; connections: number };
  /** Faults in force; mutate to change them between requests. */
  faults: IndexFaults;
  files: Map<string, ServedFile>;
  /** Re-read the root directory (after adding files). */
  rescan(): Promise<void>;
  resetCounts(): void;
  close(): Promise<void>;
}

const JSON_TYPE = "application/vnd.pypi.simple.v1+json";
const HTML_TYPE = "application/vnd.pypi.simple.v1+html";

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
}

async function scan(root: string): Promise<{ files: Map<string, ServedFile>; sidecars: Map<string, string> }> {
  const paths: string[] = [];
  await walk(root, paths);
  paths.sort();
  const files = new Map<string, ServedFile>();
  const sidecars = new Map<string, string>();
  for (const path of paths) {
    const filename = basename(path);
    if (filename.endsWith(".metadata")) {
      sidecars.set(filename.slice(0, -".metadata".length), path);
      continue;
    }
    const project = projectNameOf(filename);
    if (project === undefined || files.has(filename)) continue;
    const info = await stat(path);
    files.set(filename, { filename, project, path, size: info.size, sha256: await sha256File(path) });
  }
  return { files, sidecars };
}

/** The `*.dist-info/METADATA` member of a wheel, or undefined. */
function readWheelMetadata(path: string): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || zip === undefined) return reject(error ?? new Error("cannot open zip"));
      let found = false;
      zip.on("entry", (entry: yauzl.Entry) => {
        if (!/^[^/]+\.dist-info\/METADATA$/.test(entry.fileName)) return zip.readEntry();
        found = true;
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || stream === undefined) return reject(streamError ?? new Error("cannot read entry"));
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("error", reject);
          stream.on("end", () => {
            zip.close();
            resolve(Buffer.concat(chunks));
          });
        });
      });
      zip.on("end", () => {
        if (!found) resolve(undefined);
      });
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

/** q-value of the best Accept entry matching any of `types` (exact or wildcard). */
function quality(accept: string, types: string[]): number {
  let best = 0;
  for (const part of accept.split(",")) {
    const [rawType, ...params] = part.trim().split(";");
    const type = rawType!.trim().toLowerCase();
    const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith("q="))?.slice(2) ?? "1");
    const matches = types.some((t) => type === t || type === "*/*" || (type.endsWith("/*") && t.startsWith(type.slice(0, -1))));
    if (matches && Number.isFinite(q)) best = Math.max(best, q);
  }
  return best;
}

function wantsJson(request: IncomingMessage, query: URLSearchParams): boolean {
  const format = query.get("format");
  if (format !== null) return format === JSON_TYPE;
  const accept = request.headers.accept;
  if (accept === undefined) return false;
  return quality(accept, [JSON_TYPE]) > quality(accept, [HTML_TYPE, "text/html"]);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export async function startIndexServer(options: IndexServerOptions): Promise<IndexServer> {
  let { files, sidecars } = await scan(options.root);
  const metadataCache = new Map<string, Promise<Buffer | undefined>>();
  const showHashes = options.hashes ?? true;
  const requests = new Map<string, number>();
  const stats = { total: 0, active: 0, maxActive: 0, connections: 0 };
  const faults: IndexFaults = { ...options.faults };

  const metadataOf = (file: ServedFile): Promise<Buffer | undefined> => {
    let cached = metadataCache.get(file.filename);
    if (cached === undefined) {
      const sidecar = sidecars.get(file.filename);
      cached = sidecar !== undefined ? readFile(sidecar) : file.filename.endsWith(".whl") ? readWheelMetadata(file.path).catch(() => undefined) : Promise.resolve(undefined);
      metadataCache.set(file.filename, cached);
    }
    return cached;
  };

  const projectFiles = (project: string): ServedFile[] => [...files.values()].filter((file) => file.project === project);

  const fileHref = (filename: string): string => `/files/${encodeURIComponent(filename)}`;

  async function renderProject(project: string, json: boolean): Promise<{ body: string; type: string }> {
    const listed = projectFiles(project);
    const metadata = new Map<string, string>();
    if (options.metadata === true) {
      for (const file of listed) {
        const bytes = await metadataOf(file);
        if (bytes !== undefined) metadata.set(file.filename, createHash("sha256").update(bytes).digest("hex"));
      }
    }
    if (json) {
      const body = {
        meta: { "api-version": "1.1" },
        name: project,
        files: listed.map((file) => ({
          filename: file.filename,
          url: fileHref(file.filename),
          hashes: showHashes ? { sha256: file.sha256 } : {},
          size: file.size,
          ...(metadata.has(file.filename) ? { "core-metadata": { sha256: metadata.get(file.filename) }, "dist-info-metadata": { sha256: metadata.get(file.filename) } } : {}),
        })),
      };
      return { body: JSON.stringify(body), type: JSON_TYPE };
    }
    const links = listed.map((file) => {
      const fragment = showHashes ? `#sha256=${file.sha256}` : "";
      const meta = metadata.has(file.filename) ? ` data-dist-info-metadata="sha256=${metadata.get(file.filename)}" data-core-metadata="sha256=${metadata.get(file.filename)}"` : "";
      return `    <a href="${escapeHtml(fileHref(file.filename) + fragment)}"${meta}>${escapeHtml(file.filename)}</a><br/>`;
    });
    const body = `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="1.1">\n    <title>Links for ${escapeHtml(project)}</title>\n  </head>\n  <body>\n    <h1>Links for ${escapeHtml(project)}</h1>\n${links.join("\n")}\n  </body>\n</html>\n`;
    return { body, type: `${HTML_TYPE}; charset=utf-8` };
  }

  function renderRoot(json: boolean): { body: string; type: string } {
    const projects = [...new Set([...files.values()].map((file) => file.project))].sort();
    if (json) return { body: JSON.stringify({ meta: { "api-version": "1.1" }, projects: projects.map((name) => ({ name })) }), type: JSON_TYPE };
    const links = projects.map((name) => `    <a href="${escapeHtml(name)}/">${escapeHtml(name)}</a><br/>`).join("\n");
    return { body: `<!DOCTYPE html>\n<html>\n  <body>\n${links}\n  </body>\n</html>\n`, type: `${HTML_TYPE}; charset=utf-8` };
  }

  const faultApplies = (path: string): boolean => (faults.match ?? ((p: string) => p.startsWith("/files/")))(path);

  async function serveFile(response: ServerResponse, path: string, file: ServedFile, seen: number): Promise<void> {
    if (options.delayMs !== undefined && options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const faulty = faultApplies(path);
    const closeMidBody = faulty && faults.closeMidBody !== undefined && seen <= faults.closeMidBody;
    const stall = faulty && faults.stallMidBody !== undefined && seen <= faults.stallMidBody;
    const wrong = faulty && (faults.wrongBytes === true || (typeof faults.wrongBytes === "number" && seen <= faults.wrongBytes));
    const headers = { "content-type": "application/octet-stream", "content-length": String(file.size) };
    if (!closeMidBody && !wrong && !stall) {
      response.writeHead(200, headers);
      createReadStream(file.path).pipe(response);
      return;
    }
    const bytes = await readFile(file.path);
    if (wrong && bytes.length > 0) bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    response.writeHead(200, headers);
    if (stall) {
      response.write(bytes.subarray(0, bytes.length >> 1));
      return; // never ends; close() drops the connection
    }
    if (closeMidBody) {
      response.write(bytes.subarray(0, bytes.length >> 1), () => setTimeout(() => response.socket?.destroy(), 10));
      return;
    }
    response.end(bytes);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://index.invalid");
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const seen = (requests.get(path) ?? 0) + 1;
    requests.set(path, seen);

    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (faultApplies(path) && faults.failFirst !== undefined && seen <= faults.failFirst) {
      const status = faults.failStatus ?? 503;
      response.writeHead(status, { "content-type": "text/plain", ...(faults.retryAfter === undefined ? {} : { "retry-after": faults.retryAfter }) });
      response.end(`injected failure ${seen}/${faults.failFirst}\n`);
      return;
    }

    if (path.startsWith("/files/")) {
      const name = path.slice("/files/".length);
      if (name.endsWith(".metadata") && options.metadata === true) {
        const file = files.get(name.slice(0, -".metadata".length));
        const bytes = file === undefined ? undefined : await metadataOf(file);
        if (bytes === undefined) {
          response.writeHead(404).end("not found\n");
          return;
        }
        response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.length) }).end(bytes);
        return;
      }
      const file = files.get(name);
      if (file === undefined) {
        response.writeHead(404, { "content-type": "text/plain" }).end(`no file ${name}\n`);
        return;
      }
      await serveFile(response, path, file, seen);
      return;
    }

    const route = /^\/(?:(html|json)\/)?simple(?:\/(.*))?$/.exec(path);
    if (route === null) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    const forced = route[1];
    const json = forced === "json" ? true : forced === "html" ? false : wantsJson(request, url.searchParams);
    const prefix = forced === undefined ? "/simple/" : `/${forced}/simple/`;
    const rest = route[2] ?? "";
    if (rest === "") {
      if (!path.endsWith("/")) {
        response.writeHead(301, { location: prefix }).end();
        return;
      }
      const { body, type } = renderRoot(json);
      response.writeHead(200, { "content-type": type, vary: "Accept" }).end(body);
      return;
    }
    const name = rest.replace(/\/$/, "");
    if (name.includes("/")) {
      response.writeHead(404).end("not found\n");
      return;
    }
    const normalised = name.toLowerCase().replace(/[-_.]+/g, "-");
    if (normalised !== name || !rest.endsWith("/")) {
      // PEP 503: a non-normalised name may redirect to the normalised URL.
      response.writeHead(301, { location: `${prefix}${encodeURIComponent(normalised)}/${url.search}` }).end();
      return;
    }
    if (projectFiles(normalised).length === 0) {
      response.writeHead(404, { "content-type": "text/plain" }).end(`no project ${normalised}\n`);
      return;
    }
    const { body, type } = await renderProject(normalised, json);
    response.writeHead(200, { "content-type": type, vary: "Accept" }).end(body);
  }

  const server = createServer({ noDelay: true, keepAlive: true }, (request, response) => {
    stats.total++;
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      stats.active--;
    };
    response.on("close", finish);
    response.on("finish", finish);
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(`server error: ${String(error)}\n`);
    });
  });
  server.on("connection", (socket) => {
    stats.connections++;
    socket.setNoDelay(true);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;

  return {
    url: `${origin}/simple/`,
    htmlUrl: `${origin}/html/simple/`,
    jsonUrl: `${origin}/json/simple/`,
    origin,
    fileUrl: (filename) => `${origin}${fileHref(filename)}`,
    requests,
    count: (suffix) => [...requests.entries()].filter(([path]) => suffix === undefined || path.endsWith(suffix)).reduce((sum, [, n]) => sum + n, 0),
    stats,
    faults,
    get files() {
      return files;
    },
    async rescan() {
      ({ files, sidecars } = await scan(options.root));
      metadataCache.clear();
    },
    resetCounts() {
      requests.clear();
      stats.total = 0;
      stats.maxActive = stats.active;
      stats.connections = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
