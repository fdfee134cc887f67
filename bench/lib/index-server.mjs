// A loopback package index for the benchmarks: serves a fixed set of wheel files as a simple
// repository in both forms — PEP 503 HTML and PEP 691 JSON, chosen by the Accept header — with
// sha256 hashes, `size`, and the PEP 658 / PEP 714 metadata files (`<file>.metadata`, advertised
// as `data-dist-info-metadata` / `data-core-metadata` and `core-metadata` / `dist-info-metadata`)
// extracted from the wheels before the server starts listening, so no request pays for it.
//
//   const index = await startIndexServer(wheels);   // [{ path, sha256?, size? }]
//   index.url          http://127.0.0.1:<port>/simple/
//   index.fileUrl(f)   http://127.0.0.1:<port>/files/<f>
//   index.requests     { total, bytes }  (reset with index.resetCounts())
//   await index.close()
//
// Responses carry the caching headers a public index sends (files immutable, pages max-age=600):
// pip's HTTP cache keeps nothing without them, so its "warm" would equal "cold".
// Every socket gets TCP_NODELAY (without it each small response can wait 20–40 ms for a delayed
// ACK) and keep-alive. Pages are rendered once and kept; files are streamed from disk.
// (test/helpers/index-server.ts is the tests' richer server with fault injection; this one is
// plain JavaScript because the benches run the built tree without a TypeScript loader.)
import { createHash } from "node:crypto";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { basename } from "node:path";
import yauzl from "yauzl";

const LAST_MODIFIED = new Date(0).toUTCString();
const JSON_TYPE = "application/vnd.pypi.simple.v1+json";
const HTML_TYPE = "application/vnd.pypi.simple.v1+html";

const normalize = (name) => name.toLowerCase().replace(/[-_.]+/g, "-");
/** The distribution name of a wheel file name (its first dash-separated field). */
export const projectOfWheel = (filename) => normalize(filename.split("-")[0]);
const escapeHtml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** The top-level `*.dist-info/METADATA` member of a wheel. */
export function readWheelMetadata(path) {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      let found = false;
      zip.on("entry", (entry) => {
        if (!/^[^/]+\.dist-info\/METADATA$/.test(entry.fileName)) return zip.readEntry();
        found = true;
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks = [];
          stream.on("data", (c) => chunks.push(c));
          stream.on("error", reject);
          stream.on("end", () => {
            zip.close();
            resolve(Buffer.concat(chunks));
          });
        });
      });
      zip.on("end", () => {
        if (!found) reject(new Error(`${path}: no .dist-info/METADATA`));
      });
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

/** q-value of the best Accept entry matching one of `types`. */
function quality(accept, types) {
  let best = 0;
  for (const part of accept.split(",")) {
    const [rawType, ...params] = part.trim().split(";");
    const type = rawType.trim().toLowerCase();
    const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith("q="))?.slice(2) ?? "1");
    if (types.some((t) => type === t || type === "*/*" || (type.endsWith("/*") && t.startsWith(type.slice(0, -1)))) && Number.isFinite(q)) best = Math.max(best, q);
  }
  return best;
}

const wantsJson = (accept) => accept !== undefined && quality(accept, [JSON_TYPE]) > quality(accept, [HTML_TYPE, "text/html"]);

/**
 * Starts the server on 127.0.0.1 (an ephemeral port unless `port`). `wheels`: objects with
 * `path` (and `sha256`/`size` when known; computed otherwise).
 */
