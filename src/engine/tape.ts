// Reverse-mode autograd in one sitting. Each op, when it runs forward on an input that requires a
// gradient, pushes a closure that turns its output's gradient into its inputs' gradients. `backward`
// replays the closures newest first.
//
// Accumulation contract (as the shader headers state): a tensor's gradient is created by its first
// contribution and summed into afterwards, so parameter gradients accumulate across backward calls
// until the optimizer or the caller zeroes them; activation gradients live only as long as the
// activation.
import type { Tensor } from './tensor.ts';

interface Record {
  output: Tensor;
  backward: (gradOut: Tensor) => void;
}

export class Tape {
  private records: Record[] = [];
  private disabled = 0;

  get enabled(): boolean {
    return this.disabled === 0;
  }

  /** Whether an op on these inputs should be recorded (and its output require a gradient). */
  wants(...inputs: (Tensor | null | undefined)[]): boolean {
    return this.enabled && inputs.some((t) => t?.requiresGrad);
  }

  record(output: Tensor, backward: (gradOut: Tensor) => void): void {
    output.requiresGrad = true;
    this.records.push({ output, backward });
  }

  /** Runs fn without recording (inference, optimizer updates). */
  noGrad<T>(fn: () => T): T {
    this.disabled++;
    try {
      return fn();
    } finally {
      this.disabled--;
    }
  }

  /**
   * Seeds d(output)/d(output) with `seed` (ones for a scalar loss when omitted, created by the caller's
   * engine) and propagates to every recorded input. Clears the tape.
   */
  backward(output: Tensor, seed?: Tensor): void {
    if (!output.requiresGrad) throw new Error(`backward from ${output.describe()}: it does not require a gradient`);
    const engine = output.engine;
    const g = seed ?? engine.fromArray(new Float32Array(output.size).fill(1), output.shape, 'dloss');
    accumulateGrad(output, g);
    const records = this.records;
    this.records = [];
    this.noGrad(() => {
      for (let i = records.length - 1; i >= 0; i--) {
        const { output: out, backward } = records[i];
        if (out.grad && !out.isDisposed) backward(out.grad);
      }
    });
  }

  /** Drops recorded closures without running them (e.g. after an inference-only forward). */
  clear(): void {
    this.records = [];
  }

  get length(): number {
    return this.records.length;
  }
}

/** Adds g into t.grad, taking ownership of g. Gradients survive `tidy` with their tensor. */
export function accumulateGrad(t: Tensor, g: Tensor): void {
  if (!t.requiresGrad) {
    g.dispose();
    return;
  }
  if (g.size !== t.size) throw new Error(`gradient ${g.describe()} does not match ${t.describe()}`);
  const engine = t.engine;
  if (!t.grad) {
    g.reshapeInPlace(t.shape);
    t.grad = engine.keep(g);
    return;
  }
  engine.addInto(t.grad, g);
  g.dispose();
}
