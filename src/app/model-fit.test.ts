import { describe, expect, it } from 'vitest';
import { buildConfig } from '../infuser/config.ts';
import { tinyModelConfig } from '../model/random-model.ts';
import type { MemoryEstimate } from '../model/model-memory.ts';
import { deviceBudget, fitVerdict, roleFootprint, type RoleFootprint } from './model-fit.ts';

const GiB = 2 ** 30;
// tinyModelConfig('LlamaForCausalLM'): V 37, C 16, F 24, 2 layers, 4 heads × 4, 2 KV heads, 64 positions.
// Parameters by hand: embed 37·16 = 592; per layer q 256 + k 128 + v 128 + o 256 + gate 384 + up 384 +
// down 384 + two norms 32 = 1952; final norm 16; lm_head 592 → 592 + 2·1952 + 16 + 592 = 5104.
const cfg = tinyModelConfig('LlamaForCausalLM');
const P = 5104;

function footprint(role: 'generator' | 'solver', totalBytes: number, largest = 1024): RoleFootprint {
  const estimate: MemoryEstimate = { weightsBytes: 0, gradsBytes: 0, adamBytes: 0, referenceBytes: 0, activationsBytes: 0, kvCacheBytes: 0, totalBytes };
  return { role, seqLen: 64, estimate, largestBuffer: { bytes: largest, what: 'model.embed_tokens.weight' } };
}

describe('roleFootprint', () => {
  it('trains at prompt + response tokens capped by the model, with weights, grads and two Adam moments in f32', () => {
    const f = roleFootprint('generator', cfg, buildConfig({ overrides: {} }));
    expect(f.seqLen).toBe(64); // 1024 + 768 > 64 positions
    expect(f.estimate.weightsBytes).toBe(P * 4);
    expect(f.estimate.gradsBytes).toBe(P * 4);
    expect(f.estimate.adamBytes).toBe(P * 8);
    expect(f.estimate.referenceBytes).toBe(0);
    // One sequence of logits, 64 × 37 × 4 bytes, outweighs the 37 × 16 embedding.
    expect(f.largestBuffer).toEqual({ bytes: 64 * 37 * 4, what: 'logits (64 × 37)' });
  });

  it('counts one more copy of the weights for a role with a KL penalty, and only for that role', () => {
    const config = buildConfig({ overrides: { 'solver.actor.kl_loss_coef': 0.01 } });
    const solver = roleFootprint('solver', cfg, config);
    const plain = roleFootprint('solver', cfg, buildConfig({ overrides: {} }));
    expect(solver.estimate.referenceBytes).toBe(P * 4);
    expect(solver.estimate.totalBytes - plain.estimate.totalBytes).toBe(P * 4);
    expect(roleFootprint('generator', cfg, config).estimate.referenceBytes).toBe(0);
  });

  it('names the embedding when it is the largest buffer, and uses the Solver\'s own lengths', () => {
    const big = tinyModelConfig('LlamaForCausalLM', { vocabSize: 5000, maxPositionEmbeddings: 4096 });
    const config = buildConfig({ overrides: { 'solver.rollout.prompt_length': 128, 'solver.rollout.response_length': 16 } });
    const f = roleFootprint('solver', big, config);
    expect(f.seqLen).toBe(144);
    // logits 144 × 5000 × 4 B outweigh the 5000 × 16 embedding; at 8 positions and width 256 the embedding wins.
    expect(f.largestBuffer.bytes).toBe(144 * 5000 * 4);
    const short = roleFootprint('solver', tinyModelConfig('LlamaForCausalLM', { vocabSize: 5000, hiddenSize: 256, maxPositionEmbeddings: 8 }), config);
    expect(short.largestBuffer).toEqual({ bytes: 5000 * 256 * 4, what: 'model.embed_tokens.weight' });
  });
});

describe('fitVerdict', () => {
  const roomy = { maxBufferSize: GiB, maxStorageBufferBindingSize: GiB, deviceMemoryGiB: 4 };

  it('refuses a buffer above the binding limit, naming the role, the buffer and the limit', () => {
    const v = fitVerdict([footprint('generator', 1000, 9472), footprint('solver', 1000)], { ...roomy, maxStorageBufferBindingSize: 9000 });
    expect(v.fits).toBe(false);
    expect(v.problems).toEqual(['Generator: its largest buffer, model.embed_tokens.weight, needs 9.3 KiB, but this adapter\'s maxStorageBufferBindingSize is 8.8 KiB.']);
  });

  it('refuses two roles that together exceed a reported device memory below the browser cap', () => {
    const v = fitVerdict([footprint('generator', 2.5 * GiB), footprint('solver', 2.5 * GiB)], roomy);
    expect(v.fits).toBe(false);
    expect(v.totalBytes).toBe(5 * GiB);
    expect(v.problems[0]).toMatch(/needs about 5\.0 GiB, but this device has 4 GiB/);
  });

  it('only warns at the capped device memory report, and when none is reported', () => {
    const capped = fitVerdict([footprint('generator', 5 * GiB), footprint('solver', 5 * GiB)], { ...roomy, deviceMemoryGiB: 8 });
    expect(capped.fits).toBe(true);
    expect(capped.warnings[0]).toMatch(/at least 8 GiB/);
    const unknown = fitVerdict([footprint('generator', GiB)], { ...roomy, deviceMemoryGiB: null });
    expect(unknown).toMatchObject({ fits: true, problems: [] });
    expect(unknown.warnings[0]).toMatch(/does not report/);
  });

  it('reads the budget from the probed limits and navigator.deviceMemory', () => {
    expect(deviceBudget({ maxBufferSize: 5, maxStorageBufferBindingSize: 3 }, { deviceMemory: 2 }))
      .toEqual({ maxBufferSize: 5, maxStorageBufferBindingSize: 3, deviceMemoryGiB: 2 });
    expect(deviceBudget({ maxBufferSize: 5, maxStorageBufferBindingSize: 3 }, {}).deviceMemoryGiB).toBeNull();
  });
});
