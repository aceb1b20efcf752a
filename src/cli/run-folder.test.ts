import { mkdtemp, readdir, readFile, writeFile, appendFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../infuser/config.ts';
import {
  checkRecords, folderKind, lastMetrics, parseRunState, readSavedRun, truncateToCompleted, writeFileAtomic, RUN_FILES,
} from './run-folder.ts';
import { fakeQuestion, writeFakeRun } from './run-test-fixtures.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-folder-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));


const lines = async (file: string) => (await readFile(join(dir, file), 'utf8')).split('\n').filter((l) => l !== '');

describe('atomic writes', () => {
  it('replaces the file whole and leaves no temp file behind', async () => {
    const path = join(dir, 'sub', 'a.json');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(join(dir, 'sub'))).toEqual(['a.json']);
  });
});

describe('folderKind', () => {
  it('tells absent, empty, run, file and other folders apart', async () => {
    expect(await folderKind(join(dir, 'nope'))).toBe('absent');
    expect(await folderKind(dir)).toBe('empty');
    await writeFile(join(dir, 'x.txt'), 'x');
    expect(await folderKind(dir)).toBe('other');
    expect(await folderKind(join(dir, 'x.txt'))).toBe('file');
    const run = join(dir, 'run');
    await writeFakeRun(run, buildConfig({ overrides: { 'training.iterations': 1 } }));
    expect(await folderKind(run)).toBe('run');
  });
});

describe('records on resume', () => {
  it('cuts metrics and questions back to the completed iterations, dropping a torn last line', async () => {
    await writeFakeRun(dir, buildConfig({ overrides: { 'training.iterations': 3 } }));
    await appendFile(join(dir, RUN_FILES.questions), '{"iteration":3,"slot"'); // an append cut short
    const dropped = await truncateToCompleted(dir, 2);
    expect(dropped).toEqual({ droppedMetrics: 1, droppedQuestions: 3 });
    expect((await lines(RUN_FILES.metrics)).map((l) => JSON.parse(l)['train/ans_loop'])).toEqual([0, 1]);
    expect((await lines(RUN_FILES.questions)).map((l) => JSON.parse(l).iteration)).toEqual([0, 0, 1, 1]);
  });

  it('refuses to resume when metrics.jsonl lost a completed iteration, naming the file', async () => {
    await writeFakeRun(dir, buildConfig({ overrides: { 'training.iterations': 2 } }));
    const metrics = await lines(RUN_FILES.metrics);
    await writeFile(join(dir, RUN_FILES.metrics), `${metrics[0]}\n`);
    await expect(checkRecords(dir, 2)).rejects.toThrow(/metrics\.jsonl: holds 1 record\(s\) for the 2 completed/);
  });

  it('names file and line of an edited (non-JSON) line in the middle', async () => {
    await writeFakeRun(dir, buildConfig({ overrides: { 'training.iterations': 2 } }));
    const rows = await lines(RUN_FILES.questions);
    rows.splice(1, 0, 'garbage');
    await writeFile(join(dir, RUN_FILES.questions), `${rows.join('\n')}\n`);
    await expect(checkRecords(dir, 2)).rejects.toThrow(/questions\.jsonl:2: not a JSON line/);
  });

  it('finds the last metric record with projected-fidelity keys', async () => {
    await writeFakeRun(dir, buildConfig({ overrides: { 'training.iterations': 3 } }),
      (k): Record<string, number> => (k === 1 ? { 'influence_proj/spearman': 0.9 } : {}));
    expect((await lastMetrics(dir))!['train/ans_loop']).toBe(2);
    expect((await lastMetrics(dir, (m) => 'influence_proj/spearman' in m))!['train/ans_loop']).toBe(1);
  });
});

describe('saved run', () => {
  it('reads back the exact config, documents and dev questions it started from', async () => {
    const config = buildConfig({ overrides: { 'training.iterations': 2, 'training.seed': 9, 'influence.similarity_mode': 'dot' } });
    await writeFakeRun(dir, config);
    const saved = await readSavedRun(dir);
    expect(saved.config).toEqual(config);
    expect(saved.documents.map((d) => [d.doc_id, d.content, d.extra.topic])).toEqual(
      Array.from({ length: 6 }, (_, i) => [`doc-${i}`, `the document ${i} is a choice of w x y z`, i % 2 ? 'odd' : 'even']),
    );
    // ground_truth "x" among [w, x, y, z] is choice index 1 (letter B), and stays so after the round trip.
    expect(saved.dev.map((q) => [q.question_id, q.correct_index])).toEqual([['dev-0', 1], ['dev-1', 1], ['dev-2', 1]]);
  });

  it('rejects a damaged run-state.json with a message naming it', () => {
    expect(() => parseRunState('{"completedIterations": -1}', 'x/run-state.json')).toThrow(/x\/run-state\.json: "completedIterations"/);
    expect(() => parseRunState('{', 'x/run-state.json')).toThrow(/x\/run-state\.json: not valid JSON/);
  });

  it('keeps question rows verbatim', async () => {
    await writeFakeRun(dir, buildConfig({ overrides: { 'training.iterations': 1 } }));
    expect(JSON.parse((await lines(RUN_FILES.questions))[1])).toEqual(fakeQuestion(0, 1));
  });
});
