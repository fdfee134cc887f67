// End-to-end fetching over real loopback HTTP into a real temp store.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WheelwrightError } from "../../src/errors.js";
import { Events } from "../../src/events/emitter.js";
import type { WheelwrightEvent } from "../../src/events/types.js";
import { clearFetchCaches, fetchSource, fetchSources, type FetchOptions, type FileSource } from "../../src/fetch/index.js";
import { fixedOutputPath } from "../../src/store/index.js";
import { startIndexServer, type IndexServer } from "../helpers/index-server.js";
import { useTempStore } from "../helpers/temp-store.js";

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

interface Dist {
  filename: string;
  bytes: Buffer;
  sha256: string;
}

function makeDist(dir: string, filename: string, size = 50_000): Dist {
  const bytes = randomBytes(size);
  writeFileSync(join(dir, filename), bytes);
  return { filename, bytes, sha256: sha256(bytes) };
}

let work: string;
let served: string;
let server: IndexServer;
let demo: Dist;
let other: Dist;
const many: Dist[] = [];
const newStore = useTempStore();

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "ww-fetch-"));
  served = join(work, "served");
  mkdirSync(served);
  demo = makeDist(served, "demo_pkg-1.0-py3-none-any.whl", 300_000);
  other = makeDist(served, "other-2.0.tar.gz", 20_000);
  for (let i = 0; i < 6; i++) many.push(makeDist(served, `many${i}-1.0-py3-none-any.whl`, 10_000));
  server = await startIndexServer({ root: served });
});

afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

afterEach(() => {
  server.resetCounts();
  for (const key of Object.keys(server.faults)) delete (server.faults as Record<string, unknown>)[key];
  clearFetchCaches();
});

function collect(): { events: Events; seen: WheelwrightEvent[] } {
  const events = new Events();
  const seen: WheelwrightEvent[] = [];
  events.on((event) => seen.push(event));
  return { events, seen };
}

async function setup(extra: Partial<FetchOptions> = {}): Promise<{ options: FetchOptions; seen: WheelwrightEvent[]; root: string; store: FetchOptions["store"] }> {
  const temp = await newStore();
  const { events, seen } = collect();
  return { options: { store: temp.store, events, retryBaseDelayMs: 5, retryMaxDelayMs: 50, ...extra }, seen, root: temp.root, store: temp.store };
}

const source = (dist: Dist, extra: Partial<FileSource> = {}): FileSource => ({ filename: dist.filename, sha256: dist.sha256, size: dist.bytes.length, url: server.fileUrl(dist.filename), ...extra });

async function rejection(promise: Promise<unknown>): Promise<WheelwrightError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WheelwrightError);
    return error as WheelwrightError;
  }
  throw new Error("expected a rejection");
}

/** Every entry under the store's store/ and tmp/ directories (should be empty after a failure). */
function storeEntries(root: string): string[] {
  return ["store", "tmp"].flatMap((dir) => {
    try {
      return readdirSync(join(root, dir)).map((name) => `${dir}/${name}`);
    } catch {
      return [];
    }
  });
}

