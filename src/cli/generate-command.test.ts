// `infuser-lab generate` through the real CLI on a tiny model with the byte-level tokenizer: the JSON
// carries texts, tokens and log-probs; log-probs and greedy choices agree with the float64 reference.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderChat } from '../infuser/prompts.ts';
import { byteTokenizerConfig, byteTokenizerJson } from '../model/byte-tokenizer.ts';
import { saveHfFolder } from '../model/hf-folder.ts';
import { parameterSpecs, type ModelConfig } from '../model/model-config.ts';
import { NodeFolder } from '../model/node-folder.ts';
import { randomWeights, tinyModelConfig } from '../model/random-model.ts';
import { referenceLogits } from '../model/reference-model.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import { runCli, runJson, tempDir } from './cli-test-helpers.ts';

interface Output {
  prompt_tokens: number[];
  samples: { text: string; tokens: number[]; logprobs: number[]; finish_reason: string }[];
}

const tokenizer = TextTokenizer.fromJson({ tokenizerJson: byteTokenizerJson(), tokenizerConfig: byteTokenizerConfig() });
const cfg: ModelConfig = tinyModelConfig('Qwen2ForCausalLM', { vocabSize: 259, maxPositionEmbeddings: 128, eosTokenIds: [258] });
const weights = randomWeights(cfg, 31, 0.3);
let dir = '';

beforeAll(async () => {
  dir = join(await tempDir('gen'), 'model');
  const tensors = parameterSpecs(cfg).map(({ name, shape }) => ({ name, shape, data: weights.get(name)! }));
  await saveHfFolder(new NodeFolder(dir), { config: cfg, tensors, tokenizer });
});

/** log softmax(z / T) rows of the float64 reference over prompt + response. */
function referenceLogprobs(ids: number[], T: number): (pos: number, token: number) => number {
  const z = referenceLogits(cfg, weights, ids);
  const V = cfg.vocabSize;
  return (pos, token) => {
    const row = Array.from(z.subarray(pos * V, (pos + 1) * V), (x) => x / T);
    const m = Math.max(...row);
    return row[token] - m - Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
  };
}

describe('infuser-lab generate', () => {
  it('--chat samples n continuations whose log-probs match the float64 reference, reproducibly per seed', async () => {
    const args = ['generate', '--model', dir, '--prompt', 'hi there', '--chat', '--n', '3', '--max-new', '6', '--temperature', '0.8', '--top-k', '20', '--seed', '4'];
    const out = await runJson<Output>(args);
    expect(out.prompt_tokens).toEqual(tokenizer.encode(renderChat([{ role: 'user', content: 'hi there' }], byteTokenizerConfig().chat_template as string)));
    expect(out.samples.length).toBe(3);
    for (const s of out.samples) {
      expect(s.tokens.length).toBe(s.logprobs.length);
      expect(s.finish_reason).toBe(s.tokens.at(-1) === 258 ? 'eos' : 'length');
      expect(s.text).toBe(tokenizer.decode(s.tokens, { skipSpecialTokens: true }));
      const ref = referenceLogprobs([...out.prompt_tokens, ...s.tokens], 0.8);
      s.tokens.forEach((tok, j) => expect(Math.abs(s.logprobs[j] - ref(out.prompt_tokens.length - 1 + j, tok))).toBeLessThan(1e-4));
    }
    expect(new Set(out.samples.map((s) => s.tokens.join())).size).toBeGreaterThan(1);
    expect(await runJson<Output>(args)).toEqual(out);
    const other = await runJson<Output>(args.map((a, i) => (args[i - 1] === '--seed' ? '5' : a)));
    expect(other.samples.map((s) => s.tokens)).not.toEqual(out.samples.map((s) => s.tokens));
  });

  it('--temperature 0 is greedy: every token is the reference argmax', async () => {
    const out = await runJson<Output>(['generate', '--model', dir, '--prompt', 'abc', '--max-new', '5', '--temperature', '0']);
    const [s] = out.samples;
    const ids = [...out.prompt_tokens, ...s.tokens];
    const z = referenceLogits(cfg, weights, ids);
    const V = cfg.vocabSize;
    s.tokens.forEach((tok, j) => {
      const row = z.subarray((out.prompt_tokens.length - 1 + j) * V, (out.prompt_tokens.length + j) * V);
      expect(tok).toBe(row.indexOf(Math.max(...row)));
    });
  });

  it('refuses a prompt longer than the model allows, naming max_position_embeddings', async () => {
    const r = await runCli(['generate', '--model', dir, '--prompt', 'x'.repeat(126), '--max-new', '8']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/max_position_embeddings \(128\)/);
  });
});
