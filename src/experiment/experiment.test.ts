// The CI-sized experiment (issue 5): every method, 1 seed, 2 iterations and 8 held-out questions on a tiny random Llama with a
// byte-level world tokenizer. Sampling is scripted (a random model never writes valid JSON) with
// outcomes chosen so that every reported number has an independent expected value; updates, influence
// and the whole reporting path are real.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DevQuestion } from '../data/dev-pool.ts';
import type { Document } from '../data/documents.ts';
import { testEngine } from '../engine/testing.ts';
import { createEngineRoles } from '../infuser/engine-roles.ts';
import type { QuestionRow } from '../infuser/run-records.ts';
import { randomWeights, tinyModelConfig } from '../model/random-model.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import { buildTokenizer } from '../world/tokenizer-builder.ts';
import type { ExperimentResults } from './aggregate.ts';
import { EXPERIMENT_FILES, readRunQuestions, runExperiment, runFileName, writeAtomic } from './experiment.ts';
import type { IterationSummary } from './iteration-summary.ts';
import { METHODS } from './methods.ts';
import { runMethod, type RoleFactory } from './run-method.ts';
import { presetSettings } from './settings.ts';
import { scriptSampling } from '../infuser/scripted-sampling.ts';

const tokenizer = () => {
  const built = buildTokenizer(['a tiny corpus'], 0);
  return TextTokenizer.fromJson({ tokenizerJson: built.tokenizerJson, tokenizerConfig: built.tokenizerConfig });
};

// Even documents are a kind the dev set tests (kinship/two_hop), odd ones are not (kinship/lookup).
const documents: Document[] = Array.from({ length: 12 }, (_, i) => ({
  doc_id: `d${i}`, content: `Doc ${i} says x.`, extra: { topic: 'kinship', question_type: i % 2 === 0 ? 'two_hop' : 'lookup' },
}));
const isDevKindDoc = (docId: string) => Number(docId.slice(1)) % 2 === 0;

// Dev question i has its answer at position i % 4; the scripted Solver says A in its first answer and B
// in its second, so the questions with i % 4 = 0 or 1 get one right answer of two and the others none:
// accuracy 0.25 on the pool (32) and on the held-out questions (8) at every iteration, for every method,
// and half the pool's questions are non-degenerate, so the dev-trained Solver has data to train on.
const POOL = 32;
const HELDOUT = 8;
const questions: DevQuestion[] = Array.from({ length: POOL + HELDOUT }, (_, i) => ({
  question_id: `v${i}`, question_text: `dev ${i}?`, choices: ['a', 'b', 'c', 'd'], correct_index: i % 4,
  extra: { topic: 'kinship', question_type: i < POOL ? 'two_hop' : 'lookup' },
}));
const dev = questions.slice(0, POOL);
const heldout = questions.slice(POOL);
const EXPECTED_TARGET = 0.25;

const script = scriptSampling;
const LETTERS = 'ABCDEFGH';

const QUESTION = JSON.stringify({ question_text: 'Which is x?', choices: ['w', 'x', 'y', 'z'], ground_truth: 'x' });

/** Generator: row 0 always valid, row 1 valid only on dev-kind documents. Solver: dev → A; generated → right, then wrong. */
const scriptedRoles: RoleFactory = (engine, opts) => {
  const roles = createEngineRoles(engine, opts);
  const genTok = roles.generator.tokenizer;
  script(roles.generator, (req, row) => {
    const prompt = genTok.decode(req.promptIds, { skipSpecialTokens: true });
    const docId = /Doc (\d+) says/.exec(prompt)![1];
    return row === 0 || isDevKindDoc(`d${docId}`) ? QUESTION : 'not a question';
  });
  const solverTok = roles.solver.tokenizer;
  script(roles.solver, (req, row) => {
    if (req.keys[1] === 'dev' || req.keys[1] === 'heldout') return row === 0 ? 'so \\boxed{A}' : 'so \\boxed{B}';
    const right = /^([A-H])\) x$/m.exec(solverTok.decode(req.promptIds, { skipSpecialTokens: true }))![1];
    return `\\boxed{${row === 0 ? right : right === 'A' ? 'B' : 'A'}}`;
  });
  return roles;
};

