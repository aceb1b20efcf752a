// The diverging scale's legend: a gradient from −limit through 0 to +limit, plus the "no score" swatch.
import { cssColor, divergingColor, formatScore, NO_SCORE } from '../plot/diverging-scale.ts';

export function Legend({ limit, caption }: { limit: number; caption: string }) {
  const stops = [-1, -0.5, 0, 0.5, 1].map((t) => `${cssColor(divergingColor(t * limit, limit))} ${(t + 1) * 50}%`);
  return (
    <div className="legend" aria-hidden="true">
      <span>{formatScore(-limit)}</span>
      <span className="ramp" style={{ background: `linear-gradient(to right, ${stops.join(', ')})` }} />
      <span>+{formatScore(limit)}</span>
      <span className="caption">{caption}</span>
      <span className="swatch" style={{ background: cssColor(NO_SCORE) }} /> <span>no score</span>
    </div>
  );
}
