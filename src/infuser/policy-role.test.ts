// The batched PPO update (padded chunks of rows, one backward per chunk) against the row-by-row
// computation it replaces: same weights after the update and the same reported metrics, within float32
// summation-order tolerance, on a tiny random model with rows of different lengths.
import { describe, expect, it } from 'vitest';
import { ppoLoss } from '../engine/ops/ppo-loss.ts';
import { assertClose, testEngine } from '../engine/testing.ts';
import { sequenceLogprobs } from '../model/losses.ts';
import { mulberry32, randomWeights, tinyModelConfig } from '../model/random-model.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import { tinyTokenizerConfig, tinyTokenizerJson } from '../model/tiny-bpe-fixture.ts';
import { buildConfig } from './config.ts';
import { createEngineRole } from './engine-roles.ts';
import { EnginePolicyRole, responseWeights } from './policy-role.ts';
import { packRows, padVectors } from './row-batches.ts';
import type { PpoSettings, TrainRow, UpdateReport } from './roles.ts';

const PPO: PpoSettings = { temperature: 0.7, clipLow: 0.2, clipHigh: 0.28, dualClip: 1.1 };
const MINI_BATCHES = [[0, 3], [5, 1, 2], [4, 6]];
const D = 40;

function trainRows(): TrainRow[] {
  const rand = mulberry32(21);
  const ids = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 266));
  const shapes = [[3, 9], [7, 2], [5, 14], [2, 5], [9, 11], [4, 1], [6, 6]];
  return shapes.map(([p, r], i) => ({
    promptIds: ids(p),
    responseIds: ids(r),
    advantage: [0.9, -1.2, 0.4, -0.3, 1.5, -0.8, 0.6][i],
    ...(i % 2 === 0 ? { samplingLogprobs: Array.from({ length: r }, () => -6 * rand()) } : {}),
  }));
}

async function makeRole(klCoef = 0, overrides: Record<string, unknown> = {}): Promise<EnginePolicyRole> {
  const e = await testEngine();
  const cfg = tinyModelConfig('Qwen3ForCausalLM', { vocabSize: 266 });
  const tokenizer = TextTokenizer.fromJson({ tokenizerJson: tinyTokenizerJson(), tokenizerConfig: tinyTokenizerConfig() });
  // A large learning rate moves the policy enough in the first step that the second one clips.
  const config = buildConfig({ overrides: { 'generator.actor.optim.lr': 1e-2, 'generator.actor.kl_loss_coef': klCoef, ...overrides } });
  return createEngineRole(e, { config: cfg, weights: randomWeights(cfg, 5, 0.3), tokenizer }, config, 'generator', 9) as EnginePolicyRole;
}

/** The row-at-a-time update (one forward and backward per row), as the reference. */
async function perRowUpdate(role: EnginePolicyRole, rows: TrainRow[]): Promise<UpdateReport> {
  const e = role.engine;
  const seqs = rows.map((r) => [...r.promptIds, ...r.responseIds]);
  const logps = seqs.map((ids) => e.tidy(() => e.tape.noGrad(() => sequenceLogprobs(role.model, ids, PPO.temperature))));
  const old = await e.readMany(logps);
  logps.forEach((t) => t.dispose());
  const diffs = rows.flatMap((r, i) => (r.samplingLogprobs ?? []).map((lp, j) => Math.abs(lp - old[i][r.promptIds.length - 1 + j])));
  const sums = [0, 0, 0, 0];
  let pgLoss = 0;
  let gradNorm = 0;
  for (const mb of MINI_BATCHES) {
    const parts = mb.map((i) =>
      e.tidy(() => {
        const L = seqs[i].length;
        const r = rows[i];
        const out = ppoLoss(
          sequenceLogprobs(role.model, seqs[i], PPO.temperature),
          e.fromArray(old[i], [L]),
          e.fromArray(new Float32Array(L).fill(r.advantage), [L]),
          e.fromArray(responseWeights(r.promptIds.length, r.responseIds.length, 1), [L]),
          { clipLow: PPO.clipLow, clipHigh: PPO.clipHigh, dualClip: PPO.dualClip, normaliser: D },
        );
        e.tape.backward(out.loss);
        return out;
      }),
    );
    const report = await role.opt.step();
    role.opt.zeroGrad();
    const read = await e.readMany(parts.flatMap((p) => [p.loss, p.metrics]));
    parts.forEach((p) => [p.loss, p.metrics].forEach((t) => t.dispose()));
    read.forEach((v, k) => (k % 2 === 0 ? (pgLoss += v[0]) : v.forEach((x, j) => (sums[j] += x))));
    gradNorm += report.gradNorm;
  }
  const steps = MINI_BATCHES.length;
  return {
    steps, skippedSteps: 0, pgLoss: pgLoss / steps, pgClipfrac: sums[0] / sums[3], pgClipfracLower: sums[1] / sums[3],
    ppoKl: sums[2] / sums[3], gradNorm: gradNorm / steps, lr: role.opt.lr,
    logpAbsDiffMean: diffs.reduce((a, b) => a + b, 0) / diffs.length, logpAbsDiffMax: Math.max(...diffs),
  };
}