export async function startIndexServer(wheels, { port = 0 } = {}) {
  const files = new Map();
  for (const w of wheels) {
    const filename = basename(w.path);
    if (files.has(filename)) continue;
    const metadata = await readWheelMetadata(w.path);
    files.set(filename, {
      filename,
      project: projectOfWheel(filename),
      path: w.path,
      size: w.size ?? statSync(w.path).size,
      sha256: w.sha256 ?? sha256(readFileSync(w.path)),
      metadata,
      metadataSha256: sha256(metadata),
    });
  }
  const byProject = new Map();
  for (const f of files.values()) byProject.set(f.project, [...(byProject.get(f.project) ?? []), f]);
  const href = (filename) => `/files/${encodeURIComponent(filename)}`;

  const pages = new Map(); // `${project}|json` → body
  function page(project, json) {
    const key = `${project}|${json}`;
    let body = pages.get(key);
    if (body !== undefined) return body;
    const listed = byProject.get(project);
    if (json) {
      body = JSON.stringify({
        meta: { "api-version": "1.1" },
        name: project,
        versions: [...new Set(listed.map((f) => f.filename.split("-")[1]))],
        files: listed.map((f) => ({
          filename: f.filename,
          url: href(f.filename),
          hashes: { sha256: f.sha256 },
          size: f.size,
          "requires-python": null,
          "core-metadata": { sha256: f.metadataSha256 },
          "dist-info-metadata": { sha256: f.metadataSha256 },
          yanked: false,
        })),
      });
    } else {
      const links = listed.map((f) => `    <a href="${escapeHtml(`${href(f.filename)}#sha256=${f.sha256}`)}" data-dist-info-metadata="sha256=${f.metadataSha256}" data-core-metadata="sha256=${f.metadataSha256}">${escapeHtml(f.filename)}</a><br/>`);
      body = `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="1.1">\n    <title>Links for ${escapeHtml(project)}</title>\n  </head>\n  <body>\n    <h1>Links for ${escapeHtml(project)}</h1>\n${links.join("\n")}\n  </body>\n</html>\n`;
    }
    pages.set(key, body);
    return body;
  }
  function rootPage(json) {
    const projects = [...byProject.keys()].sort();
    if (json) return JSON.stringify({ meta: { "api-version": "1.1" }, projects: projects.map((name) => ({ name })) });
    return `<!DOCTYPE html>\n<html>\n  <body>\n${projects.map((p) => `    <a href="${escapeHtml(p)}/">${escapeHtml(p)}</a><br/>`).join("\n")}\n  </body>\n</html>\n`;
  }

  const requests = { total: 0, bytes: 0, pages: 0, metadata: 0, files: 0 };
  const send = (response, status, type, body, head) => {
    const bytes = Buffer.from(body);
    requests.bytes += bytes.length;
    // pages may change (a short max-age, as public indexes send); 404s are not cached
    response.writeHead(status, { "content-type": type, "content-length": String(bytes.length), vary: "Accept", ...(status === 200 ? { "cache-control": "max-age=600, public", etag: `"${sha256(bytes).slice(0, 32)}"` } : {}) });
    response.end(head ? undefined : bytes);
  };

  function handle(request, response) {
    requests.total++;
    const url = new URL(request.url ?? "/", "http://index.invalid");
    let path;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const head = request.method === "HEAD";
    if (request.method !== "GET" && !head) return void response.writeHead(405, { allow: "GET, HEAD" }).end();
    if (path.startsWith("/files/")) {
      const name = path.slice("/files/".length);
      if (name.endsWith(".metadata")) {
        const f = files.get(name.slice(0, -".metadata".length));
        if (f === undefined) return send(response, 404, "text/plain", `no file ${name}\n`, head);
        requests.metadata++;
        return send(response, 200, "application/octet-stream", f.metadata, head);
      }
      const f = files.get(name);
      if (f === undefined) return send(response, 404, "text/plain", `no file ${name}\n`, head);
      requests.files++;
      requests.bytes += f.size;
      // files never change: the caching headers a public index sends (HTTP caches such as pip's
      // store nothing without them)
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(f.size), "cache-control": "max-age=365000000, immutable, public", etag: `"${f.sha256.slice(0, 32)}"`, "last-modified": LAST_MODIFIED });
      if (head) return void response.end();
      createReadStream(f.path).pipe(response);
      return;
    }
    const route = /^\/simple(?:\/(.*))?$/.exec(path);
    if (route === null) return send(response, 404, "text/plain", "not found\n", head);
    const json = url.searchParams.has("format") ? url.searchParams.get("format") === JSON_TYPE : wantsJson(request.headers.accept);
    const type = json ? JSON_TYPE : `${HTML_TYPE}; charset=utf-8`;
    const rest = route[1] ?? "";
    if (rest === "") {
      if (!path.endsWith("/")) return void response.writeHead(301, { location: "/simple/" }).end();
      return send(response, 200, type, rootPage(json), head);
    }
    const name = rest.replace(/\/$/, "");
    if (name.includes("/")) return send(response, 404, "text/plain", "not found\n", head);
    const normalized = normalize(name);
    if (normalized !== name || !rest.endsWith("/")) return void response.writeHead(301, { location: `/simple/${encodeURIComponent(normalized)}/${url.search}` }).end();
    if (!byProject.has(normalized)) return send(response, 404, "text/plain", `no project ${normalized}\n`, head);
    requests.pages++;
    return send(response, 200, type, page(normalized, json), head);
  }

  const server = createServer({ noDelay: true, keepAlive: true }, (request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(`server error: ${String(error)}\n`);
    }
  });
  server.on("connection", (socket) => socket.setNoDelay(true));
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    host: `127.0.0.1:${server.address().port}`,
    url: `${origin}/simple/`,
    fileUrl: (filename) => `${origin}${href(filename)}`,
    files,
    requests,
    resetCounts() {
      for (const k of Object.keys(requests)) requests[k] = 0;
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
