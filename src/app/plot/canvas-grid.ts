// Draws a grid of values on a canvas with the diverging scale, one rectangle per cell, scaled for the
// device pixel ratio. Missing cells stay transparent; cells without a score get the NO_SCORE grey.
// Called by InfluenceHeatmap and LayerHeatmap; axes and tooltips are DOM, drawn by the panels.
import { divergingColor, NO_SCORE, type Rgb } from './diverging-scale.ts';

export interface CanvasGridSpec {
  rows: number;
  columns: number;
  cellWidthPx: number;
  cellHeightPx: number;
  /** undefined = no cell, null = a cell without a score. */
  valueAt: (row: number, column: number) => number | null | undefined;
  limit: number;
}

const fill = (rgb: Rgb): string => `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;

export function drawGrid(canvas: HTMLCanvasElement, spec: CanvasGridSpec): void {
  const ratio = globalThis.devicePixelRatio || 1;
  const widthPx = spec.columns * spec.cellWidthPx;
  const heightPx = spec.rows * spec.cellHeightPx;
  canvas.width = Math.max(1, Math.round(widthPx * ratio));
  canvas.height = Math.max(1, Math.round(heightPx * ratio));
  canvas.style.width = `${widthPx}px`;
  canvas.style.height = `${heightPx}px`;
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, widthPx, heightPx);
  for (let r = 0; r < spec.rows; r++) {
    for (let c = 0; c < spec.columns; c++) {
      const value = spec.valueAt(r, c);
      if (value === undefined) continue;
      ctx.fillStyle = fill(value === null ? NO_SCORE : divergingColor(value, spec.limit));
      // A 1px gap keeps neighbouring cells apart at small sizes.
      ctx.fillRect(c * spec.cellWidthPx, r * spec.cellHeightPx, spec.cellWidthPx - 1, spec.cellHeightPx - 1);
    }
  }
}
