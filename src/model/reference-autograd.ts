// A float64 reverse-mode autograd over row-major arrays, micrograd-style: each op computes its output
// and records a closure that pushes the output's gradient into its inputs. reference-model.ts builds the
// Llama/Qwen forward from these ops; tests check every rule against central finite differences.
// Invariants: gradients are Float64Array and always accumulate (+=), so a tensor used twice (tied
// embeddings, residual stream) sums its contributions; leaves may hold Float32Array data, read exactly.
// Shapes are 2-D [rows, cols] (a [N] vector is [1, N] where it matters); constants carry no gradient.

export type Floats = Float64Array | Float32Array;

export class Tensor {
  grad: Float64Array | null = null;
  constructor(
    readonly data: Floats,
    readonly shape: readonly number[],
    readonly prev: readonly Tensor[] = [],
    readonly backwardStep: (() => void) | null = null,
  ) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new Error(`Tensor: shape [${shape.join(', ')}] holds ${size} values but data has ${data.length}`);
    }
  }

  get size(): number {
    return this.data.length;
  }

  get rows(): number {
    return this.shape.length === 1 ? 1 : this.shape[0];
  }

  get cols(): number {
    return this.shape[this.shape.length - 1];
  }

  /** The gradient buffer, allocated as zeros on first use. */
  g(): Float64Array {
    if (this.grad === null) this.grad = new Float64Array(this.size);
    return this.grad;
  }

  /** Reverse pass from this scalar: d(this)/d(every tensor it depends on), accumulated into `.grad`. */
  backward(): void {
    if (this.size !== 1) throw new Error(`Tensor.backward: needs a scalar, got shape [${this.shape.join(', ')}]`);
    const order: Tensor[] = [];
    const seen = new Set<Tensor>();
    // Iterative post-order DFS: the graph of a real model is far deeper than the JS call stack.
    const stack: [Tensor, number][] = [[this, 0]];
    seen.add(this);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [node, i] = top;
      if (i < node.prev.length) {
        top[1] = i + 1;
        const child = node.prev[i];
        if (!seen.has(child)) {
          seen.add(child);
          stack.push([child, 0]);
        }
      } else {
        order.push(node);
        stack.pop();
      }
    }
    this.g()[0] = 1;
    for (let k = order.length - 1; k >= 0; k--) order[k].backwardStep?.();
  }
}

/** A leaf tensor (parameter or constant). */
export function tensor(data: Floats, shape: readonly number[]): Tensor {
  return new Tensor(data, shape);
}

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.join(',') !== b.shape.join(',')) {
    throw new Error(`${op}: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  }
}

/** Rows of `table` [V, C] picked by `ids` → [T, C] (embedding lookup). */
export function gather(table: Tensor, ids: readonly number[]): Tensor {
  const C = table.cols;
  const out = new Float64Array(ids.length * C);
  ids.forEach((id, t) => {
    if (!Number.isInteger(id) || id < 0 || id >= table.rows) {
      throw new Error(`gather: token id ${id} at position ${t} is outside the table's ${table.rows} rows`);
    }
    for (let c = 0; c < C; c++) out[t * C + c] = table.data[id * C + c];
  });
  const res: Tensor = new Tensor(out, [ids.length, C], [table], () => {
    const dOut = res.g();
    const dTable = table.g();
    ids.forEach((id, t) => {
      for (let c = 0; c < C; c++) dTable[id * C + c] += dOut[t * C + c];
    });
  });
  return res;
}

