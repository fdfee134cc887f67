// Wheel tags against packaging 26.2 (test/conformance/tags.json, made by
// scripts/conformance/gen_tags.py): sys_tags() of real and emulated interpreters, the
// platform-tag functions, and best-wheel choices.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Interpreter } from "../../src/python/types.js";
import {
  androidPlatforms,
  bestWheel,
  compatibleTags,
  cpythonTags,
  formatTag,
  genericTags,
  iosPlatforms,
  macPlatforms,
  manylinuxPlatforms,
  musllinuxPlatforms,
  parseTagSet,
  rankWheels,
  supportedTags,
  tagRanker,
  type Tag,
} from "../../src/pep/tags.js";

interface InterpreterCase {
  name: string;
  interpreter: Interpreter;
  tags: string[];
}
interface Vectors {
  interpreters: InterpreterCase[];
  emulated: InterpreterCase[];
  platforms: {
    manylinux: Array<{ archs: string[]; glibc: [number, number]; platforms: string[] }>;
    musllinux: Array<{ archs: string[]; musl: [number, number]; platforms: string[] }>;
    mac: Array<{ version: [number, number]; arch: string; platforms: string[] }>;
    ios: Array<{ version: [number, number]; multiarch: string; platforms: string[] }>;
    android: Array<{ apiLevel: number; abi: string; platforms: string[] }>;
    cpython: Array<{ pythonVersion: number[]; abis: string[]; platforms: string[]; tags: string[] }>;
    compatible: Array<{ pythonVersion: number[]; interpreter: string | null; platforms: string[]; tags: string[] }>;
    generic: Array<{ interpreter: string; abis: string[]; platforms: string[]; tags: string[] }>;
  };
  bestWheel: Array<{ interpreter: string; filenames: string[]; best: { filename: string; rank: number } | null }>;
}

const vectors = JSON.parse(readFileSync(join(import.meta.dirname, "../conformance/tags.json"), "utf8")) as Vectors;
const all = [...vectors.interpreters, ...vectors.emulated];
const strings = (tags: Tag[]): string[] => tags.map(formatTag);

describe("supportedTags agrees with packaging.tags.sys_tags()", () => {
  it("has vectors for at least three real interpreters", () => {
    const p = vectors.platforms;
    const platformCases = Object.values(p).reduce((n, list) => n + list.length, 0);
    console.log(
      `tags conformance: ${vectors.interpreters.length} interpreters, ${vectors.emulated.length} emulated, ` +
        `${platformCases} platform cases, ${vectors.bestWheel.length} best-wheel choices`,
    );
    expect(vectors.interpreters.length).toBeGreaterThanOrEqual(3);
  });

  it.each(all.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(strings(supportedTags(c.interpreter))).toEqual(c.tags);
  });

  it("derives the same tags from abiflags when probe facts are absent (hand-made interpreters)", () => {
    for (const c of all.filter((x) => x.interpreter.versionTuple[0] === 3)) {
      const { tagFacts, ...bare } = c.interpreter;
      // Facts abiflags cannot carry: ELF checks (assumed fine) and distro vetoes.
      if (tagFacts?.manylinuxOverrides || tagFacts?.elf?.bits === 32) continue;
      expect(strings(supportedTags(bare)), c.name).toEqual(c.tags);
    }
  });

  it("refuses 32-bit x86 manylinux when the executable's ELF header is not i686", () => {
    const c = all.find((x) => x.name.startsWith("32-bit x86"));
    expect(c).toBeDefined();
    const interpreter = structuredClone(c!.interpreter);
    interpreter.tagFacts!.elf = { bits: 64, littleEndian: true, machine: 62, flags: 0, interpreter: null };
    const platforms = new Set(supportedTags(interpreter).map((t) => t.platform));
    expect([...platforms].some((p) => p.startsWith("manylinux"))).toBe(false);
    expect(platforms.has("linux_i686")).toBe(true);
  });
});

