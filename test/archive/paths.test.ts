import { mkdir, mkdtemp, realpath, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix, relative, sep } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { checkEntryName, checkLinkTarget } from "../../src/archive/index.js";
import { foldName, resolveInside, stripComponents } from "../../src/archive/paths.js";

describe("checkEntryName", () => {
  it.each([
    ["pkg/mod.py", "pkg/mod.py", false],
    ["./pkg//mod.py", "pkg/mod.py", false],
    ["pkg/", "pkg", true],
    ["./", "", true],
    ["a/./b", "a/b", false],
    ["ünï/cödé.py", "ünï/cödé.py", false],
    ["pkg/ab:c", "pkg/ab:c", false], // a colon past a leading drive position is an ordinary posix name
  ])("accepts %j as %j", (raw, name, directory) => {
    expect(checkEntryName(raw)).toEqual({ ok: true, name, directory });
  });

  it.each(["", "..", "../x", "a/..", "a/../b", "/etc/passwd", "//host/share", "C:/x", "c:x", "a:b", "a\\b", "..\\x", "a\0b"])("refuses %j", (raw) => {
    expect(checkEntryName(raw).ok).toBe(false);
  });

  it("never accepts a name that resolves outside the root (property)", () => {
    const part = fc.constantFrom("a", "b", ".", "..", "", "C:", "\\", "\0", "x\\..");
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }), fc.boolean(), (parts, leadingSlash) => {
        const raw = (leadingSlash ? "/" : "") + parts.join("/");
        const check = checkEntryName(raw);
        if (!check.ok) return;
        // Independent model: posix resolution against a root, plus the Windows readings.
        const resolved = posix.resolve("/root", raw);
        expect(resolved === "/root" || resolved.startsWith("/root/")).toBe(true);
        expect(posix.relative("/root", resolved)).toBe(check.name);
        expect(check.name.split("/")).not.toContain("..");
        expect(raw).not.toMatch(/\\|\0|^[A-Za-z]:/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("checkLinkTarget and stripComponents", () => {
  it("judges link target text", () => {
    expect(checkLinkTarget("../README")).toBeUndefined();
    for (const bad of ["", "/etc/passwd", "C:/x", "a\\b", "a\0b"]) expect(checkLinkTarget(bad)).toBeTypeOf("string");
  });

  it("strips leading components", () => {
    expect(stripComponents("top/a/b", 1)).toBe("a/b");
    expect(stripComponents("top", 1)).toBeNull();
    expect(stripComponents("top/a", 0)).toBe("top/a");
    expect(stripComponents("top/a", 2)).toBeNull();
  });
});

describe("resolveInside agrees with the kernel", () => {
  const roots: string[] = [];
  afterAll(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  it("on hand-picked chains", () => {
    const links = new Map<string, string>();
    const add = (path: string, target: string): void => void links.set(foldName(path), target);
    add("sub/l1", "..");
    add("sub/up", "../sub");
    expect(resolveInside("sub/l1", "..", links)).toBe("");
    expect(resolveInside("l2", "sub/l1/..", links)).toBeUndefined();
    expect(resolveInside("l3", "sub/up/up/up", links)).toBe("sub");
    expect(resolveInside("a/b/c", "../../x", links)).toBe("x");
    expect(resolveInside("a/b/c", "../../../x", links)).toBeUndefined();
    add("loop", "loop");
    expect(resolveInside("other", "loop/x", links)).toBeUndefined();
  });

  it("on random link sets built on disk (property)", async () => {
    const step = fc.constantFrom("d", "e", "..", ".", "l0", "l1", "l2");
    const target = fc.array(step, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("/"));
    const linkSpecs = fc.tuple(target, target, target);
    const dirOf = fc.constantFrom("", "d", "d/e");
    await fc.assert(
      fc.asyncProperty(linkSpecs, fc.tuple(dirOf, dirOf, dirOf), async (targets, dirs) => {
        const root = await mkdtemp(join(tmpdir(), "ww-resolve-"));
        roots.push(root);
        await mkdir(join(root, "d", "e"), { recursive: true });
        const links = new Map<string, string>();
        const paths = targets.map((_, i) => (dirs[i] === "" ? `l${i}` : `${dirs[i]}/l${i}`));
        for (let i = 0; i < 3; i++) {
          await symlink(targets[i]!, join(root, paths[i]!));
          links.set(foldName(paths[i]!), targets[i]!);
        }
        const realRoot = await realpath(root);
        for (let i = 0; i < 3; i++) {
          const ours = resolveInside(paths[i]!, targets[i]!, links);
          let real: string | undefined;
          try {
            real = await realpath(join(root, paths[i]!));
          } catch {
            real = undefined; // dangling or looping: the kernel gives no answer to compare with
          }
          if (real === undefined) continue;
          const rel = relative(realRoot, real);
          const inside = !(rel === ".." || rel.startsWith(".." + sep) || rel.startsWith(sep));
          if (inside) expect(ours).toBe(rel.split(sep).join("/"));
          else expect(ours).toBeUndefined();
        }
        await rm(root, { recursive: true, force: true });
      }),
      { numRuns: 150 },
    );
  });
});
