// `infuser-lab bench-model`: model-level speed and memory (model-bench.ts): prefill and cached decode
// tokens/s at a short and a long prefix beside onnxruntime-web (wasm) on the exported ONNX, and the peak
// GPU bytes of one training step. One JSON object per row on stdout, then a readable table.
import { describeGpu } from '../engine/device.ts';
import { formatBytes } from '../model/model-memory.ts';
import { BENCH_CASES, runModelBench, type BenchCase, type ModelBenchRow } from '../model/model-bench.ts';
import { parseFlags } from './args.ts';
import type { Command } from './command.ts';
import { printJson, withEngine } from './model-flags.ts';

const num = (x: number | null, digits = 1) => (x === null ? '—' : x.toFixed(digits));

function tableLine(r: ModelBenchRow): string {
  const head = `${r.case.padEnd(5)} ${r.kind.padEnd(10)}`;
  if (r.kind === 'prefill') {
    return `${head} prefix ${String(r.prefix).padStart(4)}  engine ${num(r.engineTokensPerS).padStart(9)} tok/s  ort ${num(r.ortTokensPerS).padStart(9)} tok/s  ratio ${num(r.ratio, 2)}`;
  }
  if (r.kind === 'decode') {
    return `${head} prefix ${String(r.prefix).padStart(4)}  engine ${num(r.engineTokensPerS).padStart(9)} tok/s (${num(r.engineMsPerToken, 2)} ms/tok)  ort ${num(r.ortTokensPerS).padStart(8)} tok/s (recomputes prefix)  ratio ${num(r.ratio, 2)}`;
  }
  return `${head} seq ${r.seq}  step ${num(r.stepMs, 0)} ms  peak live ${formatBytes(r.peakLiveBytes)}  peak allocated ${formatBytes(r.peakAllocatedBytes)}  estimate ${formatBytes(r.estimateBytes)}`;
}

export const benchModelCommand: Command = {
  name: 'bench-model',
  summary: 'benchmark prefill/decode tokens/s vs onnxruntime-web and training-step memory',
  help: `infuser-lab bench-model [--cases tiny,10m] [--prefixes 16,128] [--decode-steps 8] [--train-seq 64]
                         [--repeat 2] [--threads 1] [--no-ort]

For a tiny model (hidden 64, 2 layers, vocab 259) and a Llama-shaped ~10M-parameter model (hidden 256,
6 layers, vocab 8192), measures in one run:
  prefill     tokens/s of one cached forward over the prefix (last position's logits read back)
  decode      tokens/s of one-token cached forwards after the prefix (logits read back each step);
              the cost per token should stay flat as the prefix grows
  ort         onnxruntime-web (wasm) on the exported ONNX graph. The export has no key/value cache,
              so ORT's decode cost per token is a full forward over prefix + 1 tokens
  train_step  one forward + backward + AdamW step: time and peak GPU bytes (engine pool stats),
              beside the estimate the UI uses to refuse models that do not fit
Prints one JSON object per row, then a table.
`,
  async run(argv) {
    const flags = parseFlags(argv, {
      cases: 'string', prefixes: 'string', 'decode-steps': 'number', 'train-seq': 'number', repeat: 'number', threads: 'number', 'no-ort': 'boolean',
    }, 'bench-model');
    const cases = flags.cases === undefined ? undefined : String(flags.cases).split(',').map((s) => s.trim());
    for (const c of cases ?? []) if (!BENCH_CASES.includes(c as BenchCase)) throw new Error(`--cases: '${c}' is not one of ${BENCH_CASES.join(', ')}`);
    const prefixes = flags.prefixes === undefined ? undefined : String(flags.prefixes).split(',').map(Number);
    await withEngine(async (e) => {
      const rows = await runModelBench(e, {
        cases: cases as BenchCase[] | undefined,
        prefixes,
        decodeSteps: flags['decode-steps'] as number | undefined,
        trainSeq: flags['train-seq'] as number | undefined,
        repeat: flags.repeat as number | undefined,
        threads: flags.threads as number | undefined,
        ort: flags['no-ort'] !== true,
        onRow: printJson,
      });
      process.stdout.write(`\nadapter: ${describeGpu(e.gpu)}\n${rows.map(tableLine).join('\n')}\n`);
    });
  },
};
