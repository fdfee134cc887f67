// Markdown rendering and number formatting for bench reports.

/** A GitHub-flavoured markdown table; `align` per column: "l" or "r" (default "l"). */
export function markdownTable(header, rows, align = []) {
  const esc = (v) => String(v ?? "").replaceAll("|", "\\|");
  const line = (cells) => `| ${cells.map(esc).join(" | ")} |`;
  const rule = `|${header.map((_, i) => (align[i] === "r" ? "---:" : ":---")).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Milliseconds as "850 ms" / "12.3 s". */
export function formatMs(ms) {
  if (!Number.isFinite(ms)) return "–";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return "–";
  const units = ["B", "kB", "MB", "GB"];
  let i = 0;
  while (Math.abs(bytes) >= 1000 && i < units.length - 1) {
    bytes /= 1000;
    i++;
  }
  return `${i === 0 ? bytes : bytes.toFixed(1)} ${units[i]}`;
}

export function formatRatio(r) {
  if (!Number.isFinite(r)) return "–";
  return r >= 10 ? `${r.toFixed(0)}×` : r >= 0.1 ? `${r.toFixed(2)}×` : `${r.toFixed(3)}×`;
}
