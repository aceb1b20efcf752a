// Checks every autograd rule, and the whole-model loss gradient of all three architectures, against
// central finite differences in float64 (spec §11: 1e-6 absolute on CPU float64 paths).
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from './model-config.ts';
import { mulberry32, randomWeights, tinyModelConfig } from './random-model.ts';
import {
  add, causalSoftmax, concatCols, gather, logSoftmax, matmul, matmulT, mean, mul, pick, rmsnorm, rope, scale,
  silu, sliceCols, sliceRows, Tensor, tensor,
} from './reference-autograd.ts';
import { referenceLoss, referenceLossAndGrads, ropeTables } from './reference-model.ts';

const H_STEP = 1e-5;
const TOL = 1e-6;

function randomArray(n: number, rand: () => number): Float64Array {
  return Float64Array.from({ length: n }, () => 2 * rand() - 1);
}

/** Largest |analytic - central difference| over every entry of every input. */
function maxGradError(inputs: Float64Array[], f: (leaves: Tensor[]) => Tensor, shapes: number[][]): number {
  const leaves = inputs.map((x, i) => tensor(x, shapes[i]));
  f(leaves).backward();
  let worst = 0;
  inputs.forEach((x, i) => {
    for (let j = 0; j < x.length; j++) {
      const keep = x[j];
      x[j] = keep + H_STEP;
      const up = f(inputs.map((y, k) => tensor(y, shapes[k]))).data[0];
      x[j] = keep - H_STEP;
      const down = f(inputs.map((y, k) => tensor(y, shapes[k]))).data[0];
      x[j] = keep;
      const numeric = (up - down) / (2 * H_STEP);
      worst = Math.max(worst, Math.abs((leaves[i].grad?.[j] ?? 0) - numeric));
    }
  });
  return worst;
}

/** Reduces an op's output to a scalar with fixed random weights, so every output entry matters. */
function project(out: Tensor, seed: number): Tensor {
  return mean(mul(out, tensor(randomArray(out.size, mulberry32(seed)), out.shape)));
}

function checkOp(shapes: number[][], f: (x: Tensor[]) => Tensor, seed = 1): number {
  const rand = mulberry32(seed);
  const inputs = shapes.map((s) => randomArray(s.reduce((a, b) => a * b, 1), rand));
  return maxGradError(inputs, (x) => project(f(x), seed + 100), shapes);
}

describe('autograd rules agree with central finite differences (float64)', () => {
  const T = 4;
  const { cos, sin } = ropeTables(T, 6, 10);
  const cases: [string, number[][], (x: Tensor[]) => Tensor][] = [
    ['gather (repeated ids)', [[5, 3]], ([t]) => gather(t, [4, 0, 4, 2])],
    ['matmul', [[3, 4], [4, 5]], ([a, b]) => matmul(a, b)],
    ['matmulT', [[3, 4], [5, 4]], ([a, b]) => matmulT(a, b)],
    ['add same shape', [[3, 4], [3, 4]], ([a, b]) => add(a, b)],
    ['add row bias', [[3, 4], [4]], ([a, b]) => add(a, b)],
    ['mul', [[3, 4], [3, 4]], ([a, b]) => mul(a, b)],
    ['scale', [[3, 4]], ([a]) => scale(a, -0.7)],
    ['rmsnorm', [[3, 5], [5]], ([x, w]) => rmsnorm(x, w, 1e-6)],
    ['rope', [[T, 6]], ([x]) => rope(x, cos, sin)],
    ['sliceCols', [[3, 6]], ([x]) => sliceCols(x, 2, 3)],
    ['sliceRows', [[5, 3]], ([x]) => sliceRows(x, 1, 3)],
    ['concatCols', [[3, 2], [3, 4]], ([a, b]) => concatCols([a, b, a])],
    ['causalSoftmax', [[T, T]], ([s]) => causalSoftmax(s)],
    ['silu', [[3, 4]], ([x]) => silu(scale(x, 3))],
    ['logSoftmax', [[3, 5]], ([x]) => logSoftmax(scale(x, 2))],
    ['pick', [[3, 5]], ([x]) => pick(x, [4, 0, 2])],
    ['mean', [[3, 5]], ([x]) => mean(x)],
  ];
  for (const [name, shapes, f] of cases) {
    it(`${name}: max gradient error below 1e-6`, () => {
      expect(checkOp(shapes, f)).toBeLessThan(TOL);
    });
  }
});

