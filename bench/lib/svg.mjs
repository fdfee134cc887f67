// A dependency-free SVG chart: horizontal grouped bars (one group per cell, one bar per tool)
// with min–max whiskers, on a log-scale axis so that a 50 ms no-op and a 60 s cold install
// are both readable in one picture.

const PALETTE = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#c53030", "#718096"];
const esc = (s) => String(s).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/**
 * groups: [{ label, bars: [{ series, median, min?, max? }] }] (values in ms).
 * Returns the SVG document as a string.
 */
export function barChartSvg({ title, groups, unit = "ms", width = 900 }) {
  const series = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const color = (s) => PALETTE[series.indexOf(s) % PALETTE.length];
  const values = groups.flatMap((g) => g.bars.flatMap((b) => [b.min ?? b.median, b.max ?? b.median, b.median])).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const left = 190;
  const right = 90;
  const top = 48;
  const barH = 14;
  const gap = 12;
  const plotW = width - left - right;
  const x = (v) => left + (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * plotW;
  const groupH = (g) => g.bars.length * barH + gap;
  const plotH = groups.reduce((h, g) => h + groupH(g), 0);
  const height = top + plotH + 60;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  // decade grid lines with labels
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const gx = x(d).toFixed(1);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + plotH}" stroke="#ddd"/>`);
    const label = unit === "ms" ? (d >= 1000 ? `${d / 1000} s` : `${d} ms`) : `${d} ${unit}`;
    out.push(`<text x="${gx}" y="${top + plotH + 16}" text-anchor="middle" fill="#555">${esc(label)}</text>`);
  }
  let y = top;
  for (const g of groups) {
    out.push(`<text x="${left - 8}" y="${(y + (g.bars.length * barH) / 2 + 4).toFixed(1)}" text-anchor="end">${esc(g.label)}</text>`);
    for (const b of g.bars) {
      const w = Math.max(1, x(b.median) - left);
      out.push(`<rect x="${left}" y="${y + 1}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${color(b.series)}"><title>${esc(`${b.series}: ${b.median.toFixed(0)} ${unit}`)}</title></rect>`);
      if (b.min !== undefined && b.max !== undefined) {
        const cy = (y + barH / 2).toFixed(1);
        out.push(`<line x1="${x(b.min).toFixed(1)}" y1="${cy}" x2="${x(b.max).toFixed(1)}" y2="${cy}" stroke="#222"/>`);
      }
      const text = b.median >= 1000 ? `${(b.median / 1000).toFixed(2)} s` : `${Math.round(b.median)} ms`;
      out.push(`<text x="${(Math.max(x(b.median), b.max ? x(b.max) : 0) + 4).toFixed(1)}" y="${y + barH - 3}" fill="#333" font-size="10">${esc(text)}</text>`);
      y += barH;
    }
    y += gap;
  }
  // legend
  let lx = left;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="${height - 24}" width="12" height="12" fill="${color(s)}"/>`);
    out.push(`<text x="${lx + 16}" y="${height - 14}">${esc(s)}</text>`);
    lx += 24 + s.length * 7;
  }
  out.push(`<text x="${width - 8}" y="${height - 14}" text-anchor="end" fill="#777" font-size="10">bar = median, whisker = min–max, log scale</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}