/** a [M, K] @ b [K, N] → [M, N]. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const [M, K, N] = [a.rows, a.cols, b.cols];
  if (b.rows !== K) throw new Error(`matmul: inner sizes ${K} and ${b.rows} differ`);
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      const aik = a.data[i * K + k];
      for (let j = 0; j < N; j++) out[i * N + j] += aik * b.data[k * N + j];
    }
  }
  const res: Tensor = new Tensor(out, [M, N], [a, b], () => {
    const dOut = res.g();
    const [dA, dB] = [a.g(), b.g()];
    for (let i = 0; i < M; i++) {
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0; j < N; j++) {
          s += dOut[i * N + j] * b.data[k * N + j];
          dB[k * N + j] += a.data[i * K + k] * dOut[i * N + j];
        }
        dA[i * K + k] += s;
      }
    }
  });
  return res;
}

/** a [M, K] @ bᵀ for b [N, K] → [M, N]: a Linear layer with HF's [out, in] weight, or QKᵀ. */
export function matmulT(a: Tensor, b: Tensor): Tensor {
  const [M, K, N] = [a.rows, a.cols, b.rows];
  if (b.cols !== K) throw new Error(`matmulT: inner sizes ${K} and ${b.cols} differ`);
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a.data[i * K + k] * b.data[j * K + k];
      out[i * N + j] = s;
    }
  }
  const res: Tensor = new Tensor(out, [M, N], [a, b], () => {
    const dOut = res.g();
    const [dA, dB] = [a.g(), b.g()];
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const d = dOut[i * N + j];
        if (d === 0) continue;
        for (let k = 0; k < K; k++) {
          dA[i * K + k] += d * b.data[j * K + k];
          dB[j * K + k] += d * a.data[i * K + k];
        }
      }
    }
  });
  return res;
}

/** Elementwise a + b (same shape), or a [M, N] + b [N] broadcast over rows when b is 1-D. */
export function add(a: Tensor, b: Tensor): Tensor {
  const isRow = a.shape.length === 2 && b.shape.length === 1 && b.size === a.cols;
  if (!isRow) sameShape('add', a, b);
  const N = a.cols;
  const out = new Float64Array(a.size);
  for (let i = 0; i < a.size; i++) out[i] = a.data[i] + b.data[isRow ? i % N : i];
  const res: Tensor = new Tensor(out, a.shape, [a, b], () => {
    const dOut = res.g();
    const [dA, dB] = [a.g(), b.g()];
    for (let i = 0; i < a.size; i++) {
      dA[i] += dOut[i];
      dB[isRow ? i % N : i] += dOut[i];
    }
  });
  return res;
}

/** Elementwise a * b. */
export function mul(a: Tensor, b: Tensor): Tensor {
  sameShape('mul', a, b);
  const out = new Float64Array(a.size);
  for (let i = 0; i < a.size; i++) out[i] = a.data[i] * b.data[i];
  const res: Tensor = new Tensor(out, a.shape, [a, b], () => {
    const dOut = res.g();
    const [dA, dB] = [a.g(), b.g()];
    for (let i = 0; i < a.size; i++) {
      dA[i] += dOut[i] * b.data[i];
      dB[i] += dOut[i] * a.data[i];
    }
  });
  return res;
}

/** a * s for a constant s. */
export function scale(a: Tensor, s: number): Tensor {
  const out = new Float64Array(a.size);
  for (let i = 0; i < a.size; i++) out[i] = a.data[i] * s;
  const res: Tensor = new Tensor(out, a.shape, [a], () => {
    const [dOut, dA] = [res.g(), a.g()];
    for (let i = 0; i < a.size; i++) dA[i] += dOut[i] * s;
  });
  return res;
}

/** Row-wise x * rsqrt(mean(x²) + eps) * w, for x [M, C] and w [C] (HF LlamaRMSNorm). */
export function rmsnorm(x: Tensor, w: Tensor, eps: number): Tensor {
  const [M, C] = [x.rows, x.cols];
  if (w.size !== C) throw new Error(`rmsnorm: weight has ${w.size} values for rows of width ${C}`);
  const out = new Float64Array(x.size);
  const rstd = new Float64Array(M); // (M) 1 / sqrt(mean(x²) + eps)
  for (let i = 0; i < M; i++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += x.data[i * C + c] ** 2;
    rstd[i] = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) out[i * C + c] = x.data[i * C + c] * rstd[i] * w.data[c];
  }
  const res: Tensor = new Tensor(out, x.shape, [x, w], () => {
    const [dOut, dX, dW] = [res.g(), x.g(), w.g()];
    for (let i = 0; i < M; i++) {
      // y_c = x_c r w_c with r = (mean(x²)+eps)^-½, so dx_c = r (g_c w_c) - x_c r³/C Σ_k g_k w_k x_k.
      let dot = 0;
      for (let c = 0; c < C; c++) dot += dOut[i * C + c] * w.data[c] * x.data[i * C + c];
      const r = rstd[i];
      for (let c = 0; c < C; c++) {
        const xc = x.data[i * C + c];
        dW[c] += dOut[i * C + c] * xc * r;
        dX[i * C + c] += r * dOut[i * C + c] * w.data[c] - (xc * r * r * r * dot) / C;
      }
    }
  });
  return res;
}

