import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildConfig } from '../infuser/config.ts';
import { main } from './main.ts';
import { captureStderr, hashTree, put, writeFakeRun } from './run-test-fixtures.ts';

let root: string;
let runDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'export-reference-'));
  runDir = join(root, 'run');
  const config = buildConfig({
    overrides: {
      'training.iterations': 3, 'training.seed': 17, 'training.doc_batch_size': 8, 'generator.rollout.n': 2,
      'solver.rollout.n': 3, 'solver.actor.optim.lr': 1e-5, 'influence.mode': 'projected',
      'influence.similarity_mode': 'cosine',
    },
  });
  await writeFakeRun(runDir, config, (k): Record<string, number> => (k === 1 ? { 'influence_proj/spearman': 0.875, 'influence_proj/pearson': 0.5 } : {}));
});
afterAll(() => rm(root, { recursive: true, force: true }));


const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

describe('export-reference', () => {
  it('writes documents.json, dev.json, run_config.json and infuser_lab.yaml with the §10.2 keys', async () => {
    const out = join(root, 'export');
    const { result, stderr } = await captureStderr(() => main(['export-reference', '--run', runDir, '--out', out]));
    expect(stderr).not.toContain('infuser-lab export-reference:');
    expect(result).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['dev.json', 'documents.json', 'infuser_lab.yaml', 'run_config.json']);

    const documents = await readJson(join(out, 'documents.json'));
    expect(documents[2]).toEqual({ doc_id: 'doc-2', content: 'the document 2 is a choice of w x y z', topic: 'even' });
    const dev = await readJson(join(out, 'dev.json'));
    expect(dev[0]).toEqual({
      question_id: 'dev-0', question_text: 'which is 0 ?', choices: ['w', 'x', 'y', 'z'], ground_truth: 'B',
      ground_truth_text: 'x', benchmark_type: 'qa_mcq',
    });

    const runConfig = await readJson(join(out, 'run_config.json'));
    expect(runConfig.seed).toBe(17);
    expect(runConfig.lab_version).toBe('0.0.0-test');
    const o = runConfig.reference_overrides;
    expect([o['training.seed'], o['training.max_ans_loop'], o['training.max_gen_loop'], o['training.doc_batch_size']]).toEqual([17, 3, 3, 8]);
    expect([o['generator.rollout.n'], o['solver.rollout.n'], o['solver.actor.optim.lr']]).toEqual([2, 3, 1e-5]);
    expect(o['solver.actor.ppo_mini_batch_size']).toBe(2); // B_doc / 4 (§9.1)
    expect(o['influence.similarity_mode']).toBe('cosine');
    expect([o['training.documents_path'], o['training.dev_dataset_path']]).toEqual(['documents.json', 'dev.json']);
    expect(o['generator.model.path']).toBe('/models/tiny');
    expect(runConfig.unmapped.map((u: { key: string }) => u.key)).toContain('influence.mode');
    expect(runConfig.fidelity.figures).toEqual({ 'influence_proj/spearman': 0.875, 'influence_proj/pearson': 0.5 });

    const yamlText = await readFile(join(out, 'infuser_lab.yaml'), 'utf8');
    expect(yamlText.startsWith('# @package _global_\n')).toBe(true);
    const hydra = parse(yamlText);
    expect(hydra.training.seed).toBe(17);
    expect(hydra.training.max_ans_loop).toBe(3);
    expect(hydra.solver.rollout.n).toBe(3);
    expect(hydra.solver.actor.optim.betas).toEqual([0.9, 0.999]);
  });

  it('takes --model-id for both model paths', async () => {
    const out = join(root, 'export-model-id');
    const { result } = await captureStderr(() => main(['export-reference', '--run', runDir, '--out', out, '--model-id', 'org/tiny']));
    expect(result).toBe(0);
    const o = (await readJson(join(out, 'run_config.json'))).reference_overrides;
    expect([o['generator.model.path'], o['solver.model.path']]).toEqual(['org/tiny', 'org/tiny']);
  });

  it('refuses a non-empty --out and a folder that is not a run, touching nothing', async () => {
    const busy = join(root, 'busy');
    await put(join(busy, 'keep.txt'), 'mine');
    const before = await hashTree(busy);
    const a = await captureStderr(() => main(['export-reference', '--run', runDir, '--out', busy]));
    expect(a.result).toBe(1);
    expect(a.stderr).toContain('exists and is not an empty folder');
    expect(await hashTree(busy)).toBe(before);
    const b = await captureStderr(() => main(['export-reference', '--run', busy, '--out', join(root, 'x')]));
    expect(b.result).toBe(1);
    expect(b.stderr).toContain(`--run ${busy}: not a run folder`);
  });
});