describe('autograd forward values match worked numbers', () => {
  it('rmsnorm([3, 4], w = [1, 2], eps 0) = [3, 8] / sqrt(12.5)', () => {
    const y = rmsnorm(tensor(Float64Array.of(3, 4), [1, 2]), tensor(Float64Array.of(1, 2), [2]), 0);
    expect(y.data[0]).toBeCloseTo(3 / Math.sqrt(12.5), 12);
    expect(y.data[1]).toBeCloseTo(8 / Math.sqrt(12.5), 12);
  });

  it('causalSoftmax: row 0 is [1, 0], row 1 is softmax([0, ln 3]) = [0.25, 0.75]', () => {
    const p = causalSoftmax(tensor(Float64Array.of(5, -9, 0, Math.log(3)), [2, 2]));
    expect([...p.data].map((v) => +v.toFixed(12))).toEqual([1, 0, 0.25, 0.75]);
  });

  it('logSoftmax of equal logits is -ln N', () => {
    const y = logSoftmax(tensor(new Float64Array(6).fill(2.5), [2, 3]));
    for (const v of y.data) expect(v).toBeCloseTo(-Math.log(3), 12);
  });

  it('silu(1) = 1 / (1 + e^-1) = 0.7310585786', () => {
    expect(silu(tensor(Float64Array.of(1), [1])).data[0]).toBeCloseTo(0.7310585786300049, 12);
  });
});

/** Float64 copies of the weights, so finite differences perturb exactly what the loss reads. */
function float64Weights(cfg: ModelConfig, seed: number): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const [name, w] of randomWeights(cfg, seed, 0.4)) out.set(name, Float64Array.from(w));
  return out;
}

function modelGradError(cfg: ModelConfig, ids: number[]): { worst: number; largest: number } {
  const weights = float64Weights(cfg, 11);
  const { grads } = referenceLossAndGrads(cfg, weights, ids);
  let worst = 0;
  let largest = 0;
  for (const [name, w] of weights) {
    const g = grads.get(name);
    if (!g) throw new Error(`no gradient for ${name}`);
    for (let j = 0; j < w.length; j++) {
      const keep = w[j];
      w[j] = keep + H_STEP;
      const up = referenceLoss(cfg, weights, ids);
      w[j] = keep - H_STEP;
      const down = referenceLoss(cfg, weights, ids);
      w[j] = keep;
      worst = Math.max(worst, Math.abs(g[j] - (up - down) / (2 * H_STEP)));
      largest = Math.max(largest, Math.abs(g[j]));
    }
  }
  return { worst, largest };
}

describe('whole-model loss gradient agrees with finite differences on every parameter', () => {
  const small = { vocabSize: 11, hiddenSize: 8, intermediateSize: 12 };
  const ids = [3, 7, 1, 7, 10, 0];
  const models: [string, ModelConfig][] = [
    ['Llama GQA untied', tinyModelConfig('LlamaForCausalLM', { ...small, headDim: 2, ropeTheta: 10 })],
    ['Qwen2 bias tied', tinyModelConfig('Qwen2ForCausalLM', { ...small, headDim: 2, ropeTheta: 10 })],
    ['Qwen3 q/k norm, head_dim 4', tinyModelConfig('Qwen3ForCausalLM', { ...small, ropeTheta: 10 })],
  ];
  for (const [label, cfg] of models) {
    it(`${label}: max error below 1e-6 on gradients up to ≥ 1e-2`, () => {
      const { worst, largest } = modelGradError(cfg, ids);
      expect(largest).toBeGreaterThan(1e-2);
      expect(worst).toBeLessThan(TOL);
    });
  }
});
