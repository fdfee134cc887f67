/**
 * Applying unified diffs (`diff -u`, `git diff`, `git format-patch`) to an unpacked source tree,
 * the way `patch -p1` does it but strictly: every hunk's context and removed lines must match
 * exactly (a hunk may move by any number of lines, never fuzz), files are created, changed and
 * deleted, and no path may leave the tree. A patch that does not apply is an error naming the
 * patch file, the line of the hunk and the file it was meant for; the tree is then thrown away
 * by the caller, so a half-applied patch never reaches a build.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { WheelwrightError } from "../errors.js";

export interface HunkLine {
  op: " " | "-" | "+";
  text: string;
}

export interface Hunk {
  /** 1-based line of the `@@` header in the patch file. */
  line: number;
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  lines: HunkLine[];
  /** The old side's last line has no newline (`\ No newline at end of file`). */
  oldNoNewline: boolean;
  /** The new side's last line has no newline. */
  newNoNewline: boolean;
}

export interface FilePatch {
  /** 1-based line of the `---` header in the patch file. */
  line: number;
  /** Paths as written, `null` for /dev/null (a created or deleted file). */
  oldPath: string | null;
  newPath: string | null;
  /** From git's `new file mode 100755`. */
  newMode?: number;
  hunks: Hunk[];
}

/** Parses every file section of a unified diff; other lines (mail headers, `diff --git`, `index`) are skipped. */
export function parsePatch(text: string, file: string): FilePatch[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const out: FilePatch[] = [];
  let pendingMode: number | undefined;
  const fail = (line: number, message: string) => patchError(`${message}`, file, line, "check that the file is a unified diff (diff -u or git diff) and was not edited by hand");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("diff --git ")) pendingMode = undefined;
    const mode = /^new file mode (\d+)$/.exec(line);
    if (mode !== null) pendingMode = Number.parseInt(mode[1]!, 8);
    if (line.startsWith("GIT binary patch") || line.startsWith("Binary files ")) throw fail(i + 1, "binary patches are not supported");
    if (!line.startsWith("--- ") || !(lines[i + 1] ?? "").startsWith("+++ ")) continue;
    const patch: FilePatch = { line: i + 1, oldPath: headerPath(line), newPath: headerPath(lines[i + 1]!), hunks: [] };
    if (pendingMode !== undefined) patch.newMode = pendingMode;
    pendingMode = undefined;
    i += 2;
    while (i < lines.length && lines[i]!.startsWith("@@")) {
      const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]!);
      if (header === null) throw fail(i + 1, `malformed hunk header: ${lines[i]}`);
      const hunk: Hunk = {
        line: i + 1,
        oldStart: Number(header[1]),
        oldCount: header[2] === undefined ? 1 : Number(header[2]),
        newStart: Number(header[3]),
        newCount: header[4] === undefined ? 1 : Number(header[4]),
        lines: [],
        oldNoNewline: false,
        newNoNewline: false,
      };
      let oldLeft = hunk.oldCount;
      let newLeft = hunk.newCount;
      i++;
      while (oldLeft > 0 || newLeft > 0 || lines[i]?.startsWith("\\")) {
        const body = lines[i];
        if (body === undefined) throw fail(hunk.line, `the hunk ends early: ${oldLeft} old and ${newLeft} new lines missing`);
        if (body.startsWith("\\")) {
          // "\ No newline at end of file" belongs to the line before it
          const previous = hunk.lines.at(-1);
          if (previous === undefined) throw fail(i + 1, "a no-newline marker before any line");
          if (previous.op !== "+") hunk.oldNoNewline = true;
          if (previous.op !== "-") hunk.newNoNewline = true;
          i++;
          continue;
        }
        // some tools drop the single space of an empty context line
        const op = body === "" ? " " : body[0];
        if (op !== " " && op !== "-" && op !== "+") throw fail(i + 1, `unexpected line in a hunk: ${JSON.stringify(body.slice(0, 40))}`);
        if (op !== "+" && oldLeft-- <= 0) throw fail(i + 1, "the hunk has more old lines than its header says");
        if (op !== "-" && newLeft-- <= 0) throw fail(i + 1, "the hunk has more new lines than its header says");
        hunk.lines.push({ op, text: body.slice(1) });
        i++;
      }
      patch.hunks.push(hunk);
    }
    i--;
    if (patch.hunks.length === 0 && !(patch.oldPath === null || patch.newPath === null)) throw fail(patch.line, "a file section without hunks");
    out.push(patch);
  }
  if (out.length === 0) throw fail(1, "no file changes found in the patch");
  return out;
}

/**
 * `--- a/x.c\t2024-01-01 …` → `a/x.c`; `/dev/null`, or the epoch as timestamp (how `diff -N`
 * marks an absent file), → null; git's quoted names unquoted.
 */
function headerPath(line: string): string | null {
  const [name, stamp] = line.slice(4).split("\t");
  if (stamp !== undefined && /^(1970-01-01 00:00:00(\.0+)? \+0000|Thu Jan  1 00:00:00 1970)$/.test(stamp.trim())) return null;
  let path = name!.trimEnd();
  if (path.startsWith('"') && path.endsWith('"')) path = JSON.parse(path.replace(/\\([0-7]{3})/g, (_, o: string) => `\\u${Number.parseInt(o, 8).toString(16).padStart(4, "0")}`)) as string;
  return path === "/dev/null" ? null : path;
}

