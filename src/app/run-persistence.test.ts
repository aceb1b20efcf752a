import { describe, expect, it } from 'vitest';
import { settleInterrupted } from './run-persistence.ts';
import { runEntry } from './test-rows.ts';

describe('settleInterrupted', () => {
  it('a live run saved while moving comes back paused at its last checkpoint; others keep their state', () => {
    const live = { ...runEntry('r', [], []), source: 'live' as const };
    expect(settleInterrupted({ ...live, status: 'running' }).status).toBe('paused');
    expect(settleInterrupted({ ...live, status: 'pausing' }).status).toBe('paused');
    expect(settleInterrupted({ ...live, status: 'failed' }).status).toBe('failed');
    expect(settleInterrupted({ ...live, status: 'finished' }).status).toBe('finished');
    expect(settleInterrupted({ ...live, source: 'replay', status: 'running' }).status).toBe('running');
  });
});
