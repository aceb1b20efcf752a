// Batched cached generation against the model's full (uncached) forward: the sampled tokens'
// log-probs equal sequenceLogprobs, greedy picks the full forward's argmax at every step, and the
// run-seed streams make it reproducible.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../engine/testing.ts';
import { streamFor } from '../infuser/rng.ts';
import { generate, type GenerateOptions } from './generate.ts';
import { LlamaModel } from './llama.ts';
import { sequenceLogprobs } from './losses.ts';
import { randomWeights, tinyModelConfig } from './random-model.ts';
import type { Architecture } from './model-config.ts';

const PROMPT = [3, 17, 0, 36, 5];

async function tinyModel(arch: Architecture = 'LlamaForCausalLM', seed = 21): Promise<LlamaModel> {
  const cfg = tinyModelConfig(arch);
  return new LlamaModel(await testEngine(), cfg, randomWeights(cfg, seed, 0.4));
}

const streams = (seed: number) => (row: number, pos: number) => streamFor(seed, 'solver_sample', 0, 'dev', 7, row).uniformAt(pos);

async function fullLogits(model: LlamaModel, ids: number[]): Promise<Float32Array> {
  const e = model.engine;
  const t = e.tidy(() => e.tape.noGrad(() => model.forward([ids])));
  const out = await t.toArray();
  t.dispose();
  return out;
}

function argmaxRow(x: Float32Array, row: number, V: number): number {
  let best = 0;
  for (let i = 1; i < V; i++) if (x[row * V + i] > x[row * V + best]) best = i;
  return best;
}

describe('generate: n samples of one prompt with a shared prefill', () => {
  it('is reproducible for a fixed seed, and different uniforms give different samples', async () => {
    const model = await tinyModel();
    const o: GenerateOptions = { temperature: 1, maxNewTokens: 8, n: 4, uniform: streams(5) };
    const a = await generate(model, PROMPT, o);
    const b = await generate(model, PROMPT, o);
    expect(b).toEqual(a);
    expect(new Set(a.map((s) => s.tokens.join(','))).size).toBeGreaterThan(1);
    const c = await generate(model, PROMPT, { ...o, uniform: streams(6) });
    expect(c.map((s) => s.tokens)).not.toEqual(a.map((s) => s.tokens));
    expect(a.every((s) => s.tokens.length === 8 && s.finishReason === 'length')).toBe(true);
    model.dispose();
  });

  for (const arch of ['LlamaForCausalLM', 'Qwen2ForCausalLM', 'Qwen3ForCausalLM'] as Architecture[]) {
    it(`${arch}: sampling log-probs equal the full forward's log softmax(z / T) within 1e-4`, async () => {
      const model = await tinyModel(arch, 22);
      const e = model.engine;
      const T = 0.7;
      const samples = await generate(model, PROMPT, { temperature: T, topK: 6, maxNewTokens: 7, n: 3, uniform: streams(9) });
      for (const s of samples) {
        const ids = [...PROMPT, ...s.tokens];
        const lp = e.tidy(() => e.tape.noGrad(() => sequenceLogprobs(model, ids, T)));
        const want = await lp.toArray();
        lp.dispose();
        s.tokens.forEach((_, j) => {
          expect(Math.abs(s.logprobs[j] - want[PROMPT.length - 1 + j]), `token ${j}`).toBeLessThan(1e-4);
        });
      }
      model.dispose();
    });
  }

  it("greedy (T = 0) picks the full forward's argmax at every step, for every sample", async () => {
    const model = await tinyModel('Qwen3ForCausalLM', 23);
    const V = model.cfg.vocabSize;
    const samples = await generate(model, PROMPT, { temperature: 0, maxNewTokens: 10, n: 2, uniform: streams(1) });
    expect(samples[1].tokens).toEqual(samples[0].tokens);
    const full = await fullLogits(model, [...PROMPT, ...samples[0].tokens]);
    samples[0].tokens.forEach((tok, j) => expect(tok, `step ${j}`).toBe(argmaxRow(full, PROMPT.length - 1 + j, V)));
    model.dispose();
  });

  it('stops at an EOS id (kept in the tokens) and at a stop string, others run to the length limit', async () => {
    const model = await tinyModel('LlamaForCausalLM', 24);
    const greedy = { temperature: 0, maxNewTokens: 10, uniform: streams(1) };
    const [free] = await generate(model, PROMPT, greedy);
    const eosId = free.tokens[3];
    const [eos] = await generate(model, PROMPT, { ...greedy, eosIds: [eosId] });
    expect(eos.finishReason).toBe('eos');
    expect(eos.tokens).toEqual(free.tokens.slice(0, free.tokens.indexOf(eosId) + 1));
    const decode = (ids: readonly number[]) => ids.map((i) => String.fromCharCode(97 + (i % 26))).join('');
    const stop = decode(free.tokens.slice(4, 6));
    let end = 1;
    while (!decode(free.tokens.slice(0, end)).includes(stop)) end++;
    const [stopped] = await generate(model, PROMPT, { ...greedy, stopStrings: [stop], decode });
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.tokens).toEqual(free.tokens.slice(0, end));
    expect(stopped.text).toBe(decode(free.tokens.slice(0, end)));
    model.dispose();
  });

  it('rejects a prompt that leaves no room below max_position_embeddings, and bad ids', async () => {
    const model = await tinyModel();
    const long = Array.from({ length: 60 }, (_, i) => i % 37);
    const o = { temperature: 1, maxNewTokens: 5, uniform: streams(1) };
    await expect(generate(model, long, o)).rejects.toThrow(/65 positions.*max_position_embeddings \(64\)/);
    await expect(generate(model, [1, 99], o)).rejects.toThrow(/prompt token 1 is 99/);
    await expect(generate(model, PROMPT, { ...o, uniform: () => 1 })).rejects.toThrow(/outside \[0, 1\)/);
    const [one] = await generate(model, long.slice(0, 63), { ...o, maxNewTokens: 1 });
    expect(one.tokens.length).toBe(1);
    model.dispose();
  });
});