/** Applies the patch file at `patchFile` to `root` with `strip` leading path components removed (default 1, like -p1). */
export function applyPatchFile(root: string, patchFile: string, options: { strip?: number; package?: string } = {}): string[] {
  const patches = parsePatch(readFileSync(patchFile, "utf8"), patchFile);
  const changed: string[] = [];
  // Apply to memory first: a patch either applies entirely or changes nothing.
  const results = new Map<string, { content: string | null; mode?: number }>();
  for (const patch of patches) {
    const target = targetPath(patch, options.strip ?? 1, patchFile, options.package);
    const full = join(root, target);
    const previous = results.get(target);
    const exists = previous !== undefined ? previous.content !== null : existsSync(full);
    const where = { patchFile, line: patch.line, target, ...(options.package !== undefined ? { package: options.package } : {}) };
    // `diff -N` writes created and deleted files as changes from or to an empty file
    const [only] = patch.hunks;
    const creates = patch.oldPath === null || (!exists && patch.hunks.length === 1 && only!.oldStart === 0 && only!.oldCount === 0);
    const deletes = patch.newPath === null;
    if (creates && exists) throw applyError(`creates ${target}, which already exists`, where);
    if (!creates && !exists) throw applyError(`changes ${target}, which does not exist in the source`, where);
    if (exists && previous === undefined && !lstatSync(full).isFile()) throw applyError(`${target} is not a regular file`, where);
    const before = previous?.content ?? (exists ? readFileSync(full, "utf8") : "");
    const after = applyHunks(before, patch.hunks, where);
    if (deletes && after !== "") throw applyError(`deletes ${target}, but the file has more content than the patch removes`, where);
    results.set(target, { content: deletes ? null : after, ...(patch.newMode !== undefined ? { mode: patch.newMode } : {}) });
  }
  for (const [target, { content, mode }] of results) {
    const full = join(root, target);
    if (content === null) rmSync(full, { force: true });
    else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      if (mode !== undefined) chmodSync(full, mode & 0o777);
    }
    changed.push(target);
  }
  return changed;
}

interface Where {
  patchFile: string;
  line: number;
  target: string;
  package?: string;
}

function targetPath(patch: FilePatch, strip: number, patchFile: string, pkg: string | undefined): string {
  const raw = patch.newPath ?? patch.oldPath;
  if (raw === null) throw patchError("a file section whose old and new paths are both /dev/null", patchFile, patch.line, "check the patch", pkg);
  const parts = raw.split("/").filter((p) => p !== "");
  if (parts.length <= strip) throw patchError(`the path ${raw} has no component left after stripping ${strip}`, patchFile, patch.line, "patches are applied like patch -p1 (paths as a/… and b/…)", pkg);
  const rel = normalize(parts.slice(strip).join("/"));
  if (isAbsolute(raw) && strip === 0) throw patchError(`the path ${raw} is absolute`, patchFile, patch.line, "paths in a patch are relative to the source tree", pkg);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw patchError(`the path ${raw} leaves the source tree`, patchFile, patch.line, "paths in a patch are relative to the source tree", pkg);
  return rel;
}

/** The file's content with every hunk applied, in order; each may move, none may fuzz. */
export function applyHunks(content: string, hunks: readonly Hunk[], where: Where): string {
  const endsWithNewline = content === "" || content.endsWith("\n");
  const lines = content === "" ? [] : (endsWithNewline ? content.slice(0, -1) : content).split("\n");
  let newlineAtEnd = endsWithNewline;
  // how far the current text has moved from the numbering the hunk headers use
  let shift = 0;
  let floor = 0;
  for (const hunk of hunks) {
    const old = hunk.lines.filter((l) => l.op !== "+").map((l) => l.text);
    const add = hunk.lines.filter((l) => l.op !== "-").map((l) => l.text);
    // A pure insertion after line N has oldStart N; otherwise oldStart is the first old line.
    const expected = (old.length === 0 ? hunk.oldStart : hunk.oldStart - 1) + shift;
    const at = findBlock(lines, old, expected, floor);
    if (at === undefined) {
      const context = old.length === 0 ? "" : `; expected at line ${hunk.oldStart}: ${JSON.stringify(old[0]!.slice(0, 60))}`;
      throw applyError(`the hunk at patch line ${hunk.line} does not apply to ${where.target}${context}`, { ...where, line: hunk.line });
    }
    const touchesEnd = at + old.length === lines.length;
    lines.splice(at, old.length, ...add);
    if (touchesEnd) newlineAtEnd = !hunk.newNoNewline;
    shift += at - expected + (add.length - old.length);
    floor = at + add.length;
  }
  if (lines.length === 0) return "";
  return lines.join("\n") + (newlineAtEnd ? "\n" : "");
}

/** The index where `block` occurs in `lines` nearest to `expected`, at or after `floor`. */
function findBlock(lines: readonly string[], block: readonly string[], expected: number, floor: number): number | undefined {
  const matches = (at: number) => {
    if (at < floor || at + block.length > lines.length) return false;
    for (let k = 0; k < block.length; k++) if (lines[at + k] !== block[k]) return false;
    return true;
  };
  const start = Math.min(Math.max(expected, floor), lines.length);
  for (let delta = 0; start - delta >= floor || start + delta <= lines.length; delta++) {
    if (matches(start + delta)) return start + delta;
    if (delta > 0 && matches(start - delta)) return start - delta;
  }
  return undefined;
}

function applyError(message: string, where: Where): WheelwrightError {
  return patchError(message, where.patchFile, where.line, `the patch was made for another version of the source: remake it against this one (diff -u or git diff), or remove it from [tool.wheelwright.packages.${where.package ?? "NAME"}] patches`, where.package);
}

function patchError(message: string, file: string, line: number, hint: string, pkg?: string): WheelwrightError {
  return new WheelwrightError("ERR_WW_PATCH", message, { file, line, ...(pkg !== undefined ? { package: pkg } : {}), hint });
}
