import { describe, expect, it } from "vitest";
import * as ww from "../src/index.js";

describe("the package entry point", () => {
  it("exports the standards as namespaces that work", () => {
    expect(ww.pep440.compare("1.0", "1.0a1")).toBe(1);
    expect(ww.pep440.satisfies("2.0", ">=1.0,!=1.5")).toBe(true);
    expect(ww.pep508.parseRequirement('requests[socks]>=2 ; python_version >= "3.8"').extras).toEqual(["socks"]);
    expect(ww.names.normalizeName("Foo__Bar")).toBe("foo-bar");
    expect(ww.filenames.parseWheelFilename("foo-1.0-py2.py3-none-any.whl").tags).toHaveLength(2);
    expect(ww.metadata.parseMetadata("Metadata-Version: 2.1\nName: x\nVersion: 1\n").name).toBe("x");
    expect(ww.pyproject.buildSystem(ww.pyproject.readPyproject("")).buildBackend).toBe("setuptools.build_meta:__legacy__");
    expect(typeof ww.tags.supportedTags).toBe("function");
  });

  it("exports the pipeline", () => {
    for (const name of ["packages", "readLock", "Store", "fetchSources", "installWheel", "assembleVenv", "sync", "plan", "findInterpreter", "Instantiator"] as const) {
      expect(typeof ww[name], name).toBe("function");
    }
  });
});
