// Scales and SVG path data for the line charts (Curves): linear scales over shared domains, so runs
// compared on one chart share axes, and "nice" tick values.
import type { CurvePoint } from '../stores/runs.ts';

export interface Domain { min: number; max: number }

/** The domain covering every series, widened when flat; `fixed` wins when given (e.g. [0, 1] for rates). */
export function domainOf(series: readonly (readonly number[])[], fixed?: Domain): Domain {
  if (fixed !== undefined) return fixed;
  let min = Infinity;
  let max = -Infinity;
  for (const values of series) for (const v of values) { min = Math.min(min, v); max = Math.max(max, v); }
  if (!Number.isFinite(min)) return { min: 0, max: 1 };
  if (min === max) return { min: min - (Math.abs(min) || 1) * 0.5, max: max + (Math.abs(max) || 1) * 0.5 };
  const pad = (max - min) * 0.05;
  return { min: min - pad, max: max + pad };
}

export const scale = (d: Domain, fromPx: number, toPx: number) => (v: number): number =>
  fromPx + ((v - d.min) / (d.max - d.min)) * (toPx - fromPx);

/** `M x y L x y …` for points in data units. */
export function linePath(points: readonly CurvePoint[], sx: (v: number) => number, sy: (v: number) => number): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)} ${sy(p.y).toFixed(1)}`).join(' ');
}

/** About `count` round tick values spanning the domain (steps of 1, 2 or 5 × 10^k). */
export function ticks(d: Domain, count = 4): number[] {
  const raw = (d.max - d.min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.ceil(d.min / step) * step; v <= d.max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Tick label: at most 3 significant digits, no exponent for ordinary magnitudes. */
export function formatTick(value: number): string {
  return String(Number(value.toPrecision(3)));
}
