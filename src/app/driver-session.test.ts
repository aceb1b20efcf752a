import { beforeEach, describe, expect, it } from 'vitest';
import { buildConfig, type RunConfig } from '../infuser/config.ts';
import type { MetricRecord, QuestionRow, StageProgress } from '../infuser/run-records.ts';
import { attachDriver, detachDriver, provideLiveDriverFactory, resumeRun } from './driver-session.ts';
import { Listeners, type DriverStatus, type RunDriver, type RunSetup } from './run-driver.ts';
import { useCheckpointsStore } from './stores/checkpoints.ts';
import { useRunsStore } from './stores/runs.ts';
import { row } from './test-rows.ts';

const config = buildConfig({ overrides: { 'training.iterations': 3 } });

/** A driver the test moves by hand. */
class FakeDriver implements RunDriver {
  readonly canExportWeights = true;
  readonly progress = new Listeners<[StageProgress]>();
  readonly iterations = new Listeners<[MetricRecord, QuestionRow[]]>();
  readonly statuses = new Listeners<[DriverStatus]>();
  starts = 0;
  stops = 0;
  constructor(readonly runId: string, readonly config: RunConfig) {}
  async start() { this.starts++; this.statuses.emit({ state: 'running' }); }
  async step() {}
  pause() {}
  async stop() { this.stops++; this.statuses.emit({ state: 'stopped' }); }
  async exportWeights() { return []; }
  async exportOnnx() { return []; }
  onProgress(l: (p: StageProgress) => void) { return this.progress.add(l); }
  onIteration(l: (m: MetricRecord, q: QuestionRow[]) => void) { return this.iterations.add(l); }
  onStatus(l: (s: DriverStatus) => void) { return this.statuses.add(l); }
  finishIteration(k: number) { this.iterations.emit({ 'train/ans_loop': k }, [row({ iteration: k, slot: 0, row: 0, doc_id: 'd' })]); }
}

beforeEach(() => {
  detachDriver();
  useRunsStore.setState({ runs: {}, order: [], activeId: null, compareIds: [], live: null });
  useCheckpointsStore.setState({ byRun: {}, message: null });
});

describe('driver session', () => {
  it('records a new live run and notes each iteration as checkpointed', () => {
    const driver = new FakeDriver('r1', config);
    attachDriver(driver, { name: 'one', source: 'live', config });
    driver.finishIteration(0);
    expect(useRunsStore.getState().runs.r1.metrics).toEqual([{ 'train/ans_loop': 0 }]);
    expect(useCheckpointsStore.getState().byRun.r1).toEqual({ runId: 'r1', completedIterations: 1, iterations: 3 });
  });

  it('resumes a stored run through the factory by its id, and its rows continue', async () => {
    const first = new FakeDriver('r1', config);
    attachDriver(first, { name: 'one', source: 'live', config });
    first.finishIteration(0);
    first.finishIteration(1);
    first.statuses.emit({ state: 'failed', message: 'GPU device lost (unknown): gone' });
    const setups: RunSetup[] = [];
    const second = new FakeDriver('r1', config);
    provideLiveDriverFactory(async (setup) => { setups.push(setup); return second; });
    await resumeRun('r1');
    expect(first.stops).toBe(1); // the failed driver's workers are released
    expect(setups.map((s) => [s.runId, s.name])).toEqual([['r1', 'one']]);
    expect(second.starts).toBe(1);
    second.finishIteration(2);
    const run = useRunsStore.getState().runs.r1;
    expect(run.metrics.map((m) => m['train/ans_loop'])).toEqual([0, 1, 2]);
    expect(run.status).toBe('running');
    expect(useRunsStore.getState().order).toEqual(['r1']);
    expect(useCheckpointsStore.getState().byRun.r1.completedIterations).toBe(3);
  });

  it('refuses to resume while another run trains', async () => {
    const busy = new FakeDriver('busy', config);
    attachDriver(busy, { name: 'busy', source: 'live', config });
    await busy.start();
    useRunsStore.getState().addRun({ ...useRunsStore.getState().runs.busy, id: 'old', name: 'old' });
    provideLiveDriverFactory(async () => new FakeDriver('old', config));
    await expect(resumeRun('old')).rejects.toThrow(/Another run is training/);
    await expect(resumeRun('missing')).rejects.toThrow(/No run "missing"/);
  });
});
