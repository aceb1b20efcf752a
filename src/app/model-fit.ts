// Will the chosen models train here? Per role: the GPU bytes estimateModelBytes gives for training
// (weights, gradients, two AdamW moments, a KL reference copy if asked for, saved activations) at the
// run's sequence length, and the
// largest single buffer; then a verdict against the adapter's buffer limits and navigator.deviceMemory.
// Called by ModelsPanel (to show it) and RunControls (to refuse a start). Pure: no GPU, no DOM.
import type { RunConfig } from '../infuser/config.ts';
import { estimateModelBytes, formatBytes, type MemoryEstimate } from '../model/model-memory.ts';
import { parameterSpecs, type ModelConfig } from '../model/model-config.ts';
import type { Role } from './run-driver.ts';

const F32 = 4;
const GiB = 2 ** 30;
/** Chrome reports navigator.deviceMemory rounded down and capped at 8 GiB: at the cap it is only a lower bound. */
export const DEVICE_MEMORY_CAP_GIB = 8;

export interface RoleFootprint {
  role: Role;
  /** Tokens per training sequence: the role's prompt plus response lengths, capped by the model. */
  seqLen: number;
  estimate: MemoryEstimate;
  /** The biggest single GPU buffer: the largest parameter (or its gradient) or one sequence's logits. */
  largestBuffer: { bytes: number; what: string };
}

export interface DeviceBudget {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** navigator.deviceMemory in GiB, null where the browser does not say. */
  deviceMemoryGiB: number | null;
}

export interface FitVerdict {
  fits: boolean;
  /** Reasons the run cannot start (each names the role and the limit). */
  problems: string[];
  /** Doubts that do not block a start. */
  warnings: string[];
  totalBytes: number;
}

const title = (role: Role): string => (role === 'generator' ? 'Generator' : 'Solver');

/** The training footprint of one role's model under the run's settings (batch 1: updates go one sequence at a time). */
export function roleFootprint(role: Role, cfg: ModelConfig, config: RunConfig): RoleFootprint {
  const seqLen = Math.min(cfg.maxPositionEmbeddings, config[`${role}.rollout.prompt_length`] + config[`${role}.rollout.response_length`]);
  const referenceCopy = config[`${role}.actor.kl_loss_coef`] > 0;
  const estimate = estimateModelBytes(cfg, { training: true, batch: 1, seqLen, referenceCopy });
  let largestBuffer = { bytes: seqLen * cfg.vocabSize * F32, what: `logits (${seqLen} × ${cfg.vocabSize})` };
  for (const spec of parameterSpecs(cfg)) {
    const bytes = spec.shape.reduce((a, b) => a * b, 1) * F32;
    if (bytes > largestBuffer.bytes) largestBuffer = { bytes, what: spec.name };
  }
  return { role, seqLen, estimate, largestBuffer };
}

/** Whether both roles fit: each buffer within the binding limits, the sum within the device's memory. */
export function fitVerdict(footprints: readonly RoleFootprint[], budget: DeviceBudget): FitVerdict {
  const problems: string[] = [];
  const warnings: string[] = [];
  const bindLimit = Math.min(budget.maxBufferSize, budget.maxStorageBufferBindingSize);
  const limitName = budget.maxBufferSize <= budget.maxStorageBufferBindingSize ? 'maxBufferSize' : 'maxStorageBufferBindingSize';
  for (const f of footprints) {
    if (f.largestBuffer.bytes > bindLimit) {
      problems.push(`${title(f.role)}: its largest buffer, ${f.largestBuffer.what}, needs ${formatBytes(f.largestBuffer.bytes)}, `
        + `but this adapter's ${limitName} is ${formatBytes(bindLimit)}.`);
    }
  }
  const totalBytes = footprints.reduce((s, f) => s + f.estimate.totalBytes, 0);
  const memory = budget.deviceMemoryGiB;
  if (memory !== null && totalBytes > memory * GiB) {
    const need = `Training both roles needs about ${formatBytes(totalBytes)}`;
    if (memory >= DEVICE_MEMORY_CAP_GIB) {
      warnings.push(`${need}; this browser reports at least ${memory} GiB of device memory (it reports no more), so it may not fit.`);
    } else {
      problems.push(`${need}, but this device has ${memory} GiB of memory (navigator.deviceMemory). Choose a smaller model or shorter responses.`);
    }
  }
  if (memory === null) warnings.push('This browser does not report its device memory; the estimate cannot be checked against it.');
  return { fits: problems.length === 0, problems, warnings, totalBytes };
}

/** The budget of the adapter the lab probed (the workers' devices ask for the same maxima). */
export function deviceBudget(limits: Record<string, number>, nav: { deviceMemory?: number } | undefined): DeviceBudget {
  const memory = nav?.deviceMemory;
  return {
    maxBufferSize: limits.maxBufferSize ?? 256 * 2 ** 20,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize ?? 128 * 2 ** 20,
    deviceMemoryGiB: typeof memory === 'number' && memory > 0 ? memory : null,
  };
}
