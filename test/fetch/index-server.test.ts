// The loopback index test helper itself: both simple API forms, PEP 658 metadata, redirects,
// faults and counters. Other tests and benchmarks rely on these behaviours.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIndexServer, type IndexServer } from "../helpers/index-server.js";
import { makeZip } from "../helpers/archive-builder.js";

const sha = (bytes: Buffer | string): string => createHash("sha256").update(bytes).digest("hex");
const METADATA = "Metadata-Version: 2.1\nName: Tiny.Thing\nVersion: 1.0\n\n";
const WHEEL = "Tiny.Thing-1.0-py3-none-any.whl";

let dir: string;
let server: IndexServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ww-index-"));
  await makeZip(join(dir, WHEEL), [
    { name: "tiny/__init__.py", data: Buffer.from("x = 1\n") },
    { name: "tiny_thing-1.0.dist-info/METADATA", data: Buffer.from(METADATA) },
  ]);
  writeFileSync(join(dir, "tiny_thing-1.0.tar.gz"), "sdist bytes");
  writeFileSync(join(dir, "tiny_thing-1.0.tar.gz.metadata"), "Metadata-Version: 2.1\nName: tiny-thing\n");
  server = await startIndexServer({ root: dir, metadata: true });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("index server", () => {
  it("serves PEP 691 JSON when asked for it and PEP 503 HTML otherwise", async () => {
    const json = await fetch(`${server.url}tiny-thing/`, { headers: { accept: "application/vnd.pypi.simple.v1+json, text/html;q=0.1" } });
    expect(json.headers.get("content-type")).toBe("application/vnd.pypi.simple.v1+json");
    const page = (await json.json()) as { files: { filename: string; hashes: { sha256: string }; "core-metadata": { sha256: string } }[] };
    const wheel = page.files.find((file) => file.filename === WHEEL)!;
    expect(wheel.hashes.sha256).toBe(sha(readFileSync(join(dir, WHEEL))));
    expect(wheel["core-metadata"].sha256).toBe(sha(METADATA));

    const html = await fetch(`${server.url}tiny-thing/`);
    expect(html.headers.get("content-type")).toContain("application/vnd.pypi.simple.v1+html");
    const text = await html.text();
    expect(text).toContain(`#sha256=${wheel.hashes.sha256}`);
    expect(text).toContain(`data-core-metadata="sha256=${sha(METADATA)}"`);
  });

  it("serves a wheel's METADATA and sidecar .metadata files (PEP 658)", async () => {
    const fromWheel = await fetch(`${server.origin}/files/${WHEEL}.metadata`);
    expect(await fromWheel.text()).toBe(METADATA);
    const sidecar = await fetch(`${server.origin}/files/tiny_thing-1.0.tar.gz.metadata`);
    expect(await sidecar.text()).toBe("Metadata-Version: 2.1\nName: tiny-thing\n");
  });

  it("redirects non-normalised project names and 404s unknown projects", async () => {
    const redirect = await fetch(`${server.htmlUrl}Tiny_Thing/`, { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/html/simple/tiny-thing/");
    expect((await fetch(`${server.url}nothing-here/`)).status).toBe(404);
  });

  it("injects failures and counts requests per path", async () => {
    server.resetCounts();
    server.faults.failFirst = 1;
    server.faults.retryAfter = "7";
    const first = await fetch(server.fileUrl("tiny_thing-1.0.tar.gz"));
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("7");
    await first.arrayBuffer();
    const second = await fetch(server.fileUrl("tiny_thing-1.0.tar.gz"));
    expect(await second.text()).toBe("sdist bytes");
    expect(server.requests.get("/files/tiny_thing-1.0.tar.gz")).toBe(2);
    expect(server.count("tiny_thing-1.0.tar.gz")).toBe(2);
    delete server.faults.failFirst;
    delete server.faults.retryAfter;
  });

  it("closes the connection mid-body when asked", async () => {
    server.resetCounts();
    server.faults.closeMidBody = 1;
    const response = await fetch(server.fileUrl(WHEEL));
    await expect(response.arrayBuffer()).rejects.toThrow();
    delete server.faults.closeMidBody;
  });
});