const readJsonl = async <T>(path: string): Promise<T[]> =>
  (await readFile(path, 'utf8')).split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as T);

describe('CI-sized experiment: every method × 1 seed × 2 iterations', () => {
  let outDir = '';
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('writes results.md / results.json / the SVG with one row per method and iteration, numbers matching the runs', async () => {
    const engine = await testEngine();
    const tok = tokenizer();
    const cfg = tinyModelConfig('LlamaForCausalLM', { vocabSize: tok.vocabSize, maxPositionEmbeddings: 512, eosTokenIds: tok.eosIds });
    const model = { config: cfg, weights: randomWeights(cfg, 3), tokenizer: tok };
    const settings = presetSettings('ci');
    expect(settings.heldout).toBe(HELDOUT);
    outDir = await mkdtemp(join(tmpdir(), 'infuser-experiment-'));
    const options = { settings, outDir, title: 'CI experiment' };
    const inputs = { engine, model, documents, dev, heldout, makeRoles: scriptedRoles };
    const results = await runExperiment(options, inputs);

    const saved = JSON.parse(await readFile(join(outDir, EXPERIMENT_FILES.results), 'utf8')) as { results: ExperimentResults; rows: IterationSummary[] };
    expect(saved.results).toEqual(results);
    expect(results.iterations.map((it) => `${it.method}@${it.iteration}`)).toEqual(METHODS.flatMap((m) => [`${m}@0`, `${m}@1`]));
    for (const it of results.iterations) {
      expect(it.target_accuracy).toEqual({ mean: EXPECTED_TARGET, std: 0, n: 1 });
      if (it.method === 'base') {
        expect(it.frac_valid_questions).toBeNull();
        continue;
      }
      // Every method's numbers equal its own metrics.jsonl and follow from the scripted outcomes.
      const name = runFileName(it.method, 1);
      const metrics = (await readJsonl<Record<string, number>>(join(outDir, 'runs', `${name}.metrics.jsonl`)))[it.iteration];
      const questions = (await readJsonl<QuestionRow>(join(outDir, 'runs', `${name}.questions.jsonl`))).filter((q) => q.iteration === it.iteration);
      expect(metrics['dev_rollout/accuracy_strict']).toBe(it.target_accuracy.mean);
      if (it.method === 'dev_only') {
        // Nothing generated; the Solver trained on the 16 non-degenerate pool questions × 2 answers.
        expect(it.frac_valid_questions).toBeNull();
        expect(it.dev_kind_share).toBeNull();
        expect(questions).toHaveLength(0);
        expect(metrics['train/solver_num_training_samples']).toBe(32);
        continue;
      }
      expect(metrics['gen_question_rollout/frac_valid_questions']).toBe(it.frac_valid_questions!.mean);
      const devKindDocs = questions.filter((q) => q.row === 0 && isDevKindDoc(q.doc_id)).length;
      expect(questions).toHaveLength(16);
      expect(it.frac_valid_questions!.mean).toBeCloseTo((8 + devKindDocs) / 16, 12);
      expect(it.gen_accuracy).toEqual({ mean: 0.5, std: 0, n: 1 });
      expect(it.dev_kind_share!.mean).toBeCloseTo((2 * devKindDocs) / (8 + devKindDocs), 12);
    }
    // The reports' reader gives back every run's question file, row for row.
    const read = await readRunQuestions(outDir);
    expect(read.map((r) => r.method)).toEqual([...METHODS].sort());
    expect(read.map((r) => r.seed)).toEqual(read.map(() => '1'));
    for (const r of read) expect(r.rows).toEqual(await readJsonl<QuestionRow>(r.file));
    // Every final Solver answered the 8 held-out questions twice (4 of 16 right) and greedily once (its
    // first answer, A: 2 of 8 right): nothing to tell apart.
    expect(results.heldout.map((h) => h.method)).toEqual([...METHODS]);
    for (const h of results.heldout) {
      const saved = JSON.parse(await readFile(join(outDir, 'runs', `${runFileName(h.method, 1)}.heldout.json`), 'utf8')) as { total: number; accuracy: number };
      expect(saved).toMatchObject({ total: 2 * HELDOUT, accuracy: 0.25, greedy: { total: HELDOUT, accuracy: 0.25 } });
      // Each answer's prediction is kept, question by question, for scripts/heldout-picks.ts.
      expect(saved).toMatchObject({ predictions: heldout.map(() => ['A', 'B']), greedy: { predictions: heldout.map(() => ['A']) } });
      expect(h.greedy.accuracy).toEqual({ mean: 0.25, std: 0, n: 1 });
      expect(h.greedy.vs_fixed).toEqual(h.method === 'fixed' ? null : { mean: 0, std: 0, n: 1 });
      expect(h.accuracy).toEqual({ mean: 0.25, std: 0, n: 1 });
      expect(h.vs_base).toEqual(h.method === 'base' ? null : { mean: 0, std: 0, n: 1 });
      expect(h.by_kind).toEqual({ 'kinship/lookup': 0.25 });
    }
    expect(results.mix.map((m) => m.method)).toEqual(METHODS.filter((m) => m !== 'base' && m !== 'dev_only'));
    // The scripted question is no question form of the world, so the label check finds none right.
    expect(results.finals.find((f) => f.method === 'infuser')!.right_labels).toEqual({ mean: 0, std: 0, n: 1 });
    const finalFixed = results.finals.find((f) => f.method === 'fixed')!;
    expect(finalFixed.target_gain.mean).toBe(0);
    expect(results.finals.find((f) => f.method === 'infuser')!.vs_fixed).toEqual({ mean: 0, std: 0, n: 1 });

    const md = await readFile(join(outDir, EXPERIMENT_FILES.markdown), 'utf8');
    const section = md.split('## Every iteration')[1].split('## ')[0];
    const dataRows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| method') && !l.startsWith('| ---'));
    expect(dataRows).toHaveLength(METHODS.length * 2);
    expect(dataRows.every((l) => l.includes('0.250 ± 0.000'))).toBe(true);

    const svg = await readFile(join(outDir, EXPERIMENT_FILES.plot), 'utf8');
    const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1].split(' '));
    expect(lines).toHaveLength(METHODS.length);
    expect(lines.every((pts) => pts.length === 2)).toBe(true);
    expect(svg).toContain('INFUSER');
    expect(svg).toContain('>guessing (0.250)</text>');
    expect(md).toContain('choices scores 0.250');
    const heldoutRows = md.split('## Held-out dev questions')[1].split('## ')[0].split('\n').filter((l) => /^\| [a-zA-Z]/.test(l) && !l.startsWith('| method'));
    expect(heldoutRows).toHaveLength(METHODS.length);
    expect(heldoutRows.every((l) => l.split('0.250 ± 0.000').length === 3 && l.endsWith('| 25.0% |'))).toBe(true);
  }, 180_000); // ~30 s alone on SwiftShader; the margin is for a loaded machine

  it('a rerun in the same folder skips finished runs; other settings there are refused', async () => {
    const engine = await testEngine();
    const tok = tokenizer();
    const cfg = tinyModelConfig('LlamaForCausalLM', { vocabSize: tok.vocabSize, maxPositionEmbeddings: 512 });
    const model = { config: cfg, weights: randomWeights(cfg, 3), tokenizer: tok };
    const lines: string[] = [];
    const before = await readFile(join(outDir, EXPERIMENT_FILES.results), 'utf8');
    const failing: RoleFactory = () => {
      throw new Error('no run should start');
    };
    await runExperiment({ settings: presetSettings('ci'), outDir, title: 'CI experiment', log: (l) => lines.push(l) }, { engine, model, documents, dev, heldout, makeRoles: failing });
    expect(lines.filter((l) => l.endsWith('already done, skipped'))).toHaveLength(METHODS.length);
    expect(await readFile(join(outDir, EXPERIMENT_FILES.results), 'utf8')).toBe(before);
    // Seed 1 belongs to shard 0 of 2, so shard 1 of 2 has nothing to run; an impossible shard is refused.
    await runExperiment({ settings: presetSettings('ci'), outDir, title: 'CI experiment', shard: { index: 1, count: 2 } }, { engine, model, documents, dev, heldout, makeRoles: failing });
    expect(await readFile(join(outDir, EXPERIMENT_FILES.results), 'utf8')).toBe(before);
    await expect(runExperiment({ settings: presetSettings('ci'), outDir, title: 'x', shard: { index: 2, count: 2 } }, { engine, model, documents, dev, heldout }))
      .rejects.toThrow(/shard 2\/2/);
    const other = { ...presetSettings('ci'), iterations: 3 };
    await expect(runExperiment({ settings: other, outDir, title: 'x' }, { engine, model, documents, dev, heldout })).rejects.toThrow(/other settings/);
    // A held-out set too small for the settings, or sharing a question with the dev pool, is refused before any run.
    const ci = presetSettings('ci');
    await expect(runExperiment({ settings: ci, outDir, title: 'x' }, { engine, model, documents, dev, heldout: heldout.slice(0, 3), makeRoles: failing }))
      .rejects.toThrow(/held-out set has 3 questions; 8 were asked for/);
    await expect(runExperiment({ settings: ci, outDir, title: 'x' }, { engine, model, documents, dev, heldout: [dev[5], ...heldout], makeRoles: failing }))
      .rejects.toThrow(/1 held-out question\(s\) are also in the dev pool, e.g. v5/);
    // A dev set smaller than the pool is refused before the folder is claimed, so the corrected command can use the name.
    const fresh = join(outDir, 'small-dev');
    await expect(runExperiment({ settings: ci, outDir: fresh, title: 'x' }, { engine, model, documents, dev: dev.slice(0, 4), heldout, makeRoles: failing }))
      .rejects.toThrow(/dev set \(the built-in one\) has 4 questions, fewer than data.dev_pool_size 32/);
    await expect(readFile(join(fresh, EXPERIMENT_FILES.settings), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('--check-labels: only questions the world finds rightly labelled reach the Solver', async () => {
    const engine = await testEngine();
    const tok = tokenizer();
    const cfg = tinyModelConfig('LlamaForCausalLM', { vocabSize: tok.vocabSize, maxPositionEmbeddings: 512 });
    const model = { config: cfg, weights: randomWeights(cfg, 3), tokenizer: tok };
    const world = (golden: string) => JSON.stringify({
      question_text: 'Ami has 3 coins. Bo has 4 coins. How many coins do Ami and Bo have together?', choices: ['7', '6', '8', '5'], ground_truth: golden,
    });
    // Row 0 labels the sum right, row 1 wrong; the Solver answers at random.
    const roles: RoleFactory = (e, opts) => {
      const r = createEngineRoles(e, opts);
      script(r.generator, (_req, row) => world(row === 0 ? '7' : '6'));
      script(r.solver, (_req, row) => `\\boxed{${'ABCD'[row % 4]}}`);
      return r;
    };
    const settings = { ...presetSettings('ci'), methods: ['fixed' as const], iterations: 1, heldout: 0, checkLabels: true };
    const run = await runMethod({ engine, model, documents, dev, heldout, makeRoles: roles }, settings, 'fixed', 1);
    const valid = run.questions.filter((q) => q.valid);
    expect(valid).toHaveLength(8);
    expect(valid.every((q) => q.choices![LETTERS.indexOf(q.answer!)] === '7')).toBe(true);
    expect(run.questions.filter((q) => q.rejection === 'failed_check')).toHaveLength(8);
    expect(run.metrics[0]['gen_question_rollout/num_failed_check']).toBe(8);
    expect(run.summaries[0].label_counts).toEqual({ right: 8 });
    expect(run.heldout).toBeNull();
  }, 180_000);

  it('writeAtomic: concurrent writers of one file (shards sharing a folder) all succeed and leave one whole text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'infuser-atomic-'));
    try {
      const path = join(dir, 'settings.json');
      const texts = Array.from({ length: 8 }, (_, i) => `text ${i} `.repeat(1000));
      await Promise.all(texts.map((t) => writeAtomic(path, t)));
      expect(texts).toContain(await readFile(path, 'utf8'));
      expect(await readdir(dir)).toEqual(['settings.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
