// A policy role on the WGSL engine: samples with the KV cache and learns with clipped PPO (spec §4).
// The Generator is one; the Solver (influence-role.ts) extends it with influence scoring.
import type { Engine } from '../engine/engine.ts';
import type { AdamW } from '../engine/optim/adamw.ts';
import { ppoLoss, type PpoLossOutput } from '../engine/ops/ppo-loss.ts';
import { reshape } from '../engine/ops/reshape.ts';
import type { LlamaModel } from '../model/llama.ts';
import { generate } from '../model/generate.ts';
import { batchSequenceLogprobs } from '../model/losses.ts';
import type { ModelConfig } from '../model/model-config.ts';
import type { TextTokenizer } from '../model/tokenizer.ts';
import { renderChat, type ChatMessage } from './prompts.ts';
import { streamFor, type Stream } from './rng.ts';
import { defaultTokenBudget, packRows, padVectors } from './row-batches.ts';
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

/** RoleCheckpoint.extra key of the frozen KL reference weights, in the model's parameter order. */
const KL_REFERENCE = 'kl_reference';

export class EnginePolicyRole implements PolicyRole {
  /** Cap on rows × padded length per batched forward; gradients accumulate across chunks. */
  tokenBudget: number;
  /** Frozen starting weights for the KL penalty (`keepReference`); null when no penalty is asked for. */
  private klReference: LlamaModel | null = null;

  constructor(
    readonly engine: Engine,
    readonly model: LlamaModel,
    readonly tokenizer: TextTokenizer,
    readonly opt: AdamW,
    readonly seed: number,
  ) {
    this.tokenBudget = defaultTokenBudget(model.cfg.vocabSize);
  }

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

  /**
   * Freezes the current weights as the KL reference. Call it before any update or checkpoint restore,
   * so the reference is the model the run started from (a resumed run rebuilds it from the same start).
   */
  keepReference(): void {
    this.klReference ??= this.model.frozenCopy();
  }

  /**
   * Log-probs of every row ([L] each, last entry meaningless) under `model`: ℓ^old under the policy,
   * recomputed before any step (spec §9.3), or ℓ^ref under the frozen reference.
   */
  private async rowLogprobs(rows: TrainRow[], temperature: number, model = this.model): Promise<Float32Array[]> {
    const e = this.engine;
    const ids = rows.map((r) => [...r.promptIds, ...r.responseIds]);
    const chunks = packRows(ids.map((_, i) => i), ids.map((r) => r.length), this.tokenBudget);
    // Every chunk's forward is recorded first, then one readback (intermediates freed by tidy as it goes).
    const logps = chunks.map((c) => e.tidy(() => e.tape.noGrad(() => batchSequenceLogprobs(model, c.map((i) => ids[i]), temperature))));
    const read = logps.length ? await e.readMany(logps) : [];
    logps.forEach((t) => t.dispose());
    const out: Float32Array[] = new Array(rows.length);
    chunks.forEach((c, k) => {
      const T = logps[k].shape[1];
      c.forEach((i, b) => (out[i] = read[k].slice(b * T, b * T + ids[i].length)));
    });
    return out;
  }

  /**
   * Loss and metrics of one chunk of rows as one padded batch, with its backward run: the same sums
   * as row-by-row, since prompt and padded positions carry weight 0.
   */
  private chunkLoss(rows: TrainRow[], old: Float32Array[], ref: Float32Array[] | null, normaliser: number, ppo: PpoSettings): PpoLossOutput {
    const e = this.engine;
    const ids = rows.map((r) => [...r.promptIds, ...r.responseIds]);
    const logp = batchSequenceLogprobs(this.model, ids, ppo.temperature);
    const [B, T] = logp.shape;
    const advantages = rows.map((r, b) => new Float32Array(ids[b].length).fill(r.advantage));
    const weights = rows.map((r) => responseWeights(r.promptIds.length, r.responseIds.length, 1));
    const out = ppoLoss(
      reshape(logp, [B * T]),
      e.fromArray(padVectors(old, T), [B * T]),
      e.fromArray(padVectors(advantages, T), [B * T]),
      e.fromArray(padVectors(weights, T), [B * T]),
      { clipLow: ppo.clipLow, clipHigh: ppo.clipHigh, dualClip: ppo.dualClip, normaliser, klCoef: ref ? ppo.klCoef : 0 },
      ref ? e.fromArray(padVectors(ref, T), [B * T]) : null,
    );
    e.tape.backward(out.loss);
    return out;
  }

