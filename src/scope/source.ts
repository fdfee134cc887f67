/**
 * Where a package's files come from. Each kind has one builder (see ARCHITECTURE.md):
 * wheels are installed, sdists/trees are built with PEP 517 then installed, editables get a
 * `.pth` into the working tree, prebuilt distributions are adopted, virtual ones have no files.
 */

/** A fixed-output file: its store path depends only on `sha256` and `filename`. */
export interface FileRef {
  filename: string;
  /** Lowercase hex sha256 of the file's bytes. */
  sha256: string;
  size?: number;
  url?: string;
  /** A local path (absolute, or relative to the lock file's directory). */
  path?: string;
}

export type TreeRef =
  | { type: "directory"; path: string }
  | { type: "git"; url: string; commit: string; ref?: string; subdirectory?: string }
  | { type: "archive"; file: FileRef; subdirectory?: string };

export type Source =
  | { kind: "wheel"; file: FileRef }
  | { kind: "sdist"; file: FileRef }
  | { kind: "tree"; tree: TreeRef }
  | { kind: "editable"; path: string }
  | { kind: "prebuilt"; sitePackages: string; distInfo: string }
  | { kind: "virtual" };

export type SourceKind = Source["kind"];

/** Every distribution a lock offers for one package; a source is chosen from these. */
export interface Candidates {
  wheels: FileRef[];
  sdist?: FileRef;
}

/** A short, human description of a source for messages and `plan`. */
export function describeSource(source: Source): string {
  switch (source.kind) {
    case "wheel":
    case "sdist":
      return `${source.kind} ${source.file.filename}`;
    case "tree":
      if (source.tree.type === "directory") return `directory ${source.tree.path}`;
      if (source.tree.type === "git") return `git ${source.tree.url}@${source.tree.commit.slice(0, 12)}`;
      return `archive ${source.tree.file.filename}`;
    case "editable":
      return `editable ${source.path}`;
    case "prebuilt":
      return `prebuilt ${source.distInfo}`;
    case "virtual":
      return "virtual";
  }
}
