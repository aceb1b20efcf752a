import { describe, expect, it } from 'vitest';
import { buildConfig } from '../infuser/config.ts';
import { STAGES, type StageProgress } from '../infuser/run-records.ts';
import { ReplayDriver, replayIterations } from './replay-driver.ts';
import type { DriverStatus } from './run-driver.ts';
import type { RunFolder } from './run-folder.ts';
import { row } from './test-rows.ts';

const config = buildConfig({ overrides: { 'solver.rollout.n': 4 } });
const folder: RunFolder = {
  name: 'r',
  config,
  metrics: [
    { 'train/ans_loop': 0, 'dev_rollout/num_generated_answers': 8 },
    { 'train/ans_loop': 1 },
  ],
  questions: [
    row({ iteration: 0, slot: 0, row: 0, doc_id: 'a' }),
    row({ iteration: 0, slot: 0, row: 1, doc_id: 'a', valid: false }),
    row({ iteration: 1, slot: 0, row: 0, doc_id: 'b' }),
    row({ iteration: 2, slot: 0, row: 0, doc_id: 'c' }),
  ],
};

function record(driver: ReplayDriver) {
  const progress: StageProgress[] = [];
  const iterations: [number, number][] = [];
  const statuses: DriverStatus['state'][] = [];
  driver.onProgress((p) => progress.push(p));
  driver.onIteration((m, q) => iterations.push([m['train/ans_loop'], q.length]));
  driver.onStatus((s) => statuses.push(s.state));
  return { progress, iterations, statuses };
}

describe('ReplayDriver', () => {
  it('groups rows by iteration; questions without a metric line get a bare record', () => {
    expect(replayIterations(folder).map((it) => [it.iteration, it.questions.length, it.metrics])).toEqual([
      [0, 2, folder.metrics[0]], [1, 1, folder.metrics[1]], [2, 1, { 'train/ans_loop': 2 }],
    ]);
  });

  it('step plays every stage in order, with totals from the rows, then one iteration', async () => {
    const driver = new ReplayDriver('x', folder, { stageDelayMs: 0, ticksPerStage: 1 });
    const seen = record(driver);
    await driver.step();
    expect(seen.progress.map((p) => p.stage)).toEqual([...STAGES]);
    // dev answers from the metric; 2 generated rows; 1 valid × n_S = 4 answers; 1 scored question.
    expect(seen.progress.slice(0, 4).map((p) => [p.done, p.total])).toEqual([[8, 8], [2, 2], [4, 4], [1, 1]]);
    expect(seen.iterations).toEqual([[0, 2]]);
    expect(seen.statuses).toEqual(['running', 'paused']);
  });

  it('start runs to the end; pause halts between stages and start resumes there', async () => {
    const driver = new ReplayDriver('x', folder, { stageDelayMs: 0, ticksPerStage: 1 });
    const seen = record(driver);
    const running = driver.start();
    driver.pause();
    await running;
    expect(seen.iterations).toEqual([]);
    expect(seen.progress).toHaveLength(1);
    await driver.start();
    expect(seen.iterations).toEqual([[0, 2], [1, 1], [2, 1]]);
    expect(seen.progress).toHaveLength(3 * STAGES.length);
    expect(seen.statuses).toEqual(['running', 'pausing', 'paused', 'running', 'finished']);
    await expect(driver.exportWeights()).rejects.toThrow(/no weights/);
  });

  it('stop ends the run for good', async () => {
    const driver = new ReplayDriver('x', folder, { stageDelayMs: 0 });
    const seen = record(driver);
    await driver.stop();
    await driver.start();
    expect(seen.iterations).toEqual([]);
    expect(seen.statuses).toEqual(['stopped']);
  });
});
