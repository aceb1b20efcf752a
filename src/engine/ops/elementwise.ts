// add / mul with row broadcasting, and scale: launchers, tape rules and float64 references.
// b is either a's shape or a's last dimension, broadcast over the leading rows.
import src from '../../../shaders/elementwise.wgsl?raw';
import { accumulateGrad } from '../tape.ts';
import { f32 } from '../engine.ts';
import { grid1d } from '../grid.ts';
import { shapeStr, type Tensor } from '../tensor.ts';
import type { KernelSpec } from '../pipeline-cache.ts';

const k = (entry: string): KernelSpec => ({ name: 'elementwise', code: src, entry });

function broadcastKind(a: Tensor, b: Tensor, op: string): 0 | 1 {
  if (a.size === b.size && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])) return 0;
  const cols = a.shape[a.shape.length - 1];
  if (b.shape.length === 1 && b.shape[0] === cols) return 1;
  throw new Error(`${op}: cannot broadcast ${b.describe()} onto ${a.describe()} (need ${shapeStr(a.shape)} or [${cols}])`);
}

function binary(entry: 'add_forward' | 'mul_forward', a: Tensor, b: Tensor, bcast: 0 | 1, label: string): Tensor {
  const e = a.engine;
  const out = e.empty(a.shape, label);
  const cols = a.shape[a.shape.length - 1] ?? 1;
  e.dispatch({ kernel: k(entry), buffers: [a, b, out], params: [a.size, cols, bcast, f32(0)], workgroups: grid1d(a.size), label: `${label} ${a.describe()}` });
  return out;
}

/** out[r, c] = sum over rows of x (or x * y): the gradient of a broadcast operand. */
export function colsum(x: Tensor, y: Tensor | null = null): Tensor {
  const e = x.engine;
  const cols = x.shape[x.shape.length - 1];
  const out = e.empty([cols], 'colsum');
  e.dispatch({
    kernel: k(y ? 'colsum_mul' : 'colsum'),
    buffers: [x, y, out],
    params: [x.size, cols, 0, f32(0)],
    workgroups: grid1d(cols),
    label: `colsum ${x.describe()}`,
  });
  return out;
}

export function scale(a: Tensor, alpha: number): Tensor {
  const e = a.engine;
  const out = e.empty(a.shape, 'scale');
  e.dispatch({ kernel: k('scale_forward'), buffers: [a, null, out], params: [a.size, 1, 0, f32(alpha)], workgroups: grid1d(a.size), label: `scale ${a.describe()}` });
  if (e.tape.wants(a)) e.tape.record(out, (g) => accumulateGrad(a, scale(g, alpha)));
  return out;
}

export function add(a: Tensor, b: Tensor): Tensor {
  const bcast = broadcastKind(a, b, 'add');
  const out = binary('add_forward', a, b, bcast, 'add');
  const e = a.engine;
  if (e.tape.wants(a, b)) {
    e.tape.record(out, (g) => {
      if (a.requiresGrad) accumulateGrad(a, scale(g, 1));
      if (b.requiresGrad && bcast && b.gradTap) b.gradTap({ kind: 'bias', dOut: g.view([g.size / b.size, b.size]) });
      else if (b.requiresGrad) accumulateGrad(b, bcast ? colsum(g) : scale(g, 1));
    });
  }
  return out;
}

export function mul(a: Tensor, b: Tensor): Tensor {
  const bcast = broadcastKind(a, b, 'mul');
  const out = binary('mul_forward', a, b, bcast, 'mul');
  const e = a.engine;
  if (e.tape.wants(a, b)) {
    e.tape.record(out, (g) => {
      if (a.requiresGrad) accumulateGrad(a, binary('mul_forward', g, b, bcast, 'mul backward a'));
      if (b.requiresGrad) accumulateGrad(b, bcast ? colsum(g, a) : binary('mul_forward', g, a, 0, 'mul backward b'));
    });
  }
  return out;
}

// ---- float64 references ----------------------------------------------------------------------

export function addRef(a: ArrayLike<number>, b: ArrayLike<number>, cols: number, bcast: boolean): Float64Array {
  return Float64Array.from(a, (v, i) => v + b[bcast ? i % cols : i]);
}

export function mulRef(a: ArrayLike<number>, b: ArrayLike<number>, cols: number, bcast: boolean): Float64Array {
  return Float64Array.from(a, (v, i) => v * b[bcast ? i % cols : i]);
}
