// reshape: the same storage under another shape, recorded on the tape so gradients reach the
// original tensor (a plain `view` would leave them on the view).
import { accumulateGrad } from '../tape.ts';
import type { Shape, Tensor } from '../tensor.ts';

export function reshape(t: Tensor, shape: Shape): Tensor {
  const out = t.view(shape);
  const e = t.engine;
  if (e.tape.wants(t)) {
    e.tape.record(out, (g) => {
      const copy = e.empty(t.shape, 'reshape grad');
      e.copy(g, copy);
      accumulateGrad(t, copy);
    });
  }
  return out;
}