  /** One optimizer step over a mini-batch: Σ of its chunks' losses, metric sums and the step report. */
  private async miniBatchStep(
    rows: TrainRow[],
    mb: number[],
    old: Float32Array[],
    ref: Float32Array[] | null,
    normaliser: number,
    ppo: PpoSettings,
  ) {
    const e = this.engine;
    const lengths = rows.map((r) => r.promptIds.length + r.responseIds.length);
    const parts = packRows(mb, lengths, this.tokenBudget).map((c) =>
      e.tidy(() => this.chunkLoss(c.map((i) => rows[i]), c.map((i) => old[i]), ref && c.map((i) => ref[i]), normaliser, ppo)),
    );
    const report = await this.opt.step();
    this.opt.zeroGrad();
    // One readback for the mini-batch: losses [1] and metrics [clipped, dual-clipped, Σ kl, tokens, Σ w k].
    const read = await e.readMany(parts.flatMap((p) => [p.loss, p.metrics]));
    parts.forEach((p) => {
      p.loss.dispose();
      p.metrics.dispose();
    });
    const metrics = [0, 0, 0, 0, 0];
    let loss = 0;
    read.forEach((v, k) => {
      if (k % 2 === 0) loss += v[0];
      else v.forEach((x, j) => (metrics[j] += x));
    });
    return { loss, metrics, report };
  }

  async update(rows: TrainRow[], miniBatches: number[][], normaliser: number, ppo: PpoSettings): Promise<UpdateReport> {
    const beta = ppo.klCoef ?? 0;
    if (beta > 0 && !this.klReference) {
      throw new Error(`KL penalty ${beta} asked for, but this role kept no reference weights (keepReference was not called when it was built)`);
    }
    const old = await this.rowLogprobs(rows, ppo.temperature);
    const ref = beta > 0 ? await this.rowLogprobs(rows, ppo.temperature, this.klReference!) : null;
    const diffs: number[] = [];
    rows.forEach((r, i) => {
      r.samplingLogprobs?.forEach((lp, j) => diffs.push(Math.abs(lp - old[i][r.promptIds.length - 1 + j])));
    });
    let pgLoss = 0;
    let gradNorm = 0;
    let steps = 0;
    let skipped = 0;
    let klLoss = 0;
    const sums = [0, 0, 0, 0]; // clipped tokens, dual-clipped tokens, Σ kl, tokens
    for (const mb of miniBatches) {
      if (mb.length === 0) continue;
      const { loss, metrics, report } = await this.miniBatchStep(rows, mb, old, ref, normaliser, ppo);
      sums.forEach((_, j) => (sums[j] += metrics[j]));
      // verl reports the policy-gradient and KL parts of the step's loss apart.
      const kl = metrics[4] / normaliser;
      klLoss += kl;
      pgLoss += loss - beta * kl;
      gradNorm += report.gradNorm;
      if (report.isSkipped) skipped++;
      steps++;
    }
    const tokens = Math.max(1, sums[3]);
    return {
      steps,
      skippedSteps: skipped,
      pgLoss: steps ? pgLoss / steps : 0,
      pgClipfrac: sums[0] / tokens,
      pgClipfracLower: sums[1] / tokens,
      ppoKl: sums[2] / tokens,
      klLoss: steps ? klLoss / steps : 0,
      gradNorm: steps ? gradNorm / steps : 0,
      lr: this.opt.lr,
      logpAbsDiffMean: diffs.length ? diffs.reduce((a, b) => a + b, 0) / diffs.length : 0,
      logpAbsDiffMax: diffs.length ? Math.max(...diffs) : 0,
    };
  }

  async checkpoint(): Promise<RoleCheckpoint> {
    const weights = await this.model.readWeights();
    const optimizer = await this.opt.exportState();
    const c: RoleCheckpoint = { weights: Object.fromEntries(weights), optimizer };
    // A resumed run is built from the checkpoint's weights, so the KL reference travels with it.
    if (this.klReference) c.extra = { [KL_REFERENCE]: await this.engine.readMany(this.klReference.parameters()) };
    return c;
  }

  async restore(c: RoleCheckpoint): Promise<void> {
    this.model.loadWeights(new Map(Object.entries(c.weights)));
    this.opt.importState(c.optimizer);
    const ref = c.extra?.[KL_REFERENCE];
    if (ref) {
      if (ref.length !== this.model.names.length) {
        throw new Error(`checkpoint: ${KL_REFERENCE} holds ${ref.length} tensors but the model has ${this.model.names.length} parameters`);
      }
      this.klReference ??= this.model.frozenCopy();
      this.klReference.loadWeights(new Map(this.model.names.map((name, i) => [name, ref[i]])));
    }
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
    this.klReference?.dispose();
    this.opt.dispose();
  }
}

