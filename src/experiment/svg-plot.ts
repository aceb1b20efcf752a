// A small SVG line chart: one mean line per series with a ±std band, integer x ticks, "nice" y ticks,
// axis labels and a legend. Plain strings, no DOM, so node scripts and tests can write it.
import { categoryColor } from '../app/plot/palette.ts';

export interface SeriesPoint {
  x: number;
  mean: number;
  std: number;
}

export interface Series {
  label: string;
  points: SeriesPoint[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Dashed horizontal reference lines, e.g. chance level; they widen the y range to include them. */
  guides?: { y: number; label: string }[];
  width?: number;
  height?: number;
}

const MARGIN = { left: 64, right: 180, top: 40, bottom: 52 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number) => Number(v.toFixed(2)).toString();

/** A tick step of 1, 2 or 5 × 10^k giving about `target` intervals over `span`. */
export function niceStep(span: number, target = 5): number {
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

interface Frame { x0: number; x1: number; y0: number; y1: number; step: number }

function frameOf(series: readonly Series[], guides: readonly number[]): Frame {
  const pts = series.flatMap((s) => s.points);
  if (pts.length === 0) return { x0: 0, x1: 1, y0: 0, y1: 1, step: 0.2 };
  const xs = pts.map((p) => p.x);
  let lo = Math.min(...pts.map((p) => p.mean - p.std), ...guides);
  let hi = Math.max(...pts.map((p) => p.mean + p.std), ...guides);
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.05, hi + 0.05];
  const step = niceStep(hi - lo);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  return { x0, x1: x1 > x0 ? x1 : x0 + 1, y0: Math.floor(lo / step) * step, y1: Math.ceil(hi / step) * step, step };
}

export function lineChartSvg(o: ChartOptions): string {
  const width = o.width ?? 720;
  const height = o.height ?? 420;
  const guides = o.guides ?? [];
  const f = frameOf(o.series, guides.map((g) => g.y));
  const pw = width - MARGIN.left - MARGIN.right;
  const ph = height - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - f.x0) / (f.x1 - f.x0)) * pw;
  const sy = (y: number) => MARGIN.top + (1 - (y - f.y0) / (f.y1 - f.y0)) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(o.title)}</text>`,
  ];
  for (let y = f.y0; y <= f.y1 + f.step / 2; y += f.step) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + pw}" y1="${fmt(sy(y))}" y2="${fmt(sy(y))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${fmt(sy(y) + 4)}" text-anchor="end">${Number(y.toFixed(4))}</text>`);
  }
  const xStep = Math.max(1, Math.ceil((f.x1 - f.x0) / 10));
  for (let x = f.x0; x <= f.x1; x += xStep) {
    parts.push(`<line x1="${fmt(sx(x))}" x2="${fmt(sx(x))}" y1="${MARGIN.top + ph}" y2="${MARGIN.top + ph + 5}" stroke="#333"/>`);
    parts.push(`<text x="${fmt(sx(x))}" y="${MARGIN.top + ph + 18}" text-anchor="middle">${x}</text>`);
  }
  for (const g of guides) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + pw}" y1="${fmt(sy(g.y))}" y2="${fmt(sy(g.y))}" stroke="#888" stroke-dasharray="5 4"/>`);
    parts.push(`<text x="${MARGIN.left + pw - 4}" y="${fmt(sy(g.y) - 4)}" text-anchor="end" fill="#666">${escapeXml(g.label)}</text>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${MARGIN.left + pw / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${MARGIN.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  o.series.forEach((s, i) => parts.push(...seriesSvg(s, categoryColor(i), sx, sy), ...legendSvg(s.label, categoryColor(i), i, MARGIN.left + pw + 16)));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function seriesSvg(s: Series, color: string, sx: (x: number) => number, sy: (y: number) => number): string[] {
  if (s.points.length === 0) return [];
  const pts = [...s.points].sort((a, b) => a.x - b.x);
  const upper = pts.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.mean + p.std))}`);
  const lower = pts.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.mean - p.std))}`).reverse();
  const line = pts.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.mean))}`).join(' ');
  const label = escapeXml(s.label);
  return [
    `<polygon points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.15" stroke="none"><title>${label} ± std</title></polygon>`,
    `<polyline points="${line}" fill="none" stroke="${color}" stroke-width="2"><title>${label}</title></polyline>`,
    ...pts.map((p) => `<circle cx="${fmt(sx(p.x))}" cy="${fmt(sy(p.mean))}" r="2.5" fill="${color}"/>`),
  ];
}

function legendSvg(label: string, color: string, index: number, x: number): string[] {
  const y = MARGIN.top + 10 + index * 20;
  return [
    `<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"/>`,
    `<text x="${x + 28}" y="${y + 4}">${escapeXml(label)}</text>`,
  ];
}
