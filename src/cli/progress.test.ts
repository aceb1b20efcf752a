import { describe, expect, it } from 'vitest';
import { RunProgress, formatDuration, progressBar, timeLeft } from './progress.ts';

function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  return { out: { isTTY, write: (s: string) => chunks.push(s) }, chunks };
}

describe('progress formatting', () => {
  it('formats seconds, minutes and hours, and unknown as --', () => {
    expect(formatDuration(7.4)).toBe('7s');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Number.NaN)).toBe('--');
  });

  it('fills the bar in proportion to done/total', () => {
    expect(progressBar(0, 4, 8)).toBe('[--------]');
    expect(progressBar(1, 4, 8)).toBe('[##------]');
    expect(progressBar(4, 4, 8)).toBe('[########]');
    expect(progressBar(0, 0, 4)).toBe('[####]');
  });

  it('estimates time left from the mean rate so far', () => {
    expect(timeLeft(6, 2, 8)).toBe(18);
    expect(Number.isNaN(timeLeft(3, 0, 8))).toBe(true);
  });
});

describe('RunProgress', () => {
  it('prints one line per finished stage when stderr is not a terminal', () => {
    const { out, chunks } = recorder(false);
    let now = 0;
    const p = new RunProgress(out, 10, () => now);
    p.update({ iteration: 2, stage: 'gen_rollout', done: 0, total: 8 });
    now = 4000;
    p.update({ iteration: 2, stage: 'gen_rollout', done: 4, total: 8 });
    now = 9000;
    p.update({ iteration: 2, stage: 'gen_rollout', done: 8, total: 8 });
    expect(chunks).toEqual(['iteration 3/10  gen_rollout    8/8 in 9s\n']);
  });

  it('redraws one line with a bar, counts and time left on a terminal', () => {
    const { out, chunks } = recorder(true);
    let now = 0;
    const p = new RunProgress(out, 4, () => now);
    p.update({ iteration: 0, stage: 'dev_rollout', done: 0, total: 4 });
    now = 2000;
    p.update({ iteration: 0, stage: 'dev_rollout', done: 1, total: 4 });
    expect(chunks[1]).toBe(`\r\x1b[2Kiteration 1/4  dev_rollout    [${'#'.repeat(6)}${'-'.repeat(18)}] 1/4  6s left`);
    now = 8000;
    p.update({ iteration: 0, stage: 'dev_rollout', done: 4, total: 4 });
    expect(chunks.slice(2)).toEqual([`\r\x1b[2Kiteration 1/4  dev_rollout    [${'#'.repeat(24)}] 4/4  in 8s`, '\n']);
  });

  it('closes an open bar before a summary line', () => {
    const { out, chunks } = recorder(true);
    const p = new RunProgress(out, 1, () => 0);
    p.update({ iteration: 0, stage: 'influence', done: 0, total: 1 });
    p.line('done');
    expect(chunks.slice(1)).toEqual(['\n', 'done\n']);
  });
});
