// A small SVG line-chart writer for the bench results (no browser, no dependency): one or more series of
// (x, y) points on linear axes with ticks, a legend, and optionally a second y axis on the right for series
// of another unit (load next to replicas). Each bench writes its plot beside its JSON.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export interface Series {
  name: string;
  points: [number, number][];
  /** Plot against the right-hand axis. */
  right?: boolean;
  /** Draw as steps (a value holds until the next point), e.g. replica counts. */
  step?: boolean;
  dashed?: boolean;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  yRightLabel?: string;
  series: Series[];
  /** Log-scale x (e.g. graph counts 1 … 10,000). */
  logX?: boolean;
  width?: number;
  height?: number;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"];

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** About five round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Math.round(v / step) * step);
  return out;
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1000) return `${Math.round(v / 100) / 10}k`.replace(".0k", "k");
  return String(Math.round(v * 100) / 100);
}

function extent(values: number[], zero: boolean): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (zero) lo = Math.min(0, lo);
  if (hi === lo) hi = lo + 1;
  return [lo, hi];
}

export function renderChart(c: Chart): string {
  const W = c.width ?? 760;
  const H = c.height ?? 360;
  const m = { left: 60, right: c.yRightLabel ? 60 : 20, top: 36, bottom: 70 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]));
  const tx = (v: number) => (c.logX ? Math.log10(Math.max(v, 1e-9)) : v);
  const [x0, x1] = extent(xs.map(tx), false);
  const [l0, l1] = extent(c.series.filter((s) => !s.right).flatMap((s) => s.points.map((p) => p[1])), true);
  const [r0, r1] = extent(c.series.filter((s) => s.right).flatMap((s) => s.points.map((p) => p[1])), true);
  const X = (v: number) => m.left + ((tx(v) - x0) / (x1 - x0)) * pw;
  const Y = (v: number, right?: boolean) => {
    const [a, b] = right ? [r0, r1] : [l0, l1];
    return m.top + ph - ((v - a) / (b - a)) * ph;
  };
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${esc(c.title)}</text>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  const xTicks = c.logX ? ticks(x0, x1).filter(Number.isInteger).map((e) => 10 ** e) : ticks(x0, x1);
  for (const v of xTicks) {
    const x = X(v);
    out.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${m.top + ph + 14}" text-anchor="middle">${fmt(v)}</text>`);
  }
  for (const v of ticks(l0, l1)) {
    const y = Y(v);
    out.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${m.left - 6}" y="${y + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  if (c.yRightLabel) {
    for (const v of ticks(r0, r1)) out.push(`<text x="${m.left + pw + 6}" y="${Y(v, true) + 4}">${fmt(v)}</text>`);
    out.push(`<text transform="translate(${W - 14},${m.top + ph / 2}) rotate(90)" text-anchor="middle">${esc(c.yRightLabel)}</text>`);
  }
  out.push(`<text x="${m.left + pw / 2}" y="${m.top + ph + 32}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  out.push(`<text transform="translate(16,${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`);
  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = [...s.points].filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])).sort((a, b) => a[0] - b[0]);
    const coords: string[] = [];
    pts.forEach(([x, y], k) => {
      if (s.step && k > 0) coords.push(`${X(x).toFixed(1)},${Y(pts[k - 1]![1], s.right).toFixed(1)}`);
      coords.push(`${X(x).toFixed(1)},${Y(y, s.right).toFixed(1)}`);
    });
    const dash = s.dashed ? ` stroke-dasharray="5,3"` : "";
    if (coords.length > 0) out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5"${dash} points="${coords.join(" ")}"/>`);
    if (pts.length <= 12) for (const [x, y] of pts) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y, s.right).toFixed(1)}" r="2.5" fill="${color}"/>`);
    const lx = m.left + (i % 4) * (pw / 4);
    const ly = H - 18 + Math.floor(i / 4) * 14 - (c.series.length > 4 ? 10 : 0);
    out.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 18}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 22}" y="${ly}">${esc(s.name)}${s.right ? " (right)" : ""}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** Writes the chart to `path` (the bench's JSON path with .svg, by convention). */
export async function writeChart(path: string, chart: Chart): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderChart(chart));
  return path;
}
