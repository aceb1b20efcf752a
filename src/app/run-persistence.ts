// Mirrors useRunsStore into IndexedDB (run-db.ts): loads saved runs at start, then writes each run whose
// record changed (an import, an appended iteration, a status) and deletes removed ones. Called once by App.
import { deleteRun, getAllRuns, putRun } from './run-db.ts';
import { useRunsStore, type RunEntry } from './stores/runs.ts';

/** A live run saved mid-iteration was interrupted by the reload: it stands at its last checkpoint, paused. */
export function settleInterrupted(run: RunEntry): RunEntry {
  const wasMoving = run.status === 'running' || run.status === 'pausing' || run.status === 'ready';
  return run.source === 'live' && wasMoving ? { ...run, status: 'paused' } : run;
}

/** Loads saved runs into the store and keeps saving; returns the unsubscribe and a report of load errors. */
export function startRunPersistence(onError: (message: string) => void): () => void {
  getAllRuns()
    .then((runs) => useRunsStore.getState().hydrate(runs.map(settleInterrupted)))
    .catch((error: Error) => onError(`Saved runs could not be loaded: ${error.message}`));
  return useRunsStore.subscribe((state, previous) => {
    if (state.runs === previous.runs) return;
    for (const [id, run] of Object.entries(state.runs)) {
      if (previous.runs[id] !== run) putRun(run).catch((e: Error) => onError(`Run "${run.name}" was not saved: ${e.message}`));
    }
    for (const id of Object.keys(previous.runs)) {
      if (!(id in state.runs)) deleteRun(id).catch((e: Error) => onError(`Run ${id} was not deleted: ${e.message}`));
    }
  });
}
