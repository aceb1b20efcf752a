// The CI-sized experiment (issue 5): every method, 1 seed, 2 iterations on a tiny random Llama with a
// byte-level world tokenizer. Sampling is scripted (a random model never writes valid JSON) with
// outcomes chosen so that every reported number has an independent expected value; updates, influence
// and the whole reporting path are real.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
import { EXPERIMENT_FILES, runExperiment, runFileName } from './experiment.ts';
import type { IterationSummary } from './iteration-summary.ts';
import { METHODS } from './methods.ts';
import type { RoleFactory } from './run-method.ts';
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

// Dev question i has its answer at position i % 4; the scripted Solver always says A, so exactly the
// 8 questions with i % 4 = 0 of 32 are right: target accuracy 0.25 at every iteration, for every method.
const dev: DevQuestion[] = Array.from({ length: 32 }, (_, i) => ({
  question_id: `v${i}`, question_text: `dev ${i}?`, choices: ['a', 'b', 'c', 'd'], correct_index: i % 4,
  extra: { topic: 'kinship', question_type: 'two_hop' },
}));
const EXPECTED_TARGET = 0.25;

const script = scriptSampling;

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
    if (req.keys[1] === 'dev') return 'so \\boxed{A}';
    const right = /^([A-H])\) x$/m.exec(solverTok.decode(req.promptIds, { skipSpecialTokens: true }))![1];
    return `\\boxed{${row === 0 ? right : right === 'A' ? 'B' : 'A'}}`;
  });
  return roles;
};

const readJsonl = async <T>(path: string): Promise<T[]> =>
  (await readFile(path, 'utf8')).split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as T);

describe('CI-sized experiment: 5 methods × 1 seed × 2 iterations', () => {
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
    outDir = await mkdtemp(join(tmpdir(), 'infuser-experiment-'));
    const options = { settings, outDir, title: 'CI experiment' };
    const inputs = { engine, model, documents, dev, makeRoles: scriptedRoles };
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
      expect(metrics['gen_question_rollout/frac_valid_questions']).toBe(it.frac_valid_questions!.mean);
      const devKindDocs = questions.filter((q) => q.row === 0 && isDevKindDoc(q.doc_id)).length;
      expect(questions).toHaveLength(16);
      expect(it.frac_valid_questions!.mean).toBeCloseTo((8 + devKindDocs) / 16, 12);
      expect(it.gen_accuracy).toEqual({ mean: 0.5, std: 0, n: 1 });
      expect(it.dev_kind_share!.mean).toBeCloseTo((2 * devKindDocs) / (8 + devKindDocs), 12);
    }
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
    await runExperiment({ settings: presetSettings('ci'), outDir, title: 'CI experiment', log: (l) => lines.push(l) }, { engine, model, documents, dev, makeRoles: failing });
    expect(lines.filter((l) => l.endsWith('already done, skipped'))).toHaveLength(METHODS.length);
    expect(await readFile(join(outDir, EXPERIMENT_FILES.results), 'utf8')).toBe(before);
    // Seed 1 belongs to shard 0 of 2, so shard 1 of 2 has nothing to run; an impossible shard is refused.
    await runExperiment({ settings: presetSettings('ci'), outDir, title: 'CI experiment', shard: { index: 1, count: 2 } }, { engine, model, documents, dev, makeRoles: failing });
    expect(await readFile(join(outDir, EXPERIMENT_FILES.results), 'utf8')).toBe(before);
    await expect(runExperiment({ settings: presetSettings('ci'), outDir, title: 'x', shard: { index: 2, count: 2 } }, { engine, model, documents, dev }))
      .rejects.toThrow(/shard 2\/2/);
    const other = { ...presetSettings('ci'), iterations: 3 };
    await expect(runExperiment({ settings: other, outDir, title: 'x' }, { engine, model, documents, dev })).rejects.toThrow(/other settings/);
  });
});
