// The Solver role: a policy role that also scores questions by influence (spec §6, §9.4).
//
// Gradients are taken on-policy (ρ ≡ 1, so each token contributes −A_i ∇ℓ_t), with the constant
// normalisers of eqs. (15)/(16), and no clipping. The dev reference vector u is kept on the GPU; each
// question's gradient starts from zero and is reduced to a few sums per parameter tensor on the GPU
// (influence-gpu.ts), so no gradient-sized data crosses to the CPU.
import { add, mul, scale } from '../engine/ops/elementwise.ts';
import { sum } from '../engine/ops/reduce.ts';
import type { Tensor } from '../engine/tensor.ts';
import { sequenceLogprobs } from '../model/losses.ts';
import { EnginePolicyRole, responseWeights } from './policy-role.ts';
import { InfluenceSumsGpu, type InfluenceScore } from './influence-gpu.ts';
import { scoreOf, type SimilarityMode } from './similarity.ts';
import type { AnswerGroup, InfluenceReport, InfluenceSettings, QuestionInfluence, RoleCheckpoint } from './roles.ts';

/** Row of the layer heatmap for an influence group: layers 0..L-1, then embed (L), then head (L+1). */
export function layerRow(group: string, numLayers: number): number {
  if (group.startsWith('layers.')) return Number(group.slice('layers.'.length));
  return group === 'embed' ? numLayers : numLayers + 1;
}

const PRECONDITIONED: ReadonlySet<SimilarityMode> = new Set(['preconditioned_dot', 'preconditioned_cosine']);

export class EngineSolverRole extends EnginePolicyRole {
  /** u, kept across iterations only when use_momentum is on. */
  private reference: Tensor[] | null = null;

  /**
   * Accumulates ∇ of −(1/D) Σ_i A_i Σ_t ℓ_t over the groups' answers into the parameters' .grad and
   * returns the loss value (the on-policy policy loss of eqs. (15)/(16)).
   */
  private async accumulatePolicyGradient(groups: AnswerGroup[], D: number, temperature: number): Promise<number> {
    const e = this.engine;
    const losses: Tensor[] = [];
    for (const g of groups) {
      g.responses.forEach((resp, i) => {
        if (g.advantages[i] === 0) return; // contributes nothing
        losses.push(
          e.keep(
            e.tidy(() => {
              const ids = [...g.promptIds, ...resp];
              const logp = sequenceLogprobs(this.model, ids, temperature);
              const w = e.fromArray(responseWeights(g.promptIds.length, resp.length, -g.advantages[i] / D), [ids.length]);
              const loss = sum(mul(logp, w));
              e.tape.backward(loss);
              return loss;
            }),
          ),
        );
      });
    }
    const values = losses.length ? await e.readMany(losses) : [];
    losses.forEach((l) => l.dispose());
    return values.reduce((s, v) => s + v[0], 0);
  }

  private grads(): Tensor[] {
    return this.model.parameters().map((p) => {
      if (!p.grad) p.grad = this.engine.keep(this.engine.zeros(p.shape, `${p.name} grad`));
      return p.grad;
    });
  }

  private meanLength(groups: AnswerGroup[]): number {
    const lens = groups.flatMap((g) => g.responses.map((r) => r.length));
    return lens.length ? Math.max(1, lens.reduce((a, b) => a + b, 0) / lens.length) : 1;
  }

  /** u from the dev groups (15), optionally as an EMA across iterations (§6.2). */
  private async devReference(dev: AnswerGroup[], s: InfluenceSettings): Promise<{ u: Tensor[]; pgLoss: number }> {
    const e = this.engine;
    this.model.zeroGrad();
    const rows = dev.reduce((n, g) => n + g.responses.length, 0);
    const pgLoss = await this.accumulatePolicyGradient(dev, this.meanLength(dev) * rows, s.temperature);
    const g = this.grads();
    let u: Tensor[];
    if (s.useMomentum && this.reference) {
      const prev = this.reference;
      u = e.tape.noGrad(() => prev.map((p, i) => e.keep(add(scale(p, s.momentumBeta), scale(g[i], 1 - s.momentumBeta)))));
      prev.forEach((t) => t.dispose());
    } else {
      u = g.map((t) => {
        const c = e.keep(e.empty(t.shape, 'u'));
        e.copy(t, c);
        return c;
      });
      this.reference?.forEach((t) => t.dispose());
    }
    this.reference = s.useMomentum ? u : null;
    this.model.zeroGrad();
    return { u, pgLoss };
  }

