import { beforeEach, describe, expect, it } from 'vitest';
import type { CheckpointSummaryRecord } from '../../workers/checkpoint-db.ts';
import { runEntry } from '../test-rows.ts';
import { canResume, useCheckpointsStore } from './checkpoints.ts';

const live = { ...runEntry('r1', [], []), source: 'live' as const, status: 'paused' as const };
const summary = (completed: number) => ({ runId: 'r1', completedIterations: completed, iterations: 3 });

describe('canResume', () => {
  it('offers a live run with iterations left and no usable driver of its own', () => {
    expect(canResume(live, summary(2), null)).toBe(true);
    expect(canResume(live, summary(2), { runId: 'other', state: 'paused' })).toBe(true);
    // A lost GPU device or a Stop ends the driver; the checkpoint remains.
    expect(canResume(live, summary(2), { runId: 'r1', state: 'failed' })).toBe(true);
    expect(canResume(live, summary(2), { runId: 'r1', state: 'stopped' })).toBe(true);
  });

  it('does not offer finished runs, runs without a checkpoint, imports, or a run whose driver can go on', () => {
    expect(canResume(live, summary(3), null)).toBe(false);
    expect(canResume(live, undefined, null)).toBe(false);
    expect(canResume({ ...live, source: 'imported' }, summary(1), null)).toBe(false);
    expect(canResume(live, summary(1), { runId: 'r1', state: 'paused' })).toBe(false);
    expect(canResume(null, summary(1), null)).toBe(false);
  });
});

describe('useCheckpointsStore', () => {
  beforeEach(() => useCheckpointsStore.setState({ byRun: {}, message: null }));

  it('keeps only the counts of stored checkpoints, and a count noted meanwhile wins', async () => {
    const stored = (runId: string, completedIterations: number): CheckpointSummaryRecord =>
      ({ runId, completedIterations, iterations: 5, savedMs: 0 });
    let release: (list: CheckpointSummaryRecord[]) => void = () => {};
    const loading = useCheckpointsStore.getState().load(() => new Promise((resolve) => (release = resolve)));
    useCheckpointsStore.getState().noteCompleted({ runId: 'a', completedIterations: 3, iterations: 5 });
    release([stored('a', 2), stored('b', 4)]);
    await loading;
    expect(useCheckpointsStore.getState().byRun).toEqual({
      a: { runId: 'a', completedIterations: 3, iterations: 5 },
      b: { runId: 'b', completedIterations: 4, iterations: 5 },
    });
  });

  it('says why no run can resume when the database cannot be read', async () => {
    await useCheckpointsStore.getState().load(() => Promise.reject(new Error('IndexedDB infuser-lab-checkpoints: cannot open')));
    expect(useCheckpointsStore.getState().message).toMatch(/no run can resume: IndexedDB infuser-lab-checkpoints: cannot open/);
  });
});
