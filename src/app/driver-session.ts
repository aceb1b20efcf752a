// The run driver now attached to the UI, kept outside the stores because it holds worker proxies.
// attachDriver records the run in useRunsStore and forwards the driver's callbacks into it; components
// read the driver through useDriver(). Callers: RunControls (live runs, resume), RunsPanel (replays).
import { useSyncExternalStore } from 'react';
import type { RunConfig } from '../infuser/config.ts';
import { TRAIN } from '../infuser/metrics.ts';
import { BUILTIN_MODEL } from '../workers/api.ts';
import type { RunDriver, RunDriverFactory, Unsubscribe } from './run-driver.ts';
import { useCheckpointsStore } from './stores/checkpoints.ts';
import { useRunsStore, type RunSource } from './stores/runs.ts';

let current: RunDriver | null = null;
let detach: Unsubscribe[] = [];
let liveFactory: RunDriverFactory | null = null;
const watchers = new Set<() => void>();

const notify = (): void => watchers.forEach((w) => w());

/** Registers the live training driver (the worker driver in src/workers/lab.ts). */
export function provideLiveDriverFactory(factory: RunDriverFactory | null): void {
  liveFactory = factory;
  notify();
}

export function liveDriverFactory(): RunDriverFactory | null {
  return liveFactory;
}

/**
 * Makes `driver` the UI's driver: records its run (a run already known, e.g. one resumed after a reload,
 * keeps its rows and continues them) and forwards the driver's events into useRunsStore.
 */
export function attachDriver(driver: RunDriver, run: { name: string; source: RunSource; config: RunConfig }): void {
  detachDriver();
  const runs = useRunsStore.getState();
  if (driver.runId in runs.runs) runs.setActive(driver.runId);
  else {
    runs.addRun({
      id: driver.runId, name: run.name, source: run.source, config: run.config,
      metrics: [], questions: [], status: 'ready', createdMs: Date.now(),
    });
  }
  runs.startLive(driver.runId);
  const iterations = run.config['training.iterations'];
  detach = [
    driver.onProgress((p) => useRunsStore.getState().setProgress(p, performance.now())),
    driver.onIteration((m, q) => {
      useRunsStore.getState().appendIteration(driver.runId, m, q);
      // A live driver reports an iteration once its checkpoint is stored.
      if (run.source === 'live') {
        useCheckpointsStore.getState().noteCompleted({ runId: driver.runId, completedIterations: m[TRAIN.ansLoop] + 1, iterations });
      }
    }),
    driver.onStatus((s) => useRunsStore.getState().setDriverStatus(driver.runId, s)),
  ];
  current = driver;
  notify();
}

/**
 * Continues a stored live run from its last checkpoint: the factory, given a known run id, restores
 * both roles' weights, optimizer state and the document sampler. A failed or stopped driver of the
 * same run is released first. Resolves once the run is attached and started.
 */
export async function resumeRun(runId: string): Promise<void> {
  const run = useRunsStore.getState().runs[runId];
  if (run === undefined) throw new Error(`No run "${runId}" to resume.`);
  if (liveFactory === null) throw new Error('No training driver in this build, so runs cannot resume.');
  const old = current;
  if (old !== null) {
    const state = useRunsStore.getState().live?.status.state;
    if (old.runId !== runId && (state === 'running' || state === 'pausing')) throw new Error('Another run is training: pause or stop it first.');
    detachDriver();
    if (old.runId === runId) await old.stop().catch(() => undefined);
  }
  // The stored checkpoint supplies inputs and models; an empty setup makes a missing checkpoint fail loudly.
  const setup = { runId, name: run.name, config: run.config, documents: [], devQuestions: [], models: { generator: BUILTIN_MODEL, solver: BUILTIN_MODEL } };
  const driver = await liveFactory(setup).catch((error: Error) => {
    throw new Error(`"${run.name}" cannot resume (is its checkpoint gone?): ${error.message}`);
  });
  attachDriver(driver, { name: run.name, source: 'live', config: driver.config });
  void driver.start();
}

/** Forgets the attached driver (it keeps whatever state it has). */
export function detachDriver(): void {
  detach.forEach((off) => off());
  detach = [];
  current = null;
  notify();
}

function subscribe(watcher: () => void): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/** The attached driver, re-rendering when it changes. */
export function useDriver(): RunDriver | null {
  return useSyncExternalStore(subscribe, () => current);
}

/** Whether a live driver factory is registered, re-rendering when it changes. */
export function useHasLiveFactory(): boolean {
  return useSyncExternalStore(subscribe, () => liveFactory !== null);
}

/** A fresh run id (ids only name records; no training randomness is involved). */
export function newRunId(): string {
  return `run-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}
