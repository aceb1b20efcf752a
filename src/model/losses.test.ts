import { describe, expect, it } from 'vitest';
import { testEngine } from '../engine/testing.ts';
import { LlamaModel } from './llama.ts';
import { batchSequenceLogprobs, padRows, sequenceLogprobs } from './losses.ts';
import { randomWeights, tinyModelConfig } from './random-model.ts';

describe('batched sequence log-probs', () => {
  it('padRows right-pads with each row\'s last token and keeps the lengths', () => {
    expect(padRows([[1, 2, 3], [4], [5, 6]])).toEqual({ ids: [[1, 2, 3], [4, 4, 4], [5, 6, 6]], lengths: [3, 1, 2], T: 3 });
    expect(() => padRows([])).toThrow(/no rows/);
    expect(() => padRows([[1], []])).toThrow(/row 1 is empty/);
  });

  it('equal the one-row log-probs on every real position, and own their buffer after a tidy', async () => {
    const e = await testEngine();
    const cfg = tinyModelConfig('LlamaForCausalLM');
    const model = new LlamaModel(e, cfg, randomWeights(cfg, 9, 0.4));
    const rows = [[3, 1, 4, 1, 5, 9, 2], [6, 5, 3], [5, 8, 9, 7, 9]];
    const single = await e.readMany(rows.map((r) => e.tidy(() => e.tape.noGrad(() => sequenceLogprobs(model, r, 0.7)))));
    const batched = e.tidy(() => e.tape.noGrad(() => batchSequenceLogprobs(model, rows, 0.7)));
    expect(batched.shape).toEqual([3, 7]);
    // later work reuses pooled buffers: a result that were only a view of a freed tensor would be overwritten
    e.tidy(() => e.tape.noGrad(() => batchSequenceLogprobs(model, [[1, 2, 3, 4, 5, 6, 7, 8]], 1)));
    const b = await e.read(batched);
    rows.forEach((r, i) => {
      for (let t = 0; t < r.length - 1; t++) expect(Math.abs(b[i * 7 + t] - single[i][t])).toBeLessThan(1e-5);
    });
    batched.dispose();
    model.dispose();
  });
});