describe("downloading over HTTP", () => {
  it("downloads, verifies and stores the file at its fixed-output path", async () => {
    const { options, seen, store } = await setup();
    const path = await fetchSource(source(demo), options);
    expect(path).toBe(fixedOutputPath(demo.sha256, demo.filename));
    expect(store.isValid(path)).toBe(true);
    expect(readFileSync(store.toRealPath(path)).equals(demo.bytes)).toBe(true);
    expect(server.count(`/files/${demo.filename}`)).toBe(1);
    const start = seen.find((e) => e.type === "fetch-start");
    expect(start).toMatchObject({ name: demo.filename, url: server.fileUrl(demo.filename), size: demo.bytes.length });
    expect(seen.at(-1)).toEqual({ type: "fetch-end", name: demo.filename, bytes: demo.bytes.length, source: "network" });
  });

  it("does not fetch again when the store path is valid", async () => {
    const { options, seen } = await setup();
    await fetchSource(source(demo), options);
    server.resetCounts();
    seen.length = 0;
    await fetchSource(source(demo), options);
    expect(server.count()).toBe(0);
    expect(seen).toEqual([{ type: "fetch-end", name: demo.filename, bytes: 0, source: "store" }]);
  });

  it("stores nothing on a hash mismatch and names file, URL, expected and actual hash", async () => {
    const { options, root, store } = await setup();
    const wrong = "ab".repeat(32);
    const error = await rejection(fetchSource(source(demo, { sha256: wrong }), options));
    expect(error.code).toBe("ERR_WW_HASH_MISMATCH");
    expect(error.message).toContain(demo.filename);
    expect(error.message).toContain(server.fileUrl(demo.filename));
    expect(error.message).toContain(wrong);
    expect(error.message).toContain(demo.sha256);
    expect(store.isValid(fixedOutputPath(wrong, demo.filename))).toBe(false);
    expect(storeEntries(root)).toEqual([]);
    expect(server.count(`/files/${demo.filename}`)).toBe(1); // a mismatch is not retried
  });

  it("rejects corrupted bytes from the server without retrying", async () => {
    const { options, root } = await setup();
    server.faults.wrongBytes = true;
    const error = await rejection(fetchSource(source(demo), options));
    expect(error.code).toBe("ERR_WW_HASH_MISMATCH");
    const corrupted = Buffer.from(demo.bytes);
    corrupted[corrupted.length >> 1] = corrupted[corrupted.length >> 1]! ^ 0xff;
    expect(error.message).toContain(sha256(corrupted));
    expect(storeEntries(root)).toEqual([]);
    expect(server.count(`/files/${demo.filename}`)).toBe(1);
  });

  it("treats a size different from the pinned size as a mismatch", async () => {
    const { options, root } = await setup();
    const error = await rejection(fetchSource(source(demo, { size: demo.bytes.length + 1 }), options));
    expect(error.code).toBe("ERR_WW_HASH_MISMATCH");
    expect(error.message).toContain(`${demo.bytes.length} bytes`);
    expect(error.message).toContain(`${demo.bytes.length + 1} bytes`);
    expect(storeEntries(root)).toEqual([]);
  });

  it("retries after 503s and succeeds", async () => {
    const { options, seen, store } = await setup();
    server.faults.failFirst = 2;
    const path = await fetchSource(source(demo), options);
    expect(store.isValid(path)).toBe(true);
    expect(server.count(`/files/${demo.filename}`)).toBe(3);
    const retries = seen.filter((e) => e.type === "log" && e.message.includes("503"));
    expect(retries.length).toBe(2);
    expect(retries.every((e) => e.type === "log" && e.message.includes(server.fileUrl(demo.filename)))).toBe(true);
  });

  it("retries after a connection dropped mid-body and stores the complete file", async () => {
    const { options, store } = await setup();
    server.faults.closeMidBody = 1;
    const path = await fetchSource(source(demo), options);
    expect(readFileSync(store.toRealPath(path)).equals(demo.bytes)).toBe(true);
    expect(server.count(`/files/${demo.filename}`)).toBe(2);
  });

  it("abandons a stalled body after the idle timeout and retries", async () => {
    const { options, store } = await setup({ idleTimeoutMs: 300 });
    server.faults.stallMidBody = 1;
    const path = await fetchSource(source(demo), options);
    expect(readFileSync(store.toRealPath(path)).equals(demo.bytes)).toBe(true);
    expect(server.count(`/files/${demo.filename}`)).toBe(2);
  });

  it("gives up after the configured retries with the URL and the last status", async () => {
    const { options, root } = await setup({ retries: 2 });
    server.faults.failFirst = 100;
    const error = await rejection(fetchSource(source(demo), options));
    expect(error.code).toBe("ERR_WW_FETCH");
    expect(error.message).toContain(server.fileUrl(demo.filename));
    expect(error.message).toContain("503");
    expect(server.count(`/files/${demo.filename}`)).toBe(3);
    expect(storeEntries(root)).toEqual([]);
  });

  it("honours Retry-After on 429, up to the configured cap", async () => {
    const { options } = await setup({ retryMaxDelayMs: 2_000 });
    server.faults.failFirst = 1;
    server.faults.failStatus = 429;
    server.faults.retryAfter = "1";
    const started = Date.now();
    await fetchSource(source(demo), options);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.count(`/files/${demo.filename}`)).toBe(2);

    // A Retry-After beyond the cap waits only the cap.
    server.resetCounts();
    const capped = await setup({ retryMaxDelayMs: 100 });
    server.faults.retryAfter = "3600";
    const again = Date.now();
    await fetchSource(source(other), capped.options);
    expect(Date.now() - again).toBeLessThan(3_000);
    expect(server.count(`/files/${other.filename}`)).toBe(2);
  });

  it("does not retry a 404 and names the URL and status", async () => {
    const { options } = await setup();
    const missing = { ...source(demo), url: server.fileUrl("demo_pkg-9.9-py3-none-any.whl") };
    const error = await rejection(fetchSource(missing, options));
    expect(error.code).toBe("ERR_WW_FETCH");
    expect(error.message).toContain(missing.url);
    expect(error.message).toContain("404");
    expect(server.count("/files/demo_pkg-9.9-py3-none-any.whl")).toBe(1);
  });

  it("stops when the signal is aborted and stores nothing", async () => {
    const { options, root } = await setup();
    const slow = await startIndexServer({ root: served, delayMs: 2_000 });
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("stop now")), 100);
      await expect(fetchSource({ ...source(demo), url: slow.fileUrl(demo.filename) }, { ...options, signal: controller.signal })).rejects.toThrow("stop now");
      expect(storeEntries(root)).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});

