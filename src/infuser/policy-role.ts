// A policy role on the WGSL engine: samples with the KV cache and learns with clipped PPO (spec §4).
// The Generator is one; the Solver (influence-role.ts) extends it with influence scoring.
import type { Engine } from '../engine/engine.ts';
import type { AdamW } from '../engine/optim/adamw.ts';
import { ppoLoss } from '../engine/ops/ppo-loss.ts';
import type { LlamaModel } from '../model/llama.ts';
import { generate } from '../model/generate.ts';
import { sequenceLogprobs } from '../model/losses.ts';
import type { ModelConfig } from '../model/model-config.ts';
import type { TextTokenizer } from '../model/tokenizer.ts';
import { renderChat, type ChatMessage } from './prompts.ts';
import { streamFor, type Stream } from './rng.ts';
import type { PolicyRole, PpoSettings, RoleCheckpoint, Sample, SampleRequest, TrainRow, UpdateReport } from './roles.ts';

export interface LoadedModel {
  config: ModelConfig;
  weights: Map<string, Float32Array>;
  tokenizer: TextTokenizer;
}

/** Per-token weights over a [L] log-prob vector: `value` on the response positions, 0 on the prompt. */
export function responseWeights(promptLength: number, responseLength: number, value: number): Float32Array {
  const L = promptLength + responseLength;
  const w = new Float32Array(L);
  // entry t of sequenceLogprobs is the log-prob of token t + 1
  for (let t = promptLength - 1; t < L - 1; t++) w[t] = value;
  return w;
}

export class EnginePolicyRole implements PolicyRole {
  constructor(
    readonly engine: Engine,
    readonly model: LlamaModel,
    readonly tokenizer: TextTokenizer,
    readonly opt: AdamW,
    readonly seed: number,
  ) {}

  async encodeChat(messages: ChatMessage[]): Promise<number[]> {
    const text = renderChat(messages, this.tokenizer.chatTemplate, true, {
      bos_token: this.tokenizer.bosId !== null ? this.tokenizer.idToToken(this.tokenizer.bosId) ?? '' : '',
    });
    return this.tokenizer.encode(text);
  }

  async decode(ids: number[]): Promise<string> {
    return this.tokenizer.decode(ids, { skipSpecialTokens: true });
  }

  async sample(req: SampleRequest): Promise<Sample[]> {
    const streams: Stream[] = [];
    const streamOf = (row: number) => (streams[row] ??= streamFor(this.seed, req.stream, ...req.keys, row));
    const out = await generate(this.model, req.promptIds, {
      n: req.n,
      temperature: req.sampling.temperature,
      topP: req.sampling.topP,
      maxNewTokens: Math.min(req.sampling.maxNewTokens, this.model.cfg.maxPositionEmbeddings - req.promptIds.length),
      eosIds: this.tokenizer.eosIds,
      decode: (ids) => this.tokenizer.decode([...ids], { skipSpecialTokens: true }),
      uniform: (row, pos) => streamOf(row).uniformAt(pos),
    });
    return out.map((s) => ({ tokens: s.tokens, logprobs: s.logprobs, text: s.text ?? '', finish: s.finishReason }));
  }

  /** ℓ^old of every row, recomputed by the training forward before any step (spec §9.3). */
  private async oldLogprobs(rows: TrainRow[], temperature: number): Promise<Float32Array[]> {
    const e = this.engine;
    // Every row's forward is recorded first, then one readback (intermediates freed by tidy as it goes).
    const logps = rows.map((r) => e.tidy(() => e.tape.noGrad(() => sequenceLogprobs(this.model, [...r.promptIds, ...r.responseIds], temperature))));
    const out = logps.length ? await e.readMany(logps) : [];
    logps.forEach((t) => t.dispose());
    return out;
  }

  async update(rows: TrainRow[], miniBatches: number[][], normaliser: number, ppo: PpoSettings): Promise<UpdateReport> {
    const e = this.engine;
    const old = await this.oldLogprobs(rows, ppo.temperature);
    const diffs: number[] = [];
    rows.forEach((r, i) => {
      r.samplingLogprobs?.forEach((lp, j) => diffs.push(Math.abs(lp - old[i][r.promptIds.length - 1 + j])));
    });
    let pgLoss = 0;
    let gradNorm = 0;
    let steps = 0;
    let skipped = 0;
    const sums = { clippedTokens: 0, dualClippedTokens: 0, klSum: 0, tokenCount: 0 };
    for (const mb of miniBatches) {
      if (mb.length === 0) continue;
      const parts = e.tidy(() =>
        mb.map((i) => {
          const r = rows[i];
          const ids = [...r.promptIds, ...r.responseIds];
          const logp = sequenceLogprobs(this.model, ids, ppo.temperature);
          const L = ids.length;
          const out = ppoLoss(
            logp,
            e.fromArray(old[i], [L]),
            e.fromArray(new Float32Array(L).fill(r.advantage), [L]),
            e.fromArray(responseWeights(r.promptIds.length, r.responseIds.length, 1), [L]),
            { clipLow: ppo.clipLow, clipHigh: ppo.clipHigh, dualClip: ppo.dualClip, normaliser },
          );
          e.tape.backward(out.loss);
          return out;
        }),
      );
      const report = await this.opt.step();
      this.opt.zeroGrad();
      // One readback for the mini-batch: losses [1] and metrics [clipped, dual-clipped, Σ kl, tokens].
      const read = await e.readMany(parts.flatMap((p) => [p.loss, p.metrics]));
      const losses = read.filter((_, i) => i % 2 === 0);
      for (const [clipped, dualClipped, kl, count] of read.filter((_, i) => i % 2 === 1)) {
        sums.clippedTokens += clipped;
        sums.dualClippedTokens += dualClipped;
        sums.klSum += kl;
        sums.tokenCount += count;
      }
      parts.forEach((p) => {
        p.loss.dispose();
        p.metrics.dispose();
      });
      pgLoss += losses.reduce((s, l) => s + l[0], 0);
      gradNorm += report.gradNorm;
      if (report.isSkipped) skipped++;
      steps++;
    }
    const tokens = Math.max(1, sums.tokenCount);
    return {
      steps,
      skippedSteps: skipped,
      pgLoss: steps ? pgLoss / steps : 0,
      pgClipfrac: sums.clippedTokens / tokens,
      pgClipfracLower: sums.dualClippedTokens / tokens,
      ppoKl: sums.klSum / tokens,
      gradNorm: steps ? gradNorm / steps : 0,
      lr: this.opt.lr,
      logpAbsDiffMean: diffs.length ? diffs.reduce((a, b) => a + b, 0) / diffs.length : 0,
      logpAbsDiffMax: diffs.length ? Math.max(...diffs) : 0,
    };
  }

  async checkpoint(): Promise<RoleCheckpoint> {
    const weights = await this.model.readWeights();
    const optimizer = await this.opt.exportState();
    return { weights: Object.fromEntries(weights), optimizer };
  }

  async restore(c: RoleCheckpoint): Promise<void> {
    this.model.loadWeights(new Map(Object.entries(c.weights)));
    this.opt.importState(c.optimizer);
    await this.engine.sync();
  }

  async optimizerStep(): Promise<number> {
    return this.opt.t;
  }

  async numLayers(): Promise<number> {
    return this.model.cfg.numHiddenLayers;
  }

  dispose(): void {
    this.model.dispose();
    this.opt.dispose();
  }
}