describe('row packing', () => {
  it('keeps every chunk within the budget, longest rows first, an over-long row alone', () => {
    const lengths = [5, 12, 3, 30, 7, 12];
    const chunks = packRows([0, 1, 2, 3, 4, 5], lengths, 24);
    expect(chunks).toEqual([[3], [1, 5], [4, 0, 2]]);
    expect(packRows([2, 0], lengths, 4096)).toEqual([[0, 2]]);
    expect(() => packRows([0], lengths, 0)).toThrow(/budget/);
  });

  it('lays rows out at stride T with zeros after each', () => {
    expect([...padVectors([[1, 2], [3], []], 3)]).toEqual([1, 2, 0, 3, 0, 0, 0, 0, 0]);
    expect(() => padVectors([[1, 2, 3]], 2)).toThrow(/row 0 has 3 entries/);
  });
});

describe('batched PPO update on a tiny model', () => {
  it.each([
    ['one chunk per mini-batch', 4096],
    ['several chunks per mini-batch', 24],
  ])('matches the row-by-row update (%s): weights and metrics', async (_, budget) => {
    const rows = trainRows();
    const reference = await makeRole();
    const batched = await makeRole();
    batched.tokenBudget = budget;
    const want = await perRowUpdate(reference, rows);
    const got = await batched.update(rows, MINI_BATCHES, D, PPO);
    // The second step runs off-policy, so clipping and the dual clip are exercised.
    expect(want.pgClipfrac).toBeGreaterThan(0);
    expect(want.pgClipfracLower).toBeGreaterThan(0);
    expect(got.steps).toBe(3);
    expect(got.skippedSteps).toBe(0);
    // Counts may differ by a token sitting on a clip boundary within float32 noise, no more.
    const tokens = rows.reduce((n, r) => n + r.responseIds.length, 0); // each row sits in one mini-batch
    expect(Math.abs(got.pgClipfrac - want.pgClipfrac) * tokens).toBeLessThanOrEqual(1 + 1e-9);
    expect(Math.abs(got.pgClipfracLower - want.pgClipfracLower) * tokens).toBeLessThanOrEqual(1 + 1e-9);
    for (const key of ['pgLoss', 'ppoKl', 'gradNorm', 'logpAbsDiffMean', 'logpAbsDiffMax'] as const) {
      assertClose([got[key]], [want[key]], { rtol: 1e-4, atol: 1e-6 }, key);
    }
    const [a, b] = [await batched.model.readWeights(), await reference.model.readWeights()];
    const before = randomWeights(batched.model.cfg, 5, 0.3);
    for (const [name, w] of b) {
      expect(w).not.toEqual(before.get(name)); // every parameter moved
      assertClose(a.get(name)!, w, { rtol: 1e-4, atol: 2e-6 }, name);
    }
    expect(await batched.optimizerStep()).toBe(3);
    batched.dispose();
    reference.dispose();
  });
});

