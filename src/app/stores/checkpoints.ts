// useCheckpointsStore: which live runs have a browser checkpoint (src/workers/checkpoint-db.ts) and how
// far it got, so a run interrupted by a reload, a Stop or a lost GPU device offers Resume. Read from
// IndexedDB once at start, then kept current from the attached driver's iterations (a live driver
// reports an iteration only after its checkpoint is written). Read by RunControls and RunsPanel.
import { create } from 'zustand';
import type { CheckpointSummaryRecord } from '../../workers/checkpoint-db.ts';
import type { DriverStatus } from '../run-driver.ts';
import type { RunEntry } from './runs.ts';

export interface CheckpointSummary {
  runId: string;
  completedIterations: number;
  /** The run's configured iterations (`training.iterations`). */
  iterations: number;
}

interface CheckpointsState {
  byRun: Record<string, CheckpointSummary>;
  message: string | null;
  /** Reads the stored checkpoints' summaries once (never their weights). */
  load: (list: () => Promise<CheckpointSummaryRecord[]>) => Promise<void>;
  noteCompleted: (summary: CheckpointSummary) => void;
}

export const useCheckpointsStore = create<CheckpointsState>((set) => ({
  byRun: {},
  message: null,
  load: async (list) => {
    try {
      const found = await list();
      const byRun: Record<string, CheckpointSummary> = {};
      for (const c of found) {
        byRun[c.runId] = { runId: c.runId, completedIterations: c.completedIterations, iterations: c.iterations };
      }
      // Counts noted from a driver meanwhile are newer than what was read.
      set((s) => ({ byRun: { ...byRun, ...s.byRun }, message: null }));
    } catch (error) {
      set({ message: `Stored checkpoints could not be read, so no run can resume: ${(error as Error).message}` });
    }
  },
  noteCompleted: (summary) => set((s) => ({ byRun: { ...s.byRun, [summary.runId]: summary } })),
}));

/** The attached driver's run and state, as RunControls sees it. */
export interface AttachedRun {
  runId: string;
  state: DriverStatus['state'];
}

/**
 * Whether `run` can continue from its checkpoint through a fresh driver: a live run with iterations
 * left whose own driver is not attached and usable (a paused attached driver continues with Run).
 */
export function canResume(run: RunEntry | null, summary: CheckpointSummary | undefined, attached: AttachedRun | null): boolean {
  if (run === null || run.source !== 'live' || summary === undefined) return false;
  if (summary.completedIterations >= summary.iterations) return false;
  const isOwnDriverUsable = attached !== null && attached.runId === run.id && attached.state !== 'failed' && attached.state !== 'stopped';
  return !isOwnDriverUsable;
}
