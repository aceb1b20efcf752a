import { describe, expect, it } from 'vitest';
import { AdamW } from '../engine/optim/adamw.ts';
import { testEngine } from '../engine/testing.ts';
import { LlamaModel } from './llama.ts';
import { nextTokenLoss } from './losses.ts';
import { randomWeights, tinyModelConfig } from './random-model.ts';

// The whole stack (embedding, 2 transformer blocks, tied head, cross-entropy, AdamW with clipping)
// learns a fixed batch: a broken backward or optimizer keeps the loss near ln(V) = 3.6.
describe('a tiny transformer stack overfits a fixed batch', () => {
  it('batch-mean next-token loss falls from ~ln V to below 0.25 in 80 AdamW steps', async () => {
    const e = await testEngine();
    const cfg = tinyModelConfig('Qwen2ForCausalLM');
    const model = new LlamaModel(e, cfg, randomWeights(cfg, 5));
    const opt = new AdamW(model.parameters(), { lr: 2e-2, weightDecay: 0, maxGradNorm: 1.0 });
    const batch = [
      [1, 5, 9, 13, 17, 21, 25, 29, 33, 2],
      [7, 3, 36, 8, 8, 12, 30, 4, 19, 0],
    ];
    const losses: number[] = [];
    for (let step = 0; step < 80; step++) {
      const perSeq = e.tidy(() =>
        batch.map((seq) => {
          const l = nextTokenLoss(model, seq);
          e.tape.backward(l);
          return l;
        }),
      );
      const report = await opt.step();
      expect(report.isSkipped).toBe(false);
      opt.zeroGrad();
      const values = await e.readMany(perSeq);
      losses.push((values[0][0] + values[1][0]) / 2);
      perSeq.forEach((l) => l.dispose());
    }
    expect(losses[0]).toBeGreaterThan(3);
    expect(losses[losses.length - 1]).toBeLessThan(0.25);
    model.dispose();
    opt.dispose();
  });
});