describe("find-links directories", () => {
  it("uses a matching local file and never touches the network", async () => {
    const wheelhouse = mkdtempSync(join(work, "wheelhouse-"));
    writeFileSync(join(wheelhouse, demo.filename), demo.bytes);
    const { options, seen, store } = await setup({ findLinks: [wheelhouse] });
    const path = await fetchSource(source(demo), options);
    expect(readFileSync(store.toRealPath(path)).equals(demo.bytes)).toBe(true);
    expect(server.count()).toBe(0);
    expect(seen.at(-1)).toMatchObject({ type: "fetch-end", source: "local", bytes: demo.bytes.length });
  });

  it("skips a same-named file with other content and falls back to the URL", async () => {
    const wheelhouse = mkdtempSync(join(work, "wheelhouse-"));
    writeFileSync(join(wheelhouse, demo.filename), Buffer.from("not the pinned wheel"));
    const { options, store } = await setup({ findLinks: [wheelhouse] });
    const path = await fetchSource(source(demo), options);
    expect(readFileSync(store.toRealPath(path)).equals(demo.bytes)).toBe(true);
    expect(server.count(`/files/${demo.filename}`)).toBe(1);
  });
});

describe("mirrors", () => {
  it.each([
    ["PEP 503 HTML", () => server.htmlUrl, "/html/simple/demo-pkg/"],
    ["PEP 691 JSON", () => server.jsonUrl, "/json/simple/demo-pkg/"],
    ["content-negotiated", () => server.url, "/simple/demo-pkg/"],
  ])("finds the file on a %s project page", async (_label, mirror, page) => {
    const { options, seen, store } = await setup({ mirrors: [mirror()] });
    // No URL at all: the mirror is the only way to the file.
    const path = await fetchSource({ filename: demo.filename, sha256: demo.sha256 }, options);
    expect(readFileSync(store.toRealPath(path)).equals(demo.bytes)).toBe(true);
    expect(server.count(page)).toBe(1);
    expect(server.count(`/files/${demo.filename}`)).toBe(1);
    expect(seen.at(-1)).toMatchObject({ type: "fetch-end", source: "mirror" });
  });

  it("prefers the mirror over the source's own URL", async () => {
    const upstream = await startIndexServer({ root: served });
    try {
      const { options } = await setup({ mirrors: [server.jsonUrl] });
      await fetchSource({ ...source(other), url: upstream.fileUrl(other.filename) }, options);
      expect(server.count(`/files/${other.filename}`)).toBe(1);
      expect(upstream.count()).toBe(0);
    } finally {
      await upstream.close();
    }
  });

  it("falls back to the URL when the mirror serves corrupted bytes, warning about it", async () => {
    const bad = await startIndexServer({ root: served, faults: { wrongBytes: true } });
    try {
      const { options, seen, store } = await setup({ mirrors: [bad.url] });
      const path = await fetchSource(source(demo), options);
      expect(readFileSync(store.toRealPath(path)).equals(demo.bytes)).toBe(true);
      expect(bad.count(`/files/${demo.filename}`)).toBe(1);
      expect(server.count(`/files/${demo.filename}`)).toBe(1);
      const warning = seen.find((e) => e.type === "log" && e.level === "warn");
      expect(warning).toBeDefined();
      expect(warning!.type === "log" && warning!.message).toContain(bad.fileUrl(demo.filename));
    } finally {
      await bad.close();
    }
  });

  it("downloads a URL once when the mirror lists the source's own URL", async () => {
    const { options } = await setup({ mirrors: [server.url] });
    const wrong = "cd".repeat(32);
    const error = await rejection(fetchSource(source(other, { sha256: wrong, size: undefined }), options));
    expect(error.code).toBe("ERR_WW_HASH_MISMATCH");
    // The page lists the real sha256, so its entry is skipped; the source URL is tried once.
    expect(server.count(`/files/${other.filename}`)).toBe(1);
    expect(error.message).toContain(`listed with sha256 ${other.sha256}`);
    const unhashed = await startIndexServer({ root: served, hashes: false });
    try {
      const again = await setup({ mirrors: [unhashed.url] });
      const second = await rejection(fetchSource({ ...source(other, { sha256: wrong, size: undefined }), url: unhashed.fileUrl(other.filename) }, again.options));
      expect(second.code).toBe("ERR_WW_HASH_MISMATCH");
      expect(unhashed.count(`/files/${other.filename}`)).toBe(1);
    } finally {
      await unhashed.close();
    }
  });

  it("retries a project page that fails with 503", async () => {
    const { options } = await setup({ mirrors: [server.jsonUrl] });
    server.faults.failFirst = 1;
    server.faults.match = (path) => path.startsWith("/json/simple/");
    await fetchSource({ filename: other.filename, sha256: other.sha256 }, options);
    expect(server.count("/json/simple/other/")).toBe(2);
    expect(server.count(`/files/${other.filename}`)).toBe(1);
  });

  it("reads a file: mirror whose project directory has no index page as a list of files", async () => {
    const mirrorRoot = mkdtempSync(join(work, "flat-"));
    mkdirSync(join(mirrorRoot, "other"));
    writeFileSync(join(mirrorRoot, "other", other.filename), other.bytes);
    const { options, store } = await setup({ mirrors: [mirrorRoot], offline: true });
    const path = await fetchSource({ filename: other.filename, sha256: other.sha256 }, options);
    expect(readFileSync(store.toRealPath(path)).equals(other.bytes)).toBe(true);
  });

  it("skips a mirror without the project and tries the next one", async () => {
    const emptyDir = mkdtempSync(join(work, "empty-"));
    const empty = await startIndexServer({ root: emptyDir });
    try {
      const { options } = await setup({ mirrors: [empty.url, server.htmlUrl] });
      await fetchSource({ filename: other.filename, sha256: other.sha256 }, options);
      expect(empty.count("/simple/other/")).toBe(1);
      expect(server.count(`/files/${other.filename}`)).toBe(1);
    } finally {
      await empty.close();
    }
  });

  it("reads a file: mirror of static pages, even offline", async () => {
    const mirrorRoot = mkdtempSync(join(work, "mirror-"));
    mkdirSync(join(mirrorRoot, "simple", "other"), { recursive: true });
    mkdirSync(join(mirrorRoot, "packages"));
    writeFileSync(join(mirrorRoot, "packages", other.filename), other.bytes);
    writeFileSync(
      join(mirrorRoot, "simple", "other", "index.html"),
      `<html><body><a href="../../packages/${other.filename}#sha256=${other.sha256}">${other.filename}</a></body></html>`,
    );
    const { options, store } = await setup({ mirrors: [pathToFileURL(join(mirrorRoot, "simple")).href], offline: true });
    const path = await fetchSource(source(other), options);
    expect(readFileSync(store.toRealPath(path)).equals(other.bytes)).toBe(true);
    expect(server.count()).toBe(0);
  });
});

