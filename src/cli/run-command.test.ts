// Bad input to `infuser-lab run`: exit status 1, a message naming file and line, and --out untouched
// (hashed before and after). Every case fails during planning, before a GPU is touched.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../infuser/config.ts';
import { main } from './main.ts';
import { buildRunConfig, planRun } from './run-command.ts';
import { captureStderr, devJson, documentsJson, hashTree, put, writeFakeRun, writeTinyModel } from './run-test-fixtures.ts';
import { parseFlags } from './args.ts';

let root: string;
let base: string[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'run-command-'));
  await writeTinyModel(join(root, 'model'), 1);
  await put(join(root, 'docs.json'), documentsJson(8));
  await put(join(root, 'dev.json'), devJson(3));
  base = ['--generator', join(root, 'model'), '--solver', join(root, 'model')];
});
afterAll(() => rm(root, { recursive: true, force: true }));


/** Runs the CLI on an empty --out folder; returns exit status and stderr, and checks the folder is untouched. */
async function runOnEmptyOut(args: string[]): Promise<{ code: number; stderr: string }> {
  const out = await mkdtemp(join(root, 'out-'));
  const before = await hashTree(out);
  const { result, stderr } = await captureStderr(() => main(['run', ...base, '--out', out, ...args]));
  expect(await hashTree(out)).toBe(before);
  return { code: result, stderr };
}

const pool = (name: string, text: string | Uint8Array) => put(join(root, 'bad', name), text);

