// The heatmaps' colour scale: diverging, centred on zero, with a limit taken from a fixed ladder
// (1, 3 × 10^k) so colours keep their meaning as a run grows; the limit only steps up. Negative scores are
// red, positive blue, zero near-white (ColorBrewer RdBu). Called by InfluenceHeatmap, LayerHeatmap, Legend.

export type Rgb = readonly [number, number, number];

const NEGATIVE: Rgb = [178, 24, 43];
const ZERO: Rgb = [247, 247, 247];
const POSITIVE: Rgb = [33, 102, 172];
/** Cells with questions but no score (all invalid or degenerate). */
export const NO_SCORE: Rgb = [214, 218, 224];

/** Smallest 1·10^k or 3·10^k at or above `maxAbs` (1e-6 for an all-zero grid). */
export function scaleLimit(maxAbs: number): number {
  if (!(maxAbs > 1e-6)) return 1e-6;
  const k = Math.floor(Math.log10(maxAbs));
  for (const candidate of [10 ** k, 3 * 10 ** k, 10 ** (k + 1)]) {
    // Round the candidate to kill float noise such as 3 * 1e-3 = 0.0030000000000000005.
    const clean = Number(candidate.toPrecision(6));
    if (clean >= maxAbs) return clean;
  }
  return Number((10 ** (k + 1)).toPrecision(6));
}

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [
  Math.round(a[0] + (b[0] - a[0]) * t),
  Math.round(a[1] + (b[1] - a[1]) * t),
  Math.round(a[2] + (b[2] - a[2]) * t),
];

/** Colour of `value` on the scale ±limit; values beyond the limit clamp to the end colours. */
export function divergingColor(value: number, limit: number): Rgb {
  const t = Math.max(-1, Math.min(1, value / limit));
  return t < 0 ? mix(ZERO, NEGATIVE, -t) : mix(ZERO, POSITIVE, t);
}

export const cssColor = (rgb: Rgb): string => `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;

/** Short number for axes and tooltips. */
export function formatScore(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 0.01 && abs < 1000 ? value.toFixed(3).replace(/\.?0+$/, '') : value.toExponential(2);
}
