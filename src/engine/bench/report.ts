// Rows the bench CLI measures and the readable table it prints after the JSON lines: one line per
// size and layout, GFLOP/s per variant, onnxruntime-web's GFLOP/s and our best / theirs.

export const LAYOUTS = ['nn', 'nt', 'tn', 'tt'] as const;
/** Which operands are used transposed: 'nt' = A · Bᵀ (the linear layer). */
export type Layout = (typeof LAYOUTS)[number];

export interface BenchRow {
  impl: 'webgpu' | 'onnxruntime-web';
  variant: string;
  layout: Layout;
  n: number;
  ms: number;
  gflops: number;
  repeat: number;
  method: string;
  /** Pool bytes held at the peak of this case (webgpu only). */
  peakLiveBytes?: number;
}

const pad = (s: string, w: number): string => s.padStart(w);

/** One line per size and layout: GFLOP/s per variant, onnxruntime-web, best / ort, peak pool MiB. */
export function formatTable(rows: BenchRow[], variants: readonly string[]): string {
  const head = ['size', 'layout', ...variants.map((v) => `${v} GF/s`), 'ort GF/s', 'best/ort', 'peak MiB'];
  const lines = [head];
  const keys = [...new Set(rows.map((r) => `${r.n} ${r.layout}`))];
  for (const key of keys) {
    const group = rows.filter((r) => `${r.n} ${r.layout}` === key);
    const ours = group.filter((r) => r.impl === 'webgpu');
    const ort = group.find((r) => r.impl === 'onnxruntime-web');
    const best = Math.max(...ours.map((r) => r.gflops));
    const peak = Math.max(0, ...ours.map((r) => r.peakLiveBytes ?? 0));
    lines.push([
      String(group[0].n),
      group[0].layout,
      ...variants.map((v) => ours.find((r) => r.variant === v)?.gflops.toFixed(2) ?? '-'),
      ort ? ort.gflops.toFixed(2) : '-',
      ort && ours.length ? `${(best / ort.gflops).toFixed(2)}x` : '-',
      ours.length ? (peak / 2 ** 20).toFixed(2) : '-',
    ]);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((s, i) => pad(s, widths[i])).join('  ')).join('\n');
}
