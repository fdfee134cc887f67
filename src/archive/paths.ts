/**
 * Entry-name and link-target safety. An archive name is accepted only if, read as a path
 * relative to the extraction target on any common OS, it stays inside that target. The rules
 * are deliberately stricter than "resolves inside": `a/../b` is refused too, because no
 * legitimate wheel or sdist needs it and every tool that mis-normalises it is a CVE.
 */

/** Why a name was refused, or the normalised name. `""` means the archive root itself (`./`). */
export type NameCheck = { ok: true; name: string; directory: boolean } | { ok: false; problem: string };

const DRIVE = /^[A-Za-z]:/;

/**
 * Validates and normalises an archive entry name: strips `./` parts, repeated slashes and a
 * trailing `/` (reported as `directory`), refuses absolute paths, drive letters, backslashes,
 * NUL bytes, `..` parts and empty names.
 */
export function checkEntryName(raw: string): NameCheck {
  if (raw.length === 0) return { ok: false, problem: "has an empty name" };
  if (raw.includes("\0")) return { ok: false, problem: "has a NUL byte in its name" };
  if (raw.includes("\\")) return { ok: false, problem: "uses a backslash in its name (a path separator on Windows)" };
  if (raw.startsWith("/")) return { ok: false, problem: "has an absolute path" };
  if (DRIVE.test(raw)) return { ok: false, problem: "starts with a drive letter" };
  const parts: string[] = [];
  for (const part of raw.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") return { ok: false, problem: "has a '..' path component" };
    parts.push(part);
  }
  return { ok: true, name: parts.join("/"), directory: raw.endsWith("/") };
}

/** Checks the text of a symlink target (not where it points; see resolveInside). */
export function checkLinkTarget(target: string): string | undefined {
  if (target.length === 0) return "is a symlink with an empty target";
  if (target.includes("\0")) return "is a symlink whose target has a NUL byte";
  if (target.includes("\\")) return "is a symlink whose target uses a backslash";
  if (target.startsWith("/")) return `is a symlink to an absolute path (${JSON.stringify(target)})`;
  if (DRIVE.test(target)) return `is a symlink to a drive-letter path (${JSON.stringify(target)})`;
  return undefined;
}

/** Drops the first `count` components; null when nothing is left (the entry is skipped). */
export function stripComponents(name: string, count: number): string | null {
  if (count <= 0) return name;
  const parts = name.split("/");
  if (parts.length <= count) return null;
  return parts.slice(count).join("/");
}

/**
 * Key under which links are looked up while resolving. Case-folded and NFC-normalised so
 * that, on case-insensitive or normalising file systems (macOS, Windows), `A/x` cannot slip
 * through a link recorded as `a`. On Linux this only makes the check stricter.
 */
export function foldName(name: string): string {
  return name.normalize("NFC").toLowerCase();
}

const MAX_LINK_HOPS = 40; // the kernel's own limit (ELOOP)

/**
 * Resolves `target` of the symlink at `linkPath` (both relative to the extraction root)
 * through the archive's own symlinks (`links`, keyed by foldName), the way the kernel would
 * once everything is on disk. Returns the root-relative path it lands on, or undefined when
 * it leaves the root at any step (including `..` after a component that is itself a link,
 * e.g. `l1 -> ..` then `l2 -> sub/l1/..`) or loops.
 */
export function resolveInside(linkPath: string, target: string, links: ReadonlyMap<string, string>): string | undefined {
  let hops = 0;
  const parent = linkPath.split("/").slice(0, -1);
  const walk = (base: string[], path: string): string[] | undefined => {
    if (path.startsWith("/") || DRIVE.test(path) || path.includes("\\")) return undefined;
    const stack = [...base];
    for (const part of path.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (stack.length === 0) return undefined;
        stack.pop();
        continue;
      }
      stack.push(part);
      const next = links.get(foldName(stack.join("/")));
      if (next !== undefined) {
        if (++hops > MAX_LINK_HOPS) return undefined;
        stack.pop();
        const resolved = walk(stack, next);
        if (resolved === undefined) return undefined;
        stack.length = 0;
        stack.push(...resolved);
      }
    }
    return stack;
  };
  const result = walk(parent, target);
  return result === undefined ? undefined : result.join("/");
}
