// Parsing simple-repository project pages (PEP 503 HTML, PEP 691 JSON) and picking files.
// The pages below are written by hand from the PEPs' examples, not produced by our code.
import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { parseSimpleHtml } from "../../src/fetch/simple-html.js";
import { parseSimpleJson } from "../../src/fetch/simple-json.js";
import { pickFiles, projectPageUrl } from "../../src/fetch/mirror.js";
import { projectNameOf } from "../../src/fetch/names.js";
import type { IndexFile } from "../../src/fetch/simple-types.js";

const A = "a".repeat(64);
const B = "b".repeat(64);
const C = "c".repeat(64);

describe("PEP 503 HTML pages", () => {
  const page = `<!DOCTYPE html>
<html>
  <head><meta name="pypi:repository-version" content="1.1"><title>Links for frob</title></head>
  <body>
    <h1>Links for frob</h1>
    <!-- <a href="commented-out-1.0.tar.gz">ignored</a> -->
    <a href="../../packages/ab/cd/frob-1.0-py3-none-any.whl#sha256=${A}" data-requires-python="&gt;=3.8" data-dist-info-metadata="sha256=${B}">frob-1.0-py3-none-any.whl</a><br/>
    <A HREF='https://files.example.test/frob-1.0.tar.gz#md5=0123abcd&amp;sha256=${C}' data-yanked="">frob-1.0.tar.gz</A><br/>
    <a href="/packages/frob-0.9.tar.gz" data-yanked="broken &amp; bad" data-core-metadata="true">frob-0.9.tar.gz</a>
    <a href="frob%2B-0.8.zip">frob+-0.8.zip</a>
    <a name="no-href">anchor without href</a>
  </body>
</html>`;
  const files = parseSimpleHtml(page, "https://mirror.example.test/simple/frob/");

  it("lists every linked file, resolving relative URLs against the page", () => {
    expect(files.map((f) => f.filename)).toEqual(["frob-1.0-py3-none-any.whl", "frob-1.0.tar.gz", "frob-0.9.tar.gz", "frob+-0.8.zip"]);
    expect(files[0]!.url).toBe("https://mirror.example.test/packages/ab/cd/frob-1.0-py3-none-any.whl");
    expect(files[2]!.url).toBe("https://mirror.example.test/packages/frob-0.9.tar.gz");
    expect(files[3]!.url).toBe("https://mirror.example.test/simple/frob/frob%2B-0.8.zip");
  });

  it("reads hashes from the fragment (entity-decoded) and drops the fragment from the URL", () => {
    expect(files[0]!.hashes).toEqual({ sha256: A });
    expect(files[1]!.hashes).toEqual({ md5: "0123abcd", sha256: C });
    expect(files[1]!.url).toBe("https://files.example.test/frob-1.0.tar.gz");
    expect(files[2]!.hashes).toEqual({});
  });

  it("reads requires-python, yanked and core-metadata attributes", () => {
    expect(files[0]!.requiresPython).toBe(">=3.8");
    expect(files[0]!.coreMetadata).toEqual({ sha256: B });
    expect(files[0]!.yanked).toBeUndefined();
    expect(files[1]!.yanked).toBe(true);
    expect(files[2]!.yanked).toBe("broken & bad");
    expect(files[2]!.coreMetadata).toEqual({});
  });

  it("honours <base href>", () => {
    const based = parseSimpleHtml(`<base href="https://cdn.example.test/dists/"><a href="x-1.0.tar.gz">x</a>`, "https://mirror.example.test/simple/x/");
    expect(based[0]!.url).toBe("https://cdn.example.test/dists/x-1.0.tar.gz");
  });
});