  /** The active score and its per-layer shares (each group's numerator over the common denominator). */
  private toInfluence(r: InfluenceScore, mode: SimilarityMode, numLayers: number): QuestionInfluence {
    const score = scoreOf(r.similarity, mode);
    const pre = PRECONDITIONED.has(mode);
    const numerator = pre ? r.sums.preconditionedDot : r.sums.dot;
    const layers = new Array<number>(numLayers + 2).fill(0);
    for (const g of r.perGroup) {
      const part = pre ? g.sums.preconditionedDot : g.sums.dot;
      layers[layerRow(g.group, numLayers)] += numerator !== 0 ? (part / numerator) * score : 0;
    }
    const sim = r.similarity;
    return {
      score,
      dot: sim.dot,
      cosine: sim.cosine,
      preconditionedDot: sim.preconditionedDot,
      preconditionedCosine: sim.preconditionedCosine,
      gammaNorm: sim.gammaNorm,
      gradNorm: sim.gradNorm,
      layers,
    };
  }

  async influence(dev: AnswerGroup[], questions: AnswerGroup[], s: InfluenceSettings): Promise<InfluenceReport> {
    const numLayers = this.model.cfg.numHiddenLayers;
    const empty = (): QuestionInfluence => ({
      score: 0, dot: 0, cosine: 0, preconditionedDot: 0, preconditionedCosine: 0, gammaNorm: 0, gradNorm: 0,
      layers: new Array<number>(numLayers + 2).fill(0),
    });
    if (dev.length === 0) {
      return { hasReference: false, refNorm: 0, devPgLoss: 0, devGradNorm: 0, devQuestions: 0, questions: questions.map(empty) };
    }
    const { u, pgLoss } = await this.devReference(dev, s);
    const moment = this.opt.getSecondMoment();
    const LG = this.meanLength(questions);
    const out: QuestionInfluence[] = [];
    let refNormSq = 0;
    const projectedOnly = s.mode === 'projected' && !s.calibrate;
    const projected: { score: number; layers: number[] }[] | null = null; // PROJECTION-PENDING
    const gpuSums = new InfluenceSumsGpu(this.model.names, u);
    const secondMoment = { v: moment.t > 0 ? moment.v : null, t: moment.t, beta2: moment.beta2, eps: moment.eps };
    if (!projectedOnly) {
      for (const q of questions) {
        this.model.zeroGrad();
        await this.accumulatePolicyGradient([q], LG * q.responses.length, s.temperature);
        const r = await gpuSums.scoreAsync(this.grads(), secondMoment);
        refNormSq = r.sums.refSq;
        out.push(this.toInfluence(r, s.similarityMode, numLayers));
      }
    }
    this.model.zeroGrad();
    if (out.length === 0) refNormSq = (await gpuSums.scoreAsync(u, { v: null, t: 0, beta2: moment.beta2, eps: moment.eps })).sums.refSq;
    gpuSums.dispose();
    let questionsOut = out;
    if (projected) {
      questionsOut = projected.map((p, i) => ({ ...(out[i] ?? empty()), score: p.score, layers: p.layers, exactScore: out[i]?.score }));
      if (projectedOnly) questionsOut.forEach((q) => delete q.exactScore);
    }
    if (!this.reference) u.forEach((t) => t.dispose());
    return {
      hasReference: true,
      refNorm: Math.sqrt(refNormSq),
      devPgLoss: pgLoss,
      devGradNorm: Math.sqrt(refNormSq),
      devQuestions: dev.length,
      questions: questionsOut,
    };
  }

  override async checkpoint(): Promise<RoleCheckpoint> {
    const c = await super.checkpoint();
    if (this.reference) c.extra = { reference: await this.engine.readMany(this.reference) };
    return c;
  }

  override async restore(c: RoleCheckpoint): Promise<void> {
    await super.restore(c);
    this.reference?.forEach((t) => t.dispose());
    this.reference = null;
    const ref = c.extra?.reference;
    if (ref) {
      const params = this.model.parameters();
      this.reference = ref.map((data, i) => this.engine.keep(this.engine.fromArray(data, params[i].shape, 'u')));
    }
  }
}