describe("local sources", () => {
  it("copies from a file: URL", async () => {
    const { options, seen, store } = await setup();
    const path = await fetchSource({ ...source(other), url: pathToFileURL(join(served, other.filename)).href }, options);
    expect(readFileSync(store.toRealPath(path)).equals(other.bytes)).toBe(true);
    expect(server.count()).toBe(0);
    expect(seen.at(-1)).toMatchObject({ type: "fetch-end", source: "local" });
  });

  it("copies from a path relative to baseDir", async () => {
    const project = mkdtempSync(join(work, "project-"));
    mkdirSync(join(project, "dist"));
    writeFileSync(join(project, "dist", other.filename), other.bytes);
    const { options, store } = await setup({ baseDir: project });
    const path = await fetchSource({ filename: other.filename, sha256: other.sha256, path: `dist/${other.filename}` }, options);
    expect(readFileSync(store.toRealPath(path)).equals(other.bytes)).toBe(true);
  });

  it("checks the hash of local files too", async () => {
    const { options, root } = await setup();
    const error = await rejection(fetchSource({ filename: other.filename, sha256: demo.sha256, path: join(served, other.filename) }, options));
    expect(error.code).toBe("ERR_WW_HASH_MISMATCH");
    expect(error.message).toContain(join(served, other.filename));
    expect(storeEntries(root)).toEqual([]);
  });
});