/**
 * HF rotary embedding on x [T, D]: x * cos + rotate_half(x) * sin, where rotate_half([x1, x2]) =
 * [-x2, x1] over the two halves of D and cos/sin [T, D] repeat their first half (ropeTables).
 */
export function rope(x: Tensor, cos: Float64Array, sin: Float64Array): Tensor {
  const [T, D] = [x.rows, x.cols];
  const h = D / 2;
  if (D % 2 !== 0 || cos.length !== T * D || sin.length !== T * D) {
    throw new Error(`rope: need even D and [${T}, ${D}] tables, got D=${D}, ${cos.length} cos values`);
  }
  const out = new Float64Array(x.size);
  for (let t = 0; t < T; t++) {
    for (let d = 0; d < D; d++) {
      const rot = d < h ? -x.data[t * D + d + h] : x.data[t * D + d - h];
      out[t * D + d] = x.data[t * D + d] * cos[t * D + d] + rot * sin[t * D + d];
    }
  }
  const res: Tensor = new Tensor(out, x.shape, [x], () => {
    const [dOut, dX] = [res.g(), x.g()];
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < D; d++) {
        const i = t * D + d;
        dX[i] += dOut[i] * cos[i];
        // rotate_half's transpose: out[d] took -x[d+h] (d < h) or x[d-h] (d ≥ h).
        if (d < h) dX[i + h] -= dOut[i] * sin[i];
        else dX[i - h] += dOut[i] * sin[i];
      }
    }
  });
  return res;
}

/** Columns [start, start + width) of x [M, N] → [M, width] (splitting heads). */
export function sliceCols(x: Tensor, start: number, width: number): Tensor {
  const [M, N] = [x.rows, x.cols];
  if (start < 0 || start + width > N) throw new Error(`sliceCols: [${start}, ${start + width}) outside ${N} columns`);
  const out = new Float64Array(M * width);
  for (let i = 0; i < M; i++) for (let j = 0; j < width; j++) out[i * width + j] = x.data[i * N + start + j];
  const res: Tensor = new Tensor(out, [M, width], [x], () => {
    const [dOut, dX] = [res.g(), x.g()];
    for (let i = 0; i < M; i++) for (let j = 0; j < width; j++) dX[i * N + start + j] += dOut[i * width + j];
  });
  return res;
}

/** Rows [start, start + count) of x [M, N] → [count, N]. */
export function sliceRows(x: Tensor, start: number, count: number): Tensor {
  const N = x.cols;
  if (start < 0 || start + count > x.rows) throw new Error(`sliceRows: [${start}, ${start + count}) outside ${x.rows} rows`);
  const out = Float64Array.from(x.data.subarray(start * N, (start + count) * N));
  const res: Tensor = new Tensor(out, [count, N], [x], () => {
    const [dOut, dX] = [res.g(), x.g()];
    for (let i = 0; i < count * N; i++) dX[start * N + i] += dOut[i];
  });
  return res;
}

/** Side-by-side concatenation of [M, N_p] parts → [M, Σ N_p] (merging heads). */
export function concatCols(parts: readonly Tensor[]): Tensor {
  const M = parts[0].rows;
  const N = parts.reduce((s, p) => s + p.cols, 0);
  const out = new Float64Array(M * N);
  const offsets: number[] = [];
  let off = 0;
  for (const p of parts) {
    if (p.rows !== M) throw new Error(`concatCols: parts have ${M} and ${p.rows} rows`);
    offsets.push(off);
    for (let i = 0; i < M; i++) for (let j = 0; j < p.cols; j++) out[i * N + off + j] = p.data[i * p.cols + j];
    off += p.cols;
  }
  const res: Tensor = new Tensor(out, [M, N], parts, () => {
    const dOut = res.g();
    parts.forEach((p, k) => {
      const dP = p.g();
      for (let i = 0; i < M; i++) for (let j = 0; j < p.cols; j++) dP[i * p.cols + j] += dOut[i * N + offsets[k] + j];
    });
  });
  return res;
}