describe("platform tag functions agree with packaging", () => {
  const p = vectors.platforms;
  it("manylinux (PEP 600 + legacy aliases)", () => {
    for (const c of p.manylinux) expect(manylinuxPlatforms(c.archs, c.glibc), JSON.stringify([c.archs, c.glibc])).toEqual(c.platforms);
  });
  it("musllinux (PEP 656)", () => {
    for (const c of p.musllinux) expect(musllinuxPlatforms(c.archs, c.musl)).toEqual(c.platforms);
  });
  it("macOS", () => {
    for (const c of p.mac) expect(macPlatforms(c.version, c.arch), JSON.stringify([c.version, c.arch])).toEqual(c.platforms);
  });
  it("iOS and Android", () => {
    for (const c of p.ios) expect(iosPlatforms(c.version, c.multiarch)).toEqual(c.platforms);
    for (const c of p.android) expect(androidPlatforms(c.apiLevel, c.abi)).toEqual(c.platforms);
  });
  it("cpython_tags, compatible_tags, generic_tags", () => {
    for (const c of p.cpython) expect(strings(cpythonTags(c.pythonVersion, c.abis, c.platforms))).toEqual(c.tags);
    for (const c of p.compatible) expect(strings(compatibleTags(c.pythonVersion, c.interpreter, c.platforms))).toEqual(c.tags);
    for (const c of p.generic) expect(strings(genericTags(c.interpreter, c.abis, c.platforms))).toEqual(c.tags);
  });
});

describe("parseTagSet / formatTag", () => {
  it("expands compressed tag sets in interpreter × abi × platform order, lowercased", () => {
    expect(strings(parseTagSet("py2.py3-none-any"))).toEqual(["py2-none-any", "py3-none-any"]);
    expect(strings(parseTagSet("CP311-abi3.none-Linux_x86_64.any"))).toEqual([
      "cp311-abi3-linux_x86_64",
      "cp311-abi3-any",
      "cp311-none-linux_x86_64",
      "cp311-none-any",
    ]);
    expect(strings(parseTagSet("py3.py3-none-any"))).toEqual(["py3-none-any"]);
  });
  it("rejects strings that are not a triple", () => {
    expect(() => parseTagSet("py3-none")).toThrow();
    expect(() => parseTagSet("py3-none-any-x")).toThrow();
  });
});

describe("bestWheel", () => {
  const tagsByName = new Map(all.map((c) => [c.name, c.tags.map((t) => parseTagSet(t)[0]!)] as const));

  it("picks what packaging's ranking (plus build tag, then name) picks", () => {
    let checked = 0;
    for (const c of vectors.bestWheel) {
      const tags = tagsByName.get(c.interpreter)!;
      expect(bestWheel(c.filenames, tags), `${c.interpreter}: ${c.filenames.join(" ")}`).toEqual(c.best);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it("does not depend on input order, and a ranker gives the same answers", () => {
    const tags = tagsByName.get(vectors.interpreters[0]!.name)!;
    const ranker = tagRanker(tags);
    for (const c of vectors.bestWheel.filter((x) => x.interpreter === vectors.interpreters[0]!.name)) {
      expect(bestWheel([...c.filenames].reverse(), ranker)).toEqual(c.best);
      const ranked = rankWheels(c.filenames, ranker);
      expect(ranked[0]?.filename ?? null).toBe(c.best?.filename ?? null);
      for (let i = 1; i < ranked.length; i++) expect(ranked[i]!.rank).toBeGreaterThanOrEqual(ranked[i - 1]!.rank);
    }
  });

  it("tagRanker keeps the first rank of duplicates and answers for strings and objects", () => {
    const ranker = tagRanker(parseTagSet("py3.py2-none-any").concat(parseTagSet("py3-none-any")));
    expect(ranker.size).toBe(2);
    expect(ranker.rank("py3-none-any")).toBe(0);
    expect(ranker.rank({ interpreter: "py2", abi: "none", platform: "any" })).toBe(1);
    expect(ranker.rank("py4-none-any")).toBeUndefined();
    expect(ranker.bestRank(parseTagSet("py2.py4-none-any"))).toBe(1);
  });

  it("returns null when nothing fits", () => {
    expect(bestWheel(["foo-1.0-cp27-cp27m-win32.whl", "junk.whl"], parseTagSet("py3-none-any"))).toBeNull();
  });
});