describe("offline mode", () => {
  it("fails naming the file, the package, where it looked, with a hint", async () => {
    const wheelhouse = mkdtempSync(join(work, "wheelhouse-"));
    const { options } = await setup({ offline: true, findLinks: [wheelhouse], mirrors: [server.url] });
    const error = await rejection(fetchSource(source(demo), options));
    expect(error.code).toBe("ERR_WW_OFFLINE_MISSING");
    expect(error.message).toContain(demo.filename);
    expect(error.message).toContain("demo-pkg");
    expect(error.message).toContain(wheelhouse);
    expect(error.message).toContain(server.url);
    expect(error.message).toContain(server.fileUrl(demo.filename));
    expect(error.location.package).toBe("demo-pkg");
    expect(error.hint).toContain("--find-links");
    expect(error.hint).toContain("--offline");
    expect(server.count()).toBe(0);
  });

  it("still uses find-links directories", async () => {
    const wheelhouse = mkdtempSync(join(work, "wheelhouse-"));
    writeFileSync(join(wheelhouse, other.filename), other.bytes);
    const { options, store } = await setup({ offline: true, findLinks: [wheelhouse] });
    expect(store.isValid(await fetchSource(source(other), options))).toBe(true);
    expect(server.count()).toBe(0);
  });
});

describe("many sources", () => {
  it("transfers one sha256 once, even from two URLs", async () => {
    const mirror = await startIndexServer({ root: served });
    try {
      const { options } = await setup();
      const result = await fetchSources([source(demo), { ...source(demo), url: mirror.fileUrl(demo.filename) }], options);
      expect([...result.keys()]).toEqual([demo.sha256]);
      expect(result.get(demo.sha256)).toBe(fixedOutputPath(demo.sha256, demo.filename));
      expect(server.count(`/files/${demo.filename}`) + mirror.count(`/files/${demo.filename}`)).toBe(1);
    } finally {
      await mirror.close();
    }
  });

  it("copies the same bytes under a second filename from the store, not the network", async () => {
    const { options, store } = await setup();
    const renamed = "demo_pkg-1.0-py2.py3-none-any.whl";
    const result = await fetchSources([source(demo), { ...source(demo), filename: renamed }], options);
    expect(result.size).toBe(1);
    expect(store.isValid(fixedOutputPath(demo.sha256, renamed))).toBe(true);
    expect(server.count(`/files/${demo.filename}`)).toBe(1);
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    const slow = await startIndexServer({ root: served, delayMs: 150 });
    try {
      const { options, store } = await setup({ concurrency: 2 });
      const result = await fetchSources(
        many.map((dist) => ({ ...source(dist), url: slow.fileUrl(dist.filename) })),
        options,
      );
      expect(result.size).toBe(many.length);
      for (const path of result.values()) expect(store.isValid(path)).toBe(true);
      expect(slow.count()).toBe(many.length);
      expect(slow.stats.maxActive).toBe(2);
    } finally {
      await slow.close();
    }
  });

  it("reuses keep-alive connections for sequential downloads", async () => {
    const fresh = await startIndexServer({ root: served });
    try {
      const { options } = await setup({ concurrency: 1 });
      await fetchSources(many.map((dist) => ({ ...source(dist), url: fresh.fileUrl(dist.filename) })), options);
      expect(fresh.count()).toBe(many.length);
      expect(fresh.stats.connections).toBeLessThan(many.length);
    } finally {
      await fresh.close();
    }
  });

  it("reports the first failure after every other source settled", async () => {
    const { options, store } = await setup();
    const bad = { ...source(other), url: server.fileUrl("nope-1.0.tar.gz") };
    const error = await rejection(fetchSources([bad, source(demo)], options));
    expect(error.message).toContain("nope-1.0.tar.gz");
    expect(store.isValid(fixedOutputPath(demo.sha256, demo.filename))).toBe(true);
  });
});