/** Row-wise softmax of scores [T, T] over keys j ≤ i (causal); entries j > i are exactly 0. */
export function causalSoftmax(s: Tensor): Tensor {
  const T = s.rows;
  if (s.cols !== T) throw new Error(`causalSoftmax: scores must be square, got [${s.shape.join(', ')}]`);
  const out = new Float64Array(T * T);
  for (let i = 0; i < T; i++) {
    let max = -Infinity;
    for (let j = 0; j <= i; j++) max = Math.max(max, s.data[i * T + j]);
    let sum = 0;
    for (let j = 0; j <= i; j++) sum += out[i * T + j] = Math.exp(s.data[i * T + j] - max);
    for (let j = 0; j <= i; j++) out[i * T + j] /= sum;
  }
  const res: Tensor = new Tensor(out, s.shape, [s], () => {
    const [dOut, dS] = [res.g(), s.g()];
    for (let i = 0; i < T; i++) {
      // dS_j = p_j (g_j - Σ_k p_k g_k)
      let dot = 0;
      for (let j = 0; j <= i; j++) dot += out[i * T + j] * dOut[i * T + j];
      for (let j = 0; j <= i; j++) dS[i * T + j] += out[i * T + j] * (dOut[i * T + j] - dot);
    }
  });
  return res;
}

/** Elementwise silu(x) = x * sigmoid(x). */
export function silu(x: Tensor): Tensor {
  const out = new Float64Array(x.size);
  const sig = new Float64Array(x.size);
  for (let i = 0; i < x.size; i++) {
    sig[i] = 1 / (1 + Math.exp(-x.data[i]));
    out[i] = x.data[i] * sig[i];
  }
  const res: Tensor = new Tensor(out, x.shape, [x], () => {
    const [dOut, dX] = [res.g(), x.g()];
    for (let i = 0; i < x.size; i++) dX[i] += dOut[i] * sig[i] * (1 + x.data[i] * (1 - sig[i]));
  });
  return res;
}

/** Row-wise log-softmax of x [M, N]. */
export function logSoftmax(x: Tensor): Tensor {
  const [M, N] = [x.rows, x.cols];
  const out = new Float64Array(x.size);
  for (let i = 0; i < M; i++) {
    let max = -Infinity;
    for (let j = 0; j < N; j++) max = Math.max(max, x.data[i * N + j]);
    let sum = 0;
    for (let j = 0; j < N; j++) sum += Math.exp(x.data[i * N + j] - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < N; j++) out[i * N + j] = x.data[i * N + j] - lse;
  }
  const res: Tensor = new Tensor(out, x.shape, [x], () => {
    const [dOut, dX] = [res.g(), x.g()];
    for (let i = 0; i < M; i++) {
      // dx_j = g_j - softmax_j Σ_k g_k
      let sumG = 0;
      for (let j = 0; j < N; j++) sumG += dOut[i * N + j];
      for (let j = 0; j < N; j++) dX[i * N + j] += dOut[i * N + j] - Math.exp(out[i * N + j]) * sumG;
    }
  });
  return res;
}

/** One entry per row, x[i, cols[i]] for x [M, N] → [M] (the target log-probabilities). */
export function pick(x: Tensor, cols: readonly number[]): Tensor {
  const N = x.cols;
  if (cols.length !== x.rows) throw new Error(`pick: ${cols.length} indices for ${x.rows} rows`);
  cols.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= N) throw new Error(`pick: index ${c} in row ${i} outside ${N} columns`);
  });
  const out = Float64Array.from(cols, (c, i) => x.data[i * N + c]);
  const res: Tensor = new Tensor(out, [cols.length], [x], () => {
    const [dOut, dX] = [res.g(), x.g()];
    cols.forEach((c, i) => (dX[i * N + c] += dOut[i]));
  });
  return res;
}

/** Mean of all entries → scalar [1]. */
export function mean(x: Tensor): Tensor {
  let s = 0;
  for (let i = 0; i < x.size; i++) s += x.data[i];
  const res: Tensor = new Tensor(Float64Array.of(s / x.size), [1], [x], () => {
    const [dOut, dX] = [res.g(), x.g()];
    for (let i = 0; i < x.size; i++) dX[i] += dOut[0] / x.size;
  });
  return res;
}
