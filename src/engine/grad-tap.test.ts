import { describe, expect, it } from 'vitest';
import type { GradContribution } from './grad-tap.ts';
import { embedding, uploadIds } from './ops/embedding.ts';
import { matmul } from './ops/matmul.ts';
import { rmsnorm } from './ops/rmsnorm.ts';
import { sum } from './ops/reduce.ts';
import { add, mul } from './ops/elementwise.ts';
import type { Engine } from './engine.ts';
import type { Tensor } from './tensor.ts';
import { asF32, assertClose, randn, testEngine } from './testing.ts';

// A row-wise chain over R tokens: embedding [V, C] → rmsnorm (w [C]) → x · W1ᵀ (W1 [N, C]) + b [N] → · W2 (W2 [N, M]),
// loss = Σ up ⊙ y. Examples are groups of rows; each example's gradient is the sum of its rows'.
const V = 11, C = 6, N = 5, M = 3;
const IDS = [3, 0, 7, 3, 10, 2, 7];
const EXAMPLES = [[0, 3], [3, 7]]; // row ranges

function setup(e: Engine) {
  const table = e.keep(e.fromArray(asF32(randn(V * C, 1)), [V, C], 'table'));
  const w = e.keep(e.fromArray(asF32(randn(C, 2).map((v) => 1 + 0.3 * v)), [C], 'w'));
  const w1 = e.keep(e.fromArray(asF32(randn(N * C, 3)), [N, C], 'W1'));
  const w2 = e.keep(e.fromArray(asF32(randn(N * M, 4)), [N, M], 'W2'));
  const b = e.keep(e.fromArray(asF32(randn(N, 6)), [N], 'b'));
  for (const p of [table, w, w1, w2, b]) p.requiresGrad = true;
  return [table, w, w1, w2, b];
}

function lossOn(e: Engine, params: Tensor[], ids: number[], up: Float64Array): void {
  const [table, w, w1, w2, b] = params;
  e.tidy(() => {
    const x = rmsnorm(embedding(table, uploadIds(e, ids)), w, 1e-6);
    const y = matmul(add(matmul(x, w1, { transB: true }), b), w2);
    e.tape.backward(sum(mul(y, e.fromArray(up, [ids.length, M]))));
  });
}

/** Σ over rows lo..hi of one contribution, on the CPU. */
function rowSum(c: { kind: string; a: Float32Array; b: Float32Array; ids?: number[] }, shape: number[], lo: number, hi: number): Float64Array {
  const out = new Float64Array(shape.reduce((p, d) => p * d, 1));
  const cols = shape[shape.length - 1];
  for (let r = lo; r < hi; r++) {
    if (c.kind === 'outer') {
      const P = shape[0];
      for (let i = 0; i < P; i++) for (let j = 0; j < cols; j++) out[i * cols + j] += c.a[r * P + i] * c.b[r * cols + j];
    } else if (c.kind === 'gather') {
      for (let j = 0; j < cols; j++) out[c.ids![r] * cols + j] += c.a[r * cols + j];
    } else if (c.kind === 'scale') {
      for (let j = 0; j < cols; j++) out[j] += c.a[r * cols + j] * c.b[r * cols + j];
    } else {
      for (let j = 0; j < cols; j++) out[j] += c.a[r * cols + j];
    }
  }
  return out;
}

describe('gradient taps', () => {
  it('per-row contributions add up to each example\'s own gradient, for outer, gather, scale and bias weights', async () => {
    const e = await testEngine();
    const params = setup(e);
    const up = asF32(randn(IDS.length * M, 5));
    // reference: each example's gradient from its own backward
    const expected: Float32Array[][] = [];
    for (const [lo, hi] of EXAMPLES) {
      params.forEach((p) => { p.grad?.dispose(); p.grad = null; });
      lossOn(e, params, IDS.slice(lo, hi), up.slice(lo * M, hi * M));
      expected.push(await e.readMany(params.map((p) => p.grad!)));
    }
    params.forEach((p) => { p.grad?.dispose(); p.grad = null; });

    const kept: { param: number; kind: GradContribution['kind']; a: Tensor; b: Tensor | null; ids?: number[] }[] = [];
    const copy = (t: Tensor) => {
      const c = e.keep(e.empty(t.shape, 'tap copy'));
      e.copy(t, c);
      return c;
    };
    params.forEach((p, i) => {
      p.gradTap = (c) => {
        if (c.kind === 'outer') kept.push({ param: i, kind: c.kind, a: copy(c.left), b: copy(c.right) });
        else if (c.kind === 'gather') kept.push({ param: i, kind: c.kind, a: copy(c.dOut), b: null, ids: IDS });
        else if (c.kind === 'scale') kept.push({ param: i, kind: c.kind, a: copy(c.dOut), b: copy(c.normalized) });
        else kept.push({ param: i, kind: c.kind, a: copy(c.dOut), b: null });
      };
    });
    lossOn(e, params, IDS, up);
    expect(params.map((p) => p.grad)).toEqual([null, null, null, null, null]);
    expect(kept.map((k) => `${k.param}:${k.kind}`).sort()).toEqual(['0:gather', '1:scale', '2:outer', '3:outer', '4:bias']);
    for (const k of kept) {
      const a = await e.read(k.a);
      const b = k.b ? await e.read(k.b) : new Float32Array(0);
      const shape = [...params[k.param].shape];
      EXAMPLES.forEach(([lo, hi], x) => {
        assertClose(rowSum({ kind: k.kind, a, b, ids: k.ids }, shape, lo, hi), expected[x][k.param], { rtol: 1e-4, atol: 1e-5 }, `${params[k.param].name} example ${x}`);
      });
    }
    kept.forEach((k) => { k.a.dispose(); k.b?.dispose(); });
    params.forEach((p) => p.dispose());
  });

  it('refuses a tap on a transposed-input matmul', async () => {
    const e = await testEngine();
    const w = e.keep(e.fromArray(asF32(randn(6, 9)), [3, 2], 'W'));
    w.requiresGrad = true;
    w.gradTap = () => {};
    expect(() =>
      e.tidy(() => {
        const x = e.fromArray(asF32(randn(6, 8)), [3, 2]);
        x.requiresGrad = true;
        e.tape.backward(sum(matmul(x, w, { transA: true })));
      }),
    ).toThrow(/gradient tap on W/);
    w.dispose();
  });
});
