import { describe, expect, it } from "vitest";
import { isWheelwrightError } from "../../src/errors.js";
import { packages } from "../../src/scope/package-set.js";
import { fakeRecipe } from "../helpers/recipes.js";

describe("package set and overlays", () => {
  const base = packages().overrideScope(() => ({ requests: fakeRecipe("requests", { deps: { urllib3: [] } }), urllib3: fakeRecipe("urllib3") }));

  it("starts empty and gains packages through overlays", () => {
    expect(packages().names()).toEqual([]);
    expect(base.names()).toEqual(["requests", "urllib3"]);
  });

  it("replaces a package, and overrides one attribute while keeping the rest", () => {
    const set = base.overrideScope((_final, prev) => ({ urllib3: prev.urllib3!.override({ version: "2.0" }) }));
    expect(set.get("urllib3").version).toBe("2.0");
    expect(set.get("urllib3").source).toEqual(base.get("urllib3").source);
    expect(base.get("urllib3").version).toBe("1.0"); // the old set is untouched
  });

  it("lets an overlay read the final result through a thunk", () => {
    const set = base
      .overrideScope((final) => ({ app: () => fakeRecipe("app", { deps: { requests: [] }, version: final.requests!.version }) }))
      .overrideScope((_final, prev) => ({ requests: prev.requests!.override({ version: "9.9" }) }));
    expect(set.get("app").version).toBe("9.9");
  });

  it("normalizes names in keys and lookups, and removes a package with null", () => {
    const set = base.overrideScope(() => ({ "Zope.Interface": fakeRecipe("zope-interface"), urllib3: null }));
    expect(set.has("zope_interface")).toBe(true);
    expect(set.names()).toEqual(["requests", "zope-interface"]);
    expect(set.pkgs.urllib3).toBeUndefined();
    expect(Object.keys(set.pkgs)).toEqual(["requests", "zope-interface"]);
  });

  it("runs each overlay once however often it is read", () => {
    let runs = 0;
    const set = base.overrideScope(() => (runs++, { extra: fakeRecipe("extra") }));
    set.get("extra");
    set.get("requests");
    set.names();
    expect(runs).toBe(1);
  });

  it("reports an unknown package with a suggestion", () => {
    try {
      base.get("request");
      expect.unreachable();
    } catch (error) {
      expect(isWheelwrightError(error, "ERR_WW_UNKNOWN_PACKAGE")).toBe(true);
      expect((error as { hint: string }).hint).toContain("'requests'");
    }
  });

  it("override with a function sees the current attributes", () => {
    const recipe = fakeRecipe("x", { deps: { a: [] } });
    const changed = recipe.override((attrs) => ({ dependencies: { ...attrs.dependencies, B_c: ["Extra_1"] } }));
    expect(changed.dependencies).toEqual({ a: [], "b-c": ["extra-1"] });
  });
});
