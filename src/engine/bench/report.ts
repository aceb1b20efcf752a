// Rows the bench measures (node or page) and the readable table printed after the JSON lines: one line
// per size and layout, GFLOP/s per variant and per onnxruntime-web provider, our best / theirs.

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
  /** onnxruntime-web only: whether operands were copied in and out each run ('cpu') or stayed on the GPU. */
  io?: 'cpu' | 'gpu-buffer';
  /** Pool bytes held at the peak of this case (webgpu only). */
  peakLiveBytes?: number;
}

const pad = (s: string, w: number): string => s.padStart(w);

export interface TableOptions {
  /** The onnxruntime-web variant the ratios divide by (default: the first one in the rows). */
  reference?: string;
  /** The variant the engine selected (autotune); adds a "<selected>/ort" column. */
  selected?: string;
}

/** Distinct onnxruntime-web variants ('wasm x2', 'webgpu') in the order they were measured. */
const peerVariants = (rows: BenchRow[]): string[] => [...new Set(rows.filter((r) => r.impl === 'onnxruntime-web').map((r) => r.variant))];

/**
 * One line per size and layout: GFLOP/s per variant, per onnxruntime-web provider, our best and the
 * selected variant over the reference provider, and the pool's peak MiB of the case.
 */
export function formatTable(rows: BenchRow[], variants: readonly string[], opts: TableOptions = {}): string {
  const peers = peerVariants(rows);
  // No ratio columns when the reference provider was not measured (e.g. --no-ort).
  const ref = [opts.reference ?? peers[0]].find((p) => p !== undefined && peers.includes(p));
  const sel = opts.selected;
  const head = [
    'size', 'layout', ...variants.map((v) => `${v} GF/s`), ...peers.map((p) => `ort ${p} GF/s`),
    ...(ref ? ['best/ort'] : []), ...(ref && sel ? [`${sel}/ort`] : []), 'peak MiB',
  ];
  const lines = [head];
  const ratio = (x: number | undefined, y: number | undefined): string => (x && y ? `${(x / y).toFixed(2)}x` : '-');
  for (const key of [...new Set(rows.map((r) => `${r.n} ${r.layout}`))]) {
    const group = rows.filter((r) => `${r.n} ${r.layout}` === key);
    const ours = group.filter((r) => r.impl === 'webgpu');
    const theirs = (v: string): BenchRow | undefined => group.find((r) => r.impl === 'onnxruntime-web' && r.variant === v);
    const best = ours.length ? Math.max(...ours.map((r) => r.gflops)) : undefined;
    const refGflops = ref ? theirs(ref)?.gflops : undefined;
    const peak = Math.max(0, ...ours.map((r) => r.peakLiveBytes ?? 0));
    lines.push([
      String(group[0].n),
      group[0].layout,
      ...variants.map((v) => ours.find((r) => r.variant === v)?.gflops.toFixed(2) ?? '-'),
      ...peers.map((p) => theirs(p)?.gflops.toFixed(2) ?? '-'),
      ...(ref ? [ratio(best, refGflops)] : []),
      ...(ref && sel ? [ratio(ours.find((r) => r.variant === sel)?.gflops, refGflops)] : []),
      ours.length ? (peak / 2 ** 20).toFixed(2) : '-',
    ]);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((s, i) => pad(s, widths[i])).join('  ')).join('\n');
}
