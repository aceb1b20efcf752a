// The run driver now attached to the UI, kept outside the stores because it holds worker proxies.
// attachDriver records the run in useRunsStore and forwards the driver's callbacks into it; components
// read the driver through useDriver(). Callers: RunControls (live runs), RunsPanel (replays).
import { useSyncExternalStore } from 'react';
import type { RunConfig } from '../infuser/config.ts';
import type { RunDriver, RunDriverFactory, Unsubscribe } from './run-driver.ts';
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

/** Makes `driver` the UI's driver: records its run and forwards its events into useRunsStore. */
export function attachDriver(driver: RunDriver, run: { name: string; source: RunSource; config: RunConfig }): void {
  detachDriver();
  const runs = useRunsStore.getState();
  runs.addRun({
    id: driver.runId, name: run.name, source: run.source, config: run.config,
    metrics: [], questions: [], status: 'ready', createdMs: Date.now(),
  });
  runs.startLive(driver.runId);
  detach = [
    driver.onProgress((p) => useRunsStore.getState().setProgress(p, performance.now())),
    driver.onIteration((m, q) => useRunsStore.getState().appendIteration(driver.runId, m, q)),
    driver.onStatus((s) => useRunsStore.getState().setDriverStatus(driver.runId, s)),
  ];
  current = driver;
  notify();
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