describe('run: bad inputs leave --out untouched', () => {
  it('malformed JSON in the pool names file and line', async () => {
    const path = await pool('broken.json', '[\n  {"doc_id": "a", "content": "x"},\n  {"doc_id": "b" "content": "y"}\n]');
    const r = await runOnEmptyOut(['--pool', path, '--dev', join(root, 'dev.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:3: malformed JSON`);
  });

  it('a malformed JSONL line names file and line', async () => {
    const path = await pool('docs.jsonl', '{"content": "one"}\n\n{"content": "two"\n');
    const r = await runOnEmptyOut(['--pool', path, '--dev', join(root, 'dev.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:3: malformed JSON line`);
  });

  it('a pool without documents is an error', async () => {
    const path = await pool('empty-array.json', '[]');
    const r = await runOnEmptyOut(['--pool', path, '--dev', join(root, 'dev.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--pool ${path}: no documents`);
  });

  it('a document row without text names its line', async () => {
    const path = await pool('no-text.json', '[\n  {"doc_id": "a", "content": "x"},\n  {"doc_id": "b"}\n]');
    const r = await runOnEmptyOut(['--pool', path, '--dev', join(root, 'dev.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:3: no text`);
  });

  it('a binary file is refused by name', async () => {
    const path = await pool('blob.json', Uint8Array.from([0x5b, 0x00, 0xff, 0x10, 0x5d]));
    const r = await runOnEmptyOut(['--pool', path, '--dev', join(root, 'dev.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}: binary file`);
  });

  it('a dev item without choices names file and line', async () => {
    const path = await pool('dev-no-choices.json',
      '[\n  {"question_text": "q1", "choices": ["a", "b"], "ground_truth": "a"},\n  {"question_text": "q2", "ground_truth": "a"}\n]');
    const r = await runOnEmptyOut(['--pool', join(root, 'docs.json'), '--dev', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:3: no_choices`);
  });

  it('a dev ground truth outside the choices names file and line', async () => {
    const path = await pool('dev-bad-truth.jsonl',
      '{"question_text": "q1", "choices": ["a", "b"], "ground_truth": "a"}\n{"question_text": "q2", "choices": ["a", "b"], "ground_truth": "zebra"}\n');
    const r = await runOnEmptyOut(['--pool', join(root, 'docs.json'), '--dev', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}:2: unresolvable_ground_truth`);
  });

  it('a folder pool with a binary .txt names the file inside the folder', async () => {
    const folder = join(root, 'bad', 'texts');
    await put(join(folder, 'a.txt'), 'the document is a choice');
    await put(join(folder, 'b.txt'), Uint8Array.from([0x61, 0x00, 0x62]));
    const r = await runOnEmptyOut(['--pool', folder, '--dev', join(root, 'dev.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(folder, 'b.txt')}: binary file`);
  });

  it('an unknown key in --config names the key and the file', async () => {
    const path = await pool('settings.json', '{"training.doc_batch_size": 8, "training.doc_batchsize": 8}');
    const r = await runOnEmptyOut(['--config', path, '--pool', join(root, 'docs.json'), '--dev', join(root, 'dev.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}: Unknown config key "training.doc_batchsize"`);
  });

  it('a missing --pool path is named', async () => {
    const r = await runOnEmptyOut(['--pool', join(root, 'nowhere.json'), '--dev', join(root, 'dev.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--pool ${join(root, 'nowhere.json')}: no such file or folder`);
  });
});

describe('run: settings', () => {
  it('applies defaults → --config → --iterations/--seed → --set, later winning', async () => {
    const path = await pool('layered.json', '{"training.iterations": 7, "training.seed": 1, "solver.rollout.n": 3, "training.doc_batch_size": 12}');
    const flags = parseFlags(['--config', path, '--seed', '5', '--set', 'solver.rollout.n=6', '--set', 'training.iterations=9'], {
      config: 'string', seed: 'number', iterations: 'number', set: 'list',
    }, 'run');
    const config = await buildRunConfig(flags);
    const expected = buildConfig({ overrides: { 'training.iterations': 9, 'training.seed': 5, 'solver.rollout.n': 6, 'training.doc_batch_size': 12 } });
    expect(config).toEqual(expected);
  });

  it('an out-of-range --set value names the key and its range', async () => {
    const r = await runOnEmptyOut(['--set', 'training.doc_batch_size=6', '--pool', join(root, 'docs.json'), '--dev', join(root, 'dev.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"training\.doc_batch_size": 6 is out of range/);
  });

  it('plans a valid run without writing anything', async () => {
    const out = join(root, 'planned');
    const plan = await planRun([...base, '--pool', join(root, 'docs.json'), '--dev', join(root, 'dev.json'), '--out', out,
      '--iterations', '2', '--seed', '11'], () => {});
    expect(plan.config['training.iterations']).toBe(2);
    expect(plan.documents).toHaveLength(8);
    expect(plan.dev).toHaveLength(3);
    expect(plan.state.completedIterations).toBe(0);
    expect(await hashTree(out)).toBe(await hashTree(join(root, 'never-created')));
  });
});

describe('run: pool formats', () => {
  it('reads a folder of .txt/.md files as chunked documents and a JSONL pool row by row', async () => {
    const folder = join(root, 'texts-ok');
    await put(join(folder, 'a.txt'), 'the document is a choice .\n\nwhich is the answer ?');
    await put(join(folder, 'sub', 'b.md'), '# heading\n\nthe answer of the question');
    const common = [...base, '--dev', join(root, 'dev.json'), '--out', join(root, 'never-a')];
    const fromFolder = await planRun([...common, '--pool', folder], () => {});
    expect(fromFolder.documents.map((d) => [d.doc_id, d.source_pdf])).toEqual([['a.txt#0', 'a.txt'], ['sub/b.md#0', 'sub/b.md']]);
    const jsonl = await put(join(root, 'pool.jsonl'), '{"doc_id": 5, "text": "one"}\n\n{"content": "two", "topic": "t"}\n');
    const fromJsonl = await planRun([...common, '--pool', jsonl], () => {});
    expect(fromJsonl.documents.map((d) => [d.doc_id, d.content])).toEqual([['5', 'one'], ['pool.jsonl#1', 'two']]);
  });

  it('uses the built-in world pool and dev set when --pool and --dev are absent', async () => {
    const plan = await planRun([...base, '--out', join(root, 'never-b'), '--set', 'data.dev_pool_size=32'], () => {});
    expect(plan.documents.length).toBeGreaterThan(0);
    expect(plan.documents[0].doc_id).toMatch(/^world-/);
    expect(plan.dev.length).toBeGreaterThan(0);
    expect(plan.dev.length).toBeLessThanOrEqual(32);
  });
});

describe('run --resume: checks before touching the run', () => {
  let runDir: string;
  beforeAll(async () => {
    runDir = join(root, 'finished');
    await writeFakeRun(runDir, buildConfig({ overrides: { 'training.iterations': 2, 'training.seed': 4 } }));
  });

  const resume = async (args: string[]) => {
    const before = await hashTree(runDir);
    const { result, stderr } = await captureStderr(() => main(['run', '--out', runDir, ...args]));
    expect(await hashTree(runDir)).toBe(before);
    return { code: result, stderr };
  };

  it('a differing seed is an error', async () => {
    const r = await resume(['--resume', '--seed', '5', '--iterations', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--seed 5 differs from the run\'s seed 4');
  });

  it('--iterations may only raise the total', async () => {
    const r = await resume(['--resume', '--iterations', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--iterations 1 is below the run\'s total 2');
  });

  it('inputs and settings cannot change on resume', async () => {
    const r = await resume(['--resume', '--set', 'training.doc_batch_size=8']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('drop --set');
  });

  it('a finished run without a higher --iterations is reported, not rerun', async () => {
    const r = await resume(['--resume']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('all 2 iterations are complete');
  });

  it('a new run into an existing run folder is refused', async () => {
    const r = await resume([...base, '--pool', join(root, 'docs.json'), '--dev', join(root, 'dev.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already holds a run: add --resume');
  });

  it('a non-empty folder that is not a run is refused', async () => {
    const other = join(root, 'other');
    await mkdir(other, { recursive: true });
    await put(join(other, 'notes.txt'), 'mine');
    const before = await hashTree(other);
    const { result, stderr } = await captureStderr(() => main(['run', ...base, '--out', other]));
    expect(result).toBe(1);
    expect(stderr).toContain('exists and is not empty');
    expect(await hashTree(other)).toBe(before);
  });
});
