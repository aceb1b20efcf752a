import { beforeEach, describe, expect, it } from 'vitest';
import type { MetricRecord } from '../../infuser/run-records.ts';
import { row, runEntry } from '../test-rows.ts';
import { LARGE_POOL_ROWS, selectCurve, selectInfluenceGrid, selectTopicMix, useRunsStore } from './runs.ts';

const questions = [
  row({ iteration: 0, slot: 0, row: 0, doc_id: 'd1', topic: 'alg', influence: 0.02 }),
  row({ iteration: 0, slot: 0, row: 1, doc_id: 'd1', topic: 'alg', influence: -0.01 }),
  row({ iteration: 0, slot: 1, row: 0, doc_id: 'd2', topic: 'bio', influence: null, degenerate: true }),
  row({ iteration: 0, slot: 1, row: 1, doc_id: 'd2', topic: 'bio', valid: false, influence: null }),
  row({ iteration: 1, slot: 0, row: 0, doc_id: 'd2', topic: 'bio', influence: -0.04 }),
  row({ iteration: 1, slot: 1, row: 0, doc_id: 'd3', topic: 'alg', influence: 0.03 }),
];
const metrics: MetricRecord[] = [
  { 'train/ans_loop': 0, 'dev_rollout/accuracy_strict': 0.25 },
  { 'train/ans_loop': 1, 'dev_rollout/accuracy_strict': 0.5, 'influence_sim/score/mean': 0.1 },
];

describe('run selectors', () => {
  it('influence grid: documents × iterations, cell = mean of the scored questions', () => {
    const grid = selectInfluenceGrid(runEntry('r', metrics, questions), 'auto');
    expect(grid.rowKind).toBe('documents');
    expect(grid.rows).toEqual(['d1', 'd2', 'd3']);
    expect(grid.iterations).toEqual([0, 1]);
    // d1 @0: (0.02 − 0.01) / 2 = 0.005; d2 @0: two questions, none scored; d2 @1: −0.04; d3 @0: not sampled.
    expect(grid.cells[0][0]?.mean).toBeCloseTo(0.005, 15);
    expect(grid.cells[1][0]).toMatchObject({ mean: null, scored: 0 });
    expect(grid.cells[1][0]?.questions).toHaveLength(2);
    expect(grid.cells[1][1]?.mean).toBe(-0.04);
    expect(grid.cells[2][0]).toBeNull();
    expect(grid.maxAbs).toBe(0.04);
  });

  it('influence grid by topic pools the questions of every document in the topic', () => {
    const grid = selectInfluenceGrid(runEntry('r', metrics, questions), 'topics');
    expect(grid.rows).toEqual(['alg', 'bio']);
    expect(grid.cells[0][1]?.mean).toBe(0.03);
    expect(grid.cells[1][1]?.mean).toBe(-0.04);
  });

  it('auto rows switch to topics only for large pools that carry topics', () => {
    const many = Array.from({ length: LARGE_POOL_ROWS + 1 }, (_, i) => row({ iteration: 0, slot: i, row: 0, doc_id: `d${i}`, topic: i % 2 ? 'x' : 'y' }));
    expect(selectInfluenceGrid(runEntry('big', [], many), 'auto').rowKind).toBe('topics');
    const untagged = many.map((q) => ({ ...q, topic: null }));
    expect(selectInfluenceGrid(runEntry('big2', [], untagged), 'auto').rowKind).toBe('documents');
  });

  it('curves read one key per iteration and skip records without it', () => {
    const run = runEntry('r', metrics, questions);
    expect(selectCurve(run, 'dev_rollout/accuracy_strict')).toEqual([{ x: 0, y: 0.25 }, { x: 1, y: 0.5 }]);
    expect(selectCurve(run, 'influence_sim/score/mean')).toEqual([{ x: 1, y: 0.1 }]);
  });

  it('topic mix counts every generated row per iteration', () => {
    const mix = selectTopicMix(runEntry('r', metrics, questions), 'topic');
    expect(mix.categories).toEqual(['alg', 'bio']);
    expect(mix.counts).toEqual([[2, 2], [1, 1]]);
  });
});

describe('useRunsStore', () => {
  beforeEach(() => useRunsStore.setState({ runs: {}, order: [], activeId: null, compareIds: [], live: null }));

  it('appends iterations without touching earlier rows, and the selectors follow', () => {
    const store = useRunsStore.getState();
    store.addRun(runEntry('r', [metrics[0]], questions.slice(0, 4)));
    const before = useRunsStore.getState().runs.r;
    useRunsStore.getState().appendIteration('r', metrics[1], questions.slice(4));
    const after = useRunsStore.getState().runs.r;
    expect(before.questions).toHaveLength(4);
    expect(after.questions).toHaveLength(6);
    expect(after.questions[0]).toBe(before.questions[0]);
    expect(selectInfluenceGrid(after, 'documents').iterations).toEqual([0, 1]);
    expect(() => useRunsStore.getState().appendIteration('nope', metrics[1], [])).toThrow(/no run "nope"/);
  });

  it('restarts stage clocks when a new iteration begins', () => {
    useRunsStore.getState().startLive('r');
    useRunsStore.getState().setProgress({ iteration: 0, stage: 'gen_rollout', done: 1, total: 4 }, 100);
    useRunsStore.getState().setProgress({ iteration: 0, stage: 'gen_rollout', done: 3, total: 4 }, 400);
    expect(useRunsStore.getState().live?.stages.gen_rollout).toEqual({ done: 3, total: 4, startedMs: 100, updatedMs: 400 });
    useRunsStore.getState().setProgress({ iteration: 1, stage: 'dev_rollout', done: 1, total: 2 }, 900);
    expect(useRunsStore.getState().live?.stages).toEqual({ dev_rollout: { done: 1, total: 2, startedMs: 900, updatedMs: 900 } });
  });
});
