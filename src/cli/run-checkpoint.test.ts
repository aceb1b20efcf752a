import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STREAM_SCHEME_VERSION } from '../infuser/rng.ts';
import { iterationCheckpointName, locateLatest, readCheckpointState, readRole, writeCheckpoint } from './run-checkpoint.ts';
import type { RunState } from './run-folder.ts';
import { fakeSnapshot } from './run-test-fixtures.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'run-checkpoint-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));


const state = (completed: number): RunState => ({
  completedIterations: completed, sampler: { epoch: 1, order: [2, 0, 1], cursor: 1 }, streamSchemeVersion: STREAM_SCHEME_VERSION,
  labVersion: 'test', seed: 5, models: { generator: 'g', solver: 's' },
});

const roles = () => ({ generator: fakeSnapshot(1), solver: fakeSnapshot(2) });

describe('checkpoints', () => {
  it('round-trips weights, AdamW m/v/t and extra role state bit for bit', async () => {
    const written = roles();
    await writeCheckpoint(dir, written, state(4), false);
    const latest = await locateLatest(dir);
    expect(latest).toBe(join(dir, 'checkpoints', 'latest'));
    expect(await readCheckpointState(latest)).toEqual(state(4));
    for (const name of ['generator', 'solver'] as const) {
      const { model, checkpoint } = await readRole(latest, name);
      const expected = written[name].checkpoint;
      expect(model.config).toEqual(written[name].config);
      expect(checkpoint.weights).toEqual(expected.weights);
      expect(checkpoint.optimizer.t).toBe(3);
      expect(checkpoint.optimizer.m).toEqual(expected.optimizer.m);
      expect(checkpoint.optimizer.v).toEqual(expected.optimizer.v);
      expect(checkpoint.extra).toEqual(expected.extra);
      expect(model.tokenizer.eosIds).toEqual(written[name].tokenizer.eosIds);
      expect(model.tokenizer.chatTemplate).toBe(written[name].tokenizer.chatTemplate);
    }
  });

  it('keeps iter-NNNN copies only when asked, and leaves no temp folders', async () => {
    await writeCheckpoint(dir, roles(), state(1), false);
    await writeCheckpoint(dir, roles(), state(2), true);
    expect((await readdir(join(dir, 'checkpoints'))).sort()).toEqual([iterationCheckpointName(2), 'latest']);
    expect(iterationCheckpointName(2)).toBe('iter-0002');
    expect((await readCheckpointState(join(dir, 'checkpoints', 'iter-0002'))).completedIterations).toBe(2);
  });

  it('finds the complete checkpoint after a crash between the swap renames', async () => {
    await writeCheckpoint(dir, roles(), state(1), false);
    await writeCheckpoint(dir, roles(), state(2), false);
    const root = join(dir, 'checkpoints');
    // Crash after latest → .previous, before .pending → latest: the new one is complete in .pending.
    await rename(join(root, 'latest'), join(root, '.pending'));
    expect(await locateLatest(dir)).toBe(join(root, '.pending'));
    // Only the old one survived.
    await rename(join(root, '.pending'), join(root, '.previous'));
    expect(await locateLatest(dir)).toBe(join(root, '.previous'));
    await rm(root, { recursive: true });
    await expect(locateLatest(dir)).rejects.toThrow(/no complete checkpoint/);
  });

  it('rejects moments that do not match the parameter list', async () => {
    const bad = roles();
    bad.solver.checkpoint.optimizer.m.pop();
    await expect(writeCheckpoint(dir, bad, state(1), false)).rejects.toThrow(/AdamW m has \d+ tensors but the model has \d+ parameters/);
  });
});
