// The Solver role: a policy role that also scores questions by influence (spec §6, §9.4).
//
// Gradients are taken on-policy (ρ ≡ 1, so each token contributes −A_i ∇ℓ_t), with the constant
// normalisers of eqs. (15)/(16), and no clipping. The dev reference vector u is kept on the GPU. Exact
// scores (and the sparse projections) take each question's gradient from zero and reduce it to a few
// sums per parameter tensor on the GPU (influence-gpu.ts); the factored projection sketches every
// question from one batched backward (factored-sketch.ts). No gradient-sized data crosses to the CPU.
import { add, scale } from '../engine/ops/elementwise.ts';
import type { Tensor } from '../engine/tensor.ts';
import { EnginePolicyRole } from './policy-role.ts';
import { answerRows, backwardRows, chunkRows, type WeightedRow } from './policy-gradient-batch.ts';
import { FactoredSketch } from './factored-sketch.ts';
import { InfluenceSumsGpu, type InfluenceScore, type SecondMomentLike } from './influence-gpu.ts';
import { GradientProjector, projectedCosine, type ProjectedArrays } from './projection.ts';
import { NORM_FLOOR, scoreOf, type SimilarityMode } from './similarity.ts';
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
   * returns the loss value (the on-policy policy loss of eqs. (15)/(16)), in batched chunks.
   */
  private async accumulatePolicyGradient(groups: AnswerGroup[], D: number, temperature: number): Promise<number> {
    const rows = groups.flatMap((g) => answerRows(g, D));
    const losses = chunkRows(rows, this.tokenBudget).map((chunk) => backwardRows(this.model, chunk, temperature));
    const values = losses.length ? await this.engine.readMany(losses) : [];
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
    const zeros = (): QuestionInfluence => ({
      score: 0, dot: 0, cosine: 0, preconditionedDot: 0, preconditionedCosine: 0, gammaNorm: 0, gradNorm: 0,
      layers: new Array<number>(numLayers + 2).fill(0),
    });
    if (dev.length === 0) {
      return { hasReference: false, refNorm: 0, devPgLoss: 0, devGradNorm: 0, devQuestions: 0, questions: questions.map(zeros) };
    }
    const t0 = performance.now();
    const { u, pgLoss } = await this.devReference(dev, s);
    await this.engine.sync();
    const t1 = performance.now();
    const moment = this.opt.getSecondMoment();
    const secondMoment = { v: moment.t > 0 ? moment.v : null, t: moment.t, beta2: moment.beta2, eps: moment.eps };
    const exactSums = new InfluenceSumsGpu(this.model.names, u);
    const wantExact = s.mode === 'exact' || s.calibrate;
    const factored = s.mode === 'projected' && s.projection.family === 'factored';
    const sketched = factored ? await this.factoredInfluence(u, questions, s, secondMoment, numLayers) : null;
    const projector = s.mode === 'projected' && !factored ? this.projector(s) : null;
    const fV = projector ? await projector.readAsync(projector.projectDevRef(u, s.projection.option, secondMoment)) : null;
    const LG = this.meanLength(questions);
    const out: QuestionInfluence[] = [];
    for (const [qi, q] of questions.entries()) {
      if (sketched && !wantExact) {
        out.push({ ...zeros(), ...sketched[qi] });
        continue;
      }
      this.model.zeroGrad();
      await this.accumulatePolicyGradient([q], LG * q.responses.length, s.temperature);
      const grads = this.grads();
      const exact = wantExact ? this.toInfluence(await exactSums.scoreAsync(grads, secondMoment), s.similarityMode, numLayers) : null;
      if (sketched) {
        out.push({ ...exact!, ...sketched[qi], exactScore: exact!.score });
        continue;
      }
      if (!projector || !fV) {
        out.push(exact!);
        continue;
      }
      const fq = await projector.readAsync(projector.projectQuestion(grads, s.projection.option, secondMoment));
      out.push({ ...(exact ?? zeros()), ...this.projectedScore(fq, fV, projector.groups, numLayers), exactScore: exact?.score });
    }
    this.model.zeroGrad();
    const refSq = (await exactSums.scoreAsync(u, { v: null, t: 0, beta2: moment.beta2, eps: moment.eps })).sums.refSq;
    exactSums.dispose();
    projector?.dispose();
    if (!this.reference) u.forEach((t) => t.dispose());
    const seconds = { reference: (t1 - t0) / 1000, questions: (performance.now() - t1) / 1000 };
    return {
      seconds,
      hasReference: true,
      refNorm: Math.sqrt(refSq),
      devPgLoss: pgLoss,
      devGradNorm: Math.sqrt(refSq),
      devQuestions: dev.length,
      questions: out,
    };
  }

  /**
   * Projected scores with the factored P3 sketch (factored-sketch.ts): one batched backward over the
   * questions' answers (chunked), each question's rows consecutive and equally many, so that the
   * gradient taps can sum each question's per-token sketches. Degenerate questions score 0.
   */
  private async factoredInfluence(
    u: Tensor[],
    questions: AnswerGroup[],
    s: InfluenceSettings,
    moment: SecondMomentLike,
    numLayers: number,
  ): Promise<{ score: number; layers: number[] }[]> {
    if (s.projection.option !== 'P3') {
      throw new Error(`influence.projection.family "factored" sketches option P3 only (got ${s.projection.option}); set the option to P3 or the family to "sparse"`);
    }
    const params = this.model.parameters();
    const sketch = new FactoredSketch(this.engine, this.model.names, params.map((p) => p.shape), {
      k: s.projection.k,
      seed: this.seed,
      iteration: s.projection.redraw === 'fixed' ? 'fixed' : s.iteration,
    });
    try {
      const pre = PRECONDITIONED.has(s.similarityMode);
      sketch.setReference(u, pre ? moment : null);
      const active = questions.flatMap((q, i) => (q.advantages.some((a) => a !== 0) ? [i] : []));
      const n = Math.max(0, ...active.map((i) => questions[i].responses.length));
      const LG = this.meanLength(questions);
      // n rows per question (missing answers padded with zero weight), so each question spans n · T tokens
      const rowsOf = active.map((i): WeightedRow[] => {
        const q = questions[i];
        const rows = answerRows(q, LG * q.responses.length, true);
        while (rows.length < n) rows.push({ ids: rows[0].ids, weights: new Float32Array(rows[0].ids.length) });
        return rows;
      });
      const longest = rowsOf.map((rows) => Math.max(...rows.map((r) => r.ids.length)));
      for (let at = 0; at < active.length; ) {
        let count = 1;
        let T = longest[at];
        while (at + count < active.length && (count + 1) * n * Math.max(T, longest[at + count]) <= this.tokenBudget) {
          T = Math.max(T, longest[at + count]);
          count++;
        }
        const chunk = rowsOf.slice(at, at + count);
        const detach = sketch.attach(params, at, chunk.length, n * T);
        try {
          backwardRows(this.model, chunk.flat(), s.temperature).dispose();
        } finally {
          detach();
        }
        at += chunk.length;
      }
      const stray = params.find((p) => p.grad);
      if (stray) throw new Error(`factored influence: parameter ${stray.name} received a gradient no tap saw`);
      const r = await sketch.read(active.length);
      const out = questions.map(() => ({ score: 0, layers: new Array<number>(numLayers + 2).fill(0) }));
      const cosine = s.similarityMode === 'cosine' || s.similarityMode === 'preconditioned_cosine';
      active.forEach((qi, j) => {
        const denom = cosine ? Math.max(r.norm[j], NORM_FLOOR) * Math.max(r.refNorm, NORM_FLOOR) : 1;
        out[qi].score = r.dot[j] / denom;
        sketch.groups.forEach((g, gi) => (out[qi].layers[layerRow(g, numLayers)] += r.groupDots[gi][j] / denom));
      });
      return out;
    } finally {
      sketch.dispose();
    }
  }

  /** One P per iteration (or per run) from the run seed (§9.4 R1, R2); sparse JL, the O(d) family. */
  private projector(s: InfluenceSettings): GradientProjector {
    const params = this.model.parameters();
    return new GradientProjector(this.engine, this.model.names, params.map((p) => p.size), {
      family: 'sparse',
      k: s.projection.k,
      seed: this.seed,
      iteration: s.projection.redraw === 'fixed' ? 'fixed' : s.iteration,
    });
  }

  /** Projected cosine and its per-group shares ⟨f_q,g, f_V⟩ / (‖f_q‖ ‖f_V‖), which add up to it. */
  private projectedScore(fq: ProjectedArrays, fV: ProjectedArrays, groups: readonly string[], numLayers: number) {
    const score = projectedCosine(fq.features, fV.features);
    const norm = (x: ArrayLike<number>) => {
      let sq = 0;
      for (let j = 0; j < x.length; j++) sq += x[j] * x[j];
      return Math.sqrt(sq);
    };
    const denom = Math.max(norm(fq.features), 1e-12) * Math.max(norm(fV.features), 1e-12);
    const layers = new Array<number>(numLayers + 2).fill(0);
    groups.forEach((g, gi) => {
      let dot = 0;
      const part = fq.groupFeatures[gi];
      for (let j = 0; j < part.length; j++) dot += part[j] * fV.features[j];
      layers[layerRow(g, numLayers)] += dot / denom;
    });
    return { score, layers };
  }

  override async checkpoint(): Promise<RoleCheckpoint> {
    const c = await super.checkpoint();
    if (this.reference) c.extra = { ...c.extra, reference: await this.engine.readMany(this.reference) };
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
