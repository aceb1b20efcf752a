// The attention and model sections `infuser-lab bench --attention / --model / --all` appends to the
// matmul bench: each runs its bench on the given engine (engine/bench/attention-bench.ts,
// model/model-bench.ts), prints one JSON object per row as it arrives and returns a readable table.
import type { Engine } from '../engine/engine.ts';
import { runAttentionBench, type AttentionBenchCase, type AttentionBenchRow } from '../engine/bench/attention-bench.ts';
import { runModelBench, type BenchCase, type ModelBenchRow } from '../model/model-bench.ts';

const fixed = (x: number | null, digits: number): string => (x === null ? '-' : x.toFixed(digits));

/** Right-aligned columns, one line per row. */
export function alignRows(lines: string[][]): string {
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((s, i) => s.padStart(widths[i])).join('  ')).join('\n');
}

export function attentionTable(rows: AttentionBenchRow[]): string {
  const head = ['variant', 'pass', 'T', 'Hq', 'Hkv', 'D', 'ms', 'cpu ms', 'GF/s', 'repeat'];
  return alignRows([
    head,
    ...rows.map((r) => [
      r.variant, r.pass, String(r.T), String(r.Hq), String(r.Hkv), String(r.D),
      fixed(r.ms, 2), fixed(r.cpuMs, 1), fixed(r.gflops, 3), String(r.repeat),
    ]),
  ]);
}

function modelCells(r: ModelBenchRow): string[] {
  if (r.kind === 'train_step') {
    const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
    return [r.case, r.kind, `seq ${r.seq}`, `${fixed(r.stepMs, 0)} ms/step`, '-', '-', `peak ${mib(r.peakAllocatedBytes)} MiB (est. ${mib(r.estimateBytes)})`];
  }
  return [r.case, r.kind, `prefix ${r.prefix}`, fixed(r.engineTokensPerS, 1), fixed(r.ortTokensPerS, 1), r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`, ''];
}

export function modelTable(rows: ModelBenchRow[]): string {
  return alignRows([['case', 'kind', 'shape', 'engine tok/s', 'ort wasm tok/s', 'ratio', 'memory'], ...rows.map(modelCells)]);
}

export interface SectionOptions {
  repeat: number;
  budgetMs: number;
  /** ORT beside the model bench (wasm threads as given). */
  ort: boolean;
  threads: number;
  print: (json: unknown) => void;
}

/** Attention cases the default bench run times: the lab's tiny heads and SmolLM2-135M's at T 64 / 256. */
export const SECTION_ATTENTION_CASES: AttentionBenchCase[] = [
  { T: 64, Hq: 4, Hkv: 2, D: 8 },
  { T: 256, Hq: 4, Hkv: 2, D: 8 },
  { T: 64, Hq: 9, Hkv: 3, D: 64 },
  { T: 256, Hq: 9, Hkv: 3, D: 64 },
];

export async function attentionSection(e: Engine, o: SectionOptions, cases = SECTION_ATTENTION_CASES): Promise<string> {
  const rows = await runAttentionBench({ engine: e, cases, repeat: o.repeat, budgetMs: o.budgetMs });
  for (const r of rows) o.print({ bench: 'attention', ...r });
  return `attention (causal GQA, forward and backward)\n${attentionTable(rows)}`;
}

export async function modelSection(e: Engine, o: SectionOptions, cases?: readonly BenchCase[]): Promise<string> {
  const rows = await runModelBench(e, { cases, ort: o.ort, threads: o.threads, onRow: o.print });
  return `model (prefill, cached decode, one training step; ort = onnxruntime-web wasm on the ONNX export)\n${modelTable(rows)}`;
}
