// Headless runs end to end on the software adapter with tiny random models: resuming gives exactly the
// records of an uninterrupted run, and the same seed gives the same questions.jsonl. The resume test
// scripts sampling (random models never write valid JSON) so influence, both PPO updates and the
// dev-gradient EMA all run and must survive the checkpoint; the seed test samples for real.
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../engine/testing.ts';
import { createEngineRoles } from '../infuser/engine-roles.ts';
import { exportReference } from './export-reference-command.ts';
import { RunProgress } from './progress.ts';
import { executeRun, planRun, type RoleFactory } from './run-command.ts';
import { RUN_FILES } from './run-folder.ts';
import { devJson, documentsJson, put, writeTinyModel } from './run-test-fixtures.ts';
import { scriptSampling } from '../infuser/scripted-sampling.ts';

let root: string;
let inputs: string[];

const TINY = [
  'training.doc_batch_size=8', 'generator.rollout.n=2', 'solver.rollout.n=2', 'generator.rollout.response_length=16',
  'solver.rollout.response_length=16', 'training.save_every_n_steps=1', 'data.dev_pool_size=32',
].flatMap((s) => ['--set', s]);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'run-resume-'));
  await writeTinyModel(join(root, 'generator'), 1);
  await writeTinyModel(join(root, 'solver'), 2);
  await put(join(root, 'docs.json'), documentsJson(10));
  await put(join(root, 'dev.json'), devJson(3));
  inputs = ['--pool', join(root, 'docs.json'), '--dev', join(root, 'dev.json'),
    '--generator', join(root, 'generator'), '--solver', join(root, 'solver')];
});
afterAll(() => rm(root, { recursive: true, force: true }));


const script = scriptSampling;

const scripted: RoleFactory = (engine, opts) => {
  const roles = createEngineRoles(engine, opts);
  script(roles.generator, (req, row) => {
    const [k, slot] = [Number(req.keys[0]), Number(req.keys[1])];
    return (row + slot + k) % 2 === 0
      ? JSON.stringify({ question_text: `which ${slot} ${k} ?`, choices: ['w', 'x', 'y', 'z'], ground_truth: 'x' })
      : 'no json here';
  });
  // Dev answers: B (right) then a wrong letter; generated questions: a mix that depends on the slot.
  script(roles.solver, (req, row) => {
    const wrong = 'ACD'[(Number(req.keys[0]) + Number(req.keys[2] ?? 0)) % 3];
    return row === 0 ? 'so \\boxed{B}' : `hmm \\boxed{${wrong}}`;
  });
  return roles;
};

async function run(args: string[], makeRoles?: RoleFactory): Promise<void> {
  const plan = await planRun(args, () => {});
  const progress = new RunProgress({ write: () => true }, plan.config['training.iterations']);
  await executeRun(plan, await testEngine(), progress, makeRoles);
}

const text = (dir: string, file: string) => readFile(join(dir, file), 'utf8');
const bytes = (dir: string, file: string) => readFile(join(dir, file));

/** Metric records without the wall-clock keys. */
async function metricsWithoutTiming(dir: string): Promise<Record<string, unknown>[]> {
  const lines = (await text(dir, RUN_FILES.metrics)).trim().split('\n');
  return lines.map((l) => Object.fromEntries(Object.entries(JSON.parse(l)).filter(([k]) => !k.startsWith('timing_s/'))));
}

describe('headless run on tiny models', () => {
  it('N iterations at once equal N−1 then --resume to N (records, weights and AdamW state)', async () => {
    const settings = [...inputs, '--seed', '7', ...TINY, '--set', 'influence.use_momentum=true',
      '--set', 'solver.actor.optim.lr=0.001', '--set', 'generator.actor.optim.lr=0.001'];
    const whole = join(root, 'whole');
    const split = join(root, 'split');
    await run([...settings, '--iterations', '2', '--out', whole], scripted);
    await run([...settings, '--iterations', '1', '--out', split], scripted);
    // An iteration interrupted mid-append leaves a torn line; resume must drop it.
    await appendFile(join(split, RUN_FILES.questions), '{"iteration":1,"slot":0,');
    await run(['--resume', '--iterations', '2', '--out', split], scripted);

    const questions = (await text(whole, RUN_FILES.questions)).trim().split('\n').map((l) => JSON.parse(l));
    const scored = questions.filter((q) => q.iteration === 1 && q.influence !== null);
    expect(scored.length).toBeGreaterThan(0); // influence ran after the resume point, so the comparison bites
    expect(await text(split, RUN_FILES.questions)).toBe(await text(whole, RUN_FILES.questions));
    expect(await metricsWithoutTiming(split)).toEqual(await metricsWithoutTiming(whole));
    expect(JSON.parse(await text(split, RUN_FILES.config))['training.iterations']).toBe(2);
    for (const file of ['model.safetensors', 'optimizer.safetensors', 'role-state.safetensors']) {
      expect(await bytes(split, `checkpoints/latest/solver/${file}`)).toEqual(await bytes(whole, `checkpoints/latest/solver/${file}`));
      expect(await bytes(split, `checkpoints/latest/generator/${file}`)).toEqual(await bytes(whole, `checkpoints/latest/generator/${file}`));
    }
    // The updates moved the Solver away from its starting weights.
    expect(await bytes(whole, 'checkpoints/latest/solver/model.safetensors')).not.toEqual(await bytes(root, 'solver/model.safetensors'));
    // iter-NNNN at the save cadence (1 here) and at the last.
    expect(JSON.parse(await text(whole, 'checkpoints/iter-0001/run-state.json')).completedIterations).toBe(1);
    expect(JSON.parse(await text(whole, 'checkpoints/iter-0002/run-state.json')).completedIterations).toBe(2);

    const exported = join(root, 'exported');
    expect((await exportReference(whole, exported)).sort()).toEqual(['dev.json', 'documents.json', 'infuser_lab.yaml', 'run_config.json']);
    expect(JSON.parse(await text(exported, 'run_config.json')).reference_overrides['training.max_ans_loop']).toBe(2);
  });

  it('the same seed gives an identical questions.jsonl; another seed does not', async () => {
    const settings = [...inputs, '--iterations', '1', ...TINY];
    await run([...settings, '--seed', '3', '--out', join(root, 'seed3-a')]);
    await run([...settings, '--seed', '3', '--out', join(root, 'seed3-b')]);
    await run([...settings, '--seed', '4', '--out', join(root, 'seed4')]);
    const a = await text(join(root, 'seed3-a'), RUN_FILES.questions);
    expect(a.trim().split('\n')).toHaveLength(8 * 2); // slots × n_G
    expect(await text(join(root, 'seed3-b'), RUN_FILES.questions)).toBe(a);
    expect(await text(join(root, 'seed4'), RUN_FILES.questions)).not.toBe(a);
  });
});
