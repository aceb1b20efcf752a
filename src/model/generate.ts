// Batched generation of n samples of ONE prompt on the GPU model: the prompt is prefilled once with
// B = 1 (last position only), its key/value cache is fanned out to n sequences (KvCache.broadcast),
// then all n decode in lockstep, one forward and one [n, V] logits readback per step. Tokens are drawn
// on the CPU by sampling.ts with u = uniform(row, position), so callers key randomness on the spec's
// streams (§9.5, e.g. streamFor(seed, 'solver_sample', it, phase, q, a).uniformAt(position)).
// Callers: the CLI `generate` command and the Generator/Solver roles. Sampling log-probs serve only the
// rollout_corr health metric (§9.3); training recomputes them with its own forward.
import type { Tensor } from '../engine/tensor.ts';
import { KvCache } from './kv-cache.ts';
import type { LlamaModel } from './llama.ts';
import { checkSamplingOptions, sampleToken, type SamplingOptions } from './sampling.ts';

export type FinishReason = 'eos' | 'stop' | 'length';

export interface GenerateOptions extends SamplingOptions {
  /** Largest number of new tokens per sample (≥ 1). */
  maxNewTokens: number;
  /** Number of samples of the prompt (default 1). */
  n?: number;
  /** Token ids that end a sample; the EOS token is kept in `tokens` (it is part of the response). */
  eosIds?: readonly number[];
  /** Strings that end a sample once the decoded text contains one (needs `decode`). */
  stopStrings?: readonly string[];
  /** Token ids → text; when given, every sample carries its `text`. */
  decode?: (ids: readonly number[]) => string;
  /** u ∈ [0, 1) for sample `row` at response position `position` (0 = first new token). */
  uniform: (row: number, position: number) => number;
}

export interface GeneratedSample {
  /** The new tokens, EOS / stop-completing token included. */
  tokens: number[];
  /** log softmax(z / T)[token] of the full distribution for each new token (see sampling.ts). */
  logprobs: number[];
  finishReason: FinishReason;
  /** decode(tokens) when a decoder was given. */
  text?: string;
}

function checkOptions(model: LlamaModel, prompt: readonly number[], o: GenerateOptions): number {
  checkSamplingOptions(o);
  const n = o.n ?? 1;
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`generate: n must be a positive integer, got ${o.n}`);
  if (!(Number.isInteger(o.maxNewTokens) && o.maxNewTokens >= 1)) {
    throw new Error(`generate: max new tokens must be a positive integer, got ${o.maxNewTokens}`);
  }
  if (prompt.length === 0) throw new Error('generate: the prompt has no tokens');
  const V = model.cfg.vocabSize;
  const bad = prompt.findIndex((id) => !(Number.isInteger(id) && id >= 0 && id < V));
  if (bad >= 0) throw new Error(`generate: prompt token ${bad} is ${prompt[bad]}, outside the vocabulary [0, ${V})`);
  const need = prompt.length + o.maxNewTokens;
  const max = model.cfg.maxPositionEmbeddings;
  if (need > max) {
    throw new Error(
      `generate: a ${prompt.length}-token prompt plus ${o.maxNewTokens} new tokens needs ${need} positions, ` +
        `more than the model's max_position_embeddings (${max}); shorten the prompt or lower max new tokens`,
    );
  }
  if (o.stopStrings?.length && !o.decode) throw new Error('generate: stop strings need a decode function');
  return n;
}

/** One lockstep forward of `ids` (one token per row) under noGrad; returns logits rows [n][V]. */
async function stepLogits(model: LlamaModel, ids: number[][], cache: KvCache, lastOnly: boolean): Promise<Float32Array[]> {
  const e = model.engine;
  const logits: Tensor = e.tidy(() => e.tape.noGrad(() => model.forward(ids, { cache, lastOnly })));
  const flat = await logits.toArray();
  logits.dispose();
  const V = model.cfg.vocabSize;
  return ids.map((_, b) => flat.subarray(b * V, (b + 1) * V));
}

function drawU(o: GenerateOptions, row: number, position: number): number {
  const u = o.uniform(row, position);
  if (!(u >= 0 && u < 1)) throw new Error(`generate: uniform(${row}, ${position}) returned ${u}, outside [0, 1)`);
  return u;
}

/** Whether the decoded response contains a stop string (the whole text: a suffix could split a character). */
function hasStop(tokens: readonly number[], stops: readonly string[], decode?: (ids: readonly number[]) => string): boolean {
  if (stops.length === 0 || !decode) return false;
  const text = decode(tokens);
  return stops.some((t) => text.includes(t));
}

/** Samples n continuations of one prompt; see the file header for the batching scheme. */
export async function generate(model: LlamaModel, prompt: readonly number[], o: GenerateOptions): Promise<GeneratedSample[]> {
  const n = checkOptions(model, prompt, o);
  const e = model.engine;
  const eos = new Set(o.eosIds ?? []);
  const stops = o.stopStrings ?? [];
  const samples: GeneratedSample[] = Array.from({ length: n }, () => ({ tokens: [], logprobs: [], finishReason: 'length' }));
  const isDone = new Array<boolean>(n).fill(false);
  // The last sampled token is never fed back, so the cache needs one position less than the total.
  const capacity = prompt.length + o.maxNewTokens - 1;
  const single = new KvCache(e, model.cfg, 1, Math.max(capacity, prompt.length));
  let cache: KvCache | null = null;
  try {
    const [promptRow] = await stepLogits(model, [[...prompt]], single, true);
    let rows = Array.from({ length: n }, () => promptRow);
    cache = n === 1 ? single : single.broadcast(n, model.cfg);
    for (let pos = 0; pos < o.maxNewTokens; pos++) {
      for (let b = 0; b < n; b++) {
        if (isDone[b]) continue;
        const s = samples[b];
        const { token, logprob } = sampleToken(rows[b], drawU(o, b, pos), o);
        s.tokens.push(token);
        s.logprobs.push(logprob);
        const reason = eos.has(token) ? 'eos' : hasStop(s.tokens, stops, o.decode) ? 'stop' : null;
        if (reason) [isDone[b], s.finishReason] = [true, reason];
      }
      if (isDone.every(Boolean) || pos === o.maxNewTokens - 1) break;
      // Finished rows still ride along (the batch is fixed); their logits are ignored.
      rows = await stepLogits(model, samples.map((s) => [s.tokens[s.tokens.length - 1]]), cache, false);
    }
  } finally {
    if (cache !== single) cache?.dispose();
    single.dispose();
  }
  if (o.decode) for (const s of samples) s.text = o.decode(s.tokens);
  return samples;
}