describe('KL penalty to the starting weights (generator/solver.actor.kl_loss_coef)', () => {
  const ALL = [[0, 1, 2, 3, 4, 5, 6]];
  const k3 = (d: number) => Math.exp(d) - d - 1;

  /** Σ over response tokens of k3(ℓ^start − ℓ^now) / D, in float64 from two models' log-probs. */
  async function expectedKl(start: EnginePolicyRole, now: EnginePolicyRole, rows: TrainRow[]): Promise<number> {
    const e = now.engine;
    let sum = 0;
    for (const r of rows) {
      const ids = [...r.promptIds, ...r.responseIds];
      const ts = [start, now].map((m) => e.tidy(() => e.tape.noGrad(() => sequenceLogprobs(m.model, ids, PPO.temperature))));
      const [ref, cur] = await e.readMany(ts);
      ts.forEach((t) => t.dispose());
      for (let t = r.promptIds.length - 1; t < ids.length - 1; t++) sum += k3(ref[t] - cur[t]);
    }
    return sum / D;
  }

  it('is zero at the start, then the k3 estimate against the frozen start; its gradient pulls back to the start', async () => {
    const rows = trainRows();
    // β₁ = 0: no momentum, so a step follows the gradient of its own mini-batch only.
    const noMomentum = { 'generator.actor.optim.betas': [0, 0.999] };
    const start = await makeRole(0, noMomentum);
    const plain = await makeRole(0, noMomentum);
    const kl = await makeRole(2, noMomentum);
    const ppoKl = { ...PPO, klCoef: 2 };
    const first = await kl.update(rows, ALL, D, ppoKl);
    const firstPlain = await plain.update(rows, ALL, D, PPO);
    // The reference is a bit-exact copy, so δ = 0, k = 0 and ∂k/∂ℓ = 0: the first step is plain PPO's.
    expect(first.klLoss).toBe(0);
    assertClose([first.pgLoss], [firstPlain.pgLoss], { rtol: 1e-6, atol: 1e-9 }, 'first pg_loss');
    const w1 = await kl.model.readWeights();
    for (const [name, w] of await plain.model.readWeights()) assertClose(w1.get(name)!, w, { rtol: 1e-5, atol: 1e-7 }, name);

    // Second step with no advantage: the penalty is the whole loss, and a small step must lower it.
    const want = await expectedKl(start, kl, rows);
    expect(want).toBeGreaterThan(1e-4);
    kl.opt.lr = 1e-4;
    const second = await kl.update(rows.map((r) => ({ ...r, advantage: 0 })), ALL, D, ppoKl);
    assertClose([second.klLoss!], [want], { rtol: 2e-3, atol: 1e-7 }, 'kl_loss vs float64 k3 against the start');
    assertClose([second.pgLoss], [0], { rtol: 0, atol: 1e-6 }, 'pg_loss without the penalty');
    expect(await expectedKl(start, kl, rows)).toBeLessThan(want);
    for (const r of [start, plain, kl]) r.dispose();
  });

  it('travels in the checkpoint: a role rebuilt from checkpointed weights keeps the first start as its reference', async () => {
    const rows = trainRows();
    const ppoKl = { ...PPO, klCoef: 2 };
    const a = await makeRole(2);
    await a.update(rows, ALL, D, ppoKl);
    const c = await a.checkpoint();
    expect(c.extra?.kl_reference).toHaveLength(a.model.names.length);
    // As a resume does: build from the checkpoint's weights (so the factory freezes those), then restore.
    const cfg = a.model.cfg;
    const tokenizer = TextTokenizer.fromJson({ tokenizerJson: tinyTokenizerJson(), tokenizerConfig: tinyTokenizerConfig() });
    const config = buildConfig({ overrides: { 'generator.actor.optim.lr': 1e-2, 'generator.actor.kl_loss_coef': 2 } });
    const b = createEngineRole(a.engine, { config: cfg, weights: new Map(Object.entries(c.weights)), tokenizer }, config, 'generator', 9) as EnginePolicyRole;
    await b.restore(c);
    const [ra, rb] = [await a.update(rows, ALL, D, ppoKl), await b.update(rows, ALL, D, ppoKl)];
    expect(ra.klLoss).toBeGreaterThan(0);
    expect(rb.klLoss).toBe(ra.klLoss);
    const wa = await a.model.readWeights();
    for (const [name, w] of await b.model.readWeights()) expect(w).toEqual(wa.get(name));
    a.dispose();
    b.dispose();
  });

  it('a positive coefficient on a role built without a reference is a clear error', async () => {
    const role = await makeRole();
    await expect(role.update(trainRows(), ALL, D, { ...PPO, klCoef: 0.1 })).rejects.toThrow(/KL penalty 0.1 asked for, but this role kept no reference weights/);
    role.dispose();
  });
});
