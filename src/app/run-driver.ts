// The one interface through which the UI drives a run. RunControls calls start/step/pause/stop; the
// App forwards onProgress/onIteration into useRunsStore. Two implementations: ReplayDriver
// (replay-driver.ts, an exported run folder played back) and the lead's worker driver (src/workers/lab.ts,
// Generator and Solver workers over comlink). Drivers hold handles and proxies, so they never enter a store.
import type { Document } from '../data/documents.ts';
import type { DevQuestion } from '../data/dev-pool.ts';
import type { RunConfig } from '../infuser/config.ts';
import type { MetricRecord, QuestionRow, StageProgress } from '../infuser/run-records.ts';
import type { ModelSource } from '../workers/api.ts';

/** Where a driver stands; `failed` carries a message the UI shows as is. */
export type DriverStatus =
  | { state: 'ready' }
  | { state: 'running' }
  | { state: 'pausing' }
  | { state: 'paused' }
  | { state: 'finished' }
  | { state: 'stopped' }
  | { state: 'failed'; message: string };

/** Everything a new run starts from; the config is frozen by the driver at start. */
export interface RunSetup {
  runId: string;
  name: string;
  config: RunConfig;
  documents: readonly Document[];
  devQuestions: readonly DevQuestion[];
  /** Each role's starting weights: the built-in anchors or a dropped Hugging Face folder. */
  models: { generator: ModelSource; solver: ModelSource };
}

export type Role = 'generator' | 'solver';

/** A file handed back to the user (weights, tokenizer, config). */
export interface ExportedFile {
  name: string;
  bytes: Uint8Array;
}

export type Unsubscribe = () => void;

export interface RunDriver {
  readonly runId: string;
  readonly config: RunConfig;
  /** Whether exportWeights can succeed (a replay has no weights). */
  readonly canExportWeights: boolean;
  /** Runs iterations until the last one, a pause or a stop; resolves when it halts. */
  start(): Promise<void>;
  /** Runs exactly one iteration; resolves after its onIteration. */
  step(): Promise<void>;
  /** Halts when the running iteration has finished and been checkpointed; start or step resumes. */
  pause(): void;
  /** Ends the run now and releases workers; an iteration in flight is dropped, completed ones stay recorded. */
  stop(): Promise<void>;
  /** One role's current weights as a Hugging Face folder (config.json, model.safetensors, tokenizer files). */
  exportWeights(role: Role): Promise<ExportedFile[]>;
  /** One role's current weights as ONNX: model.onnx (and model.onnx.data above 2 GB). */
  exportOnnx(role: Role): Promise<ExportedFile[]>;
  onProgress(listener: (progress: StageProgress) => void): Unsubscribe;
  /** One call per finished iteration: its metric record and every generated question row. */
  onIteration(listener: (metrics: MetricRecord, questions: QuestionRow[]) => void): Unsubscribe;
  onStatus(listener: (status: DriverStatus) => void): Unsubscribe;
}

/**
 * Makes a live training driver; the App has none until the worker driver is provided. Given the id of a
 * run with a stored checkpoint, it continues that run (its stored config, inputs and models win).
 */
export type RunDriverFactory = (setup: RunSetup) => Promise<RunDriver>;

/** A small listener set, shared by driver implementations. */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();

  add(listener: (...args: A) => void): Unsubscribe {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(...args: A): void {
    for (const listener of [...this.set]) listener(...args);
  }
}