describe("PEP 691 JSON pages", () => {
  const page = JSON.stringify({
    meta: { "api-version": "1.1" },
    name: "frob",
    files: [
      { filename: "frob-1.0-py3-none-any.whl", url: "../../files/frob-1.0-py3-none-any.whl", hashes: { sha256: A.toUpperCase() }, "requires-python": ">=3.8", "core-metadata": { sha256: B }, size: 1234 },
      { filename: "frob-1.0.tar.gz", url: "https://files.example.test/frob-1.0.tar.gz", hashes: {}, yanked: "bad release", "dist-info-metadata": true },
      { filename: "frob-0.9.tar.gz", url: "frob-0.9.tar.gz#sha256=" + C, hashes: {}, yanked: false },
    ],
  });
  const files = parseSimpleJson(page, "https://mirror.example.test/simple/frob/");

  it("reads files, resolving relative URLs and normalising hash case", () => {
    expect(files.map((f) => f.url)).toEqual([
      "https://mirror.example.test/files/frob-1.0-py3-none-any.whl",
      "https://files.example.test/frob-1.0.tar.gz",
      "https://mirror.example.test/simple/frob/frob-0.9.tar.gz",
    ]);
    expect(files[0]!.hashes).toEqual({ sha256: A });
    expect(files[2]!.hashes).toEqual({ sha256: C });
    expect(files[0]!.size).toBe(1234);
  });

  it("reads requires-python, yanked and both spellings of core-metadata", () => {
    expect(files[0]!.requiresPython).toBe(">=3.8");
    expect(files[0]!.coreMetadata).toEqual({ sha256: B });
    expect(files[1]!.coreMetadata).toEqual({});
    expect(files[1]!.yanked).toBe("bad release");
    expect(files[2]!.yanked).toBeUndefined();
  });

  it("refuses an unknown major API version and malformed pages", () => {
    for (const bad of [
      JSON.stringify({ meta: { "api-version": "2.0" }, files: [] }),
      "<html>not json</html>",
      JSON.stringify({ meta: { "api-version": "1.0" } }),
      JSON.stringify({ meta: { "api-version": "1.0" }, files: [{ url: "x" }] }),
    ]) {
      let caught: unknown;
      try {
        parseSimpleJson(bad, "https://m.test/simple/x/");
      } catch (error) {
        caught = error;
      }
      expect(isWheelwrightError(caught, "ERR_WW_FETCH")).toBe(true);
      expect((caught as Error).message).toContain("https://m.test/simple/x/");
    }
  });
});

describe("picking a file from a page", () => {
  const entry = (filename: string, sha256?: string): IndexFile => ({ filename, url: `https://m.test/${filename}`, hashes: sha256 === undefined ? {} : { sha256 } });

  it("prefers an entry with the pinned hash, then unhashed ones, and rejects other hashes", () => {
    const files = [entry("x-1.0.tar.gz"), entry("x-1.0.tar.gz", B), entry("X-1.0.tar.gz", A), entry("x-2.0.tar.gz", A)];
    const { candidates, rejected } = pickFiles(files, "x-1.0.tar.gz", A);
    expect(candidates.map((f) => f.filename)).toEqual(["X-1.0.tar.gz", "x-1.0.tar.gz"]);
    expect(candidates[1]!.hashes).toEqual({});
    expect(rejected).toEqual([`x-1.0.tar.gz listed with sha256 ${B}`]);
  });

  it("builds project page URLs with one slash", () => {
    expect(projectPageUrl("https://m.test/simple", "foo-bar")).toBe("https://m.test/simple/foo-bar/");
    expect(projectPageUrl("https://m.test/simple///", "foo-bar")).toBe("https://m.test/simple/foo-bar/");
  });
});

describe("project names from file names", () => {
  it.each([
    ["Flask-2.0.1-py3-none-any.whl", "flask"],
    ["zope.interface-6.0-cp311-cp311-manylinux_2_17_x86_64.whl", "zope-interface"],
    ["typing_extensions-4.8.0.tar.gz", "typing-extensions"],
    ["python-dateutil-2.8.2.tar.gz", "python-dateutil"],
    ["Django-1.0.zip", "django"],
    ["odd_name-1.0-weird-build.whl", "odd-name"],
    ["nodash.tar.gz", undefined],
  ])("%s → %s", (filename, expected) => {
    expect(projectNameOf(filename)).toBe(expected);
  });
});
