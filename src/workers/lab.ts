// The live run driver: spawns a Generator worker and a Solver worker (each with its own GPU device),
// hands their role clients to the same runIteration the CLI drives in-process, and checkpoints
// after every iteration so a reload or a lost device keeps everything completed.
import { wrap } from 'comlink';
import { Listeners, type DriverStatus, type ExportedFile, type Role, type RunDriver, type RunSetup, type Unsubscribe } from '../app/run-driver.ts';
import { DocumentSampler, docsShuffle } from '../infuser/document-sampler.ts';
import { runIteration } from '../infuser/iteration.ts';
import type { MetricRecord, QuestionRow, StageProgress } from '../infuser/run-records.ts';
import type { RoleHostApi } from './api.ts';
import { loadCheckpoint, saveCheckpoint, type LiveCheckpoint } from './checkpoint-db.ts';
import { RoleClient } from './role-client.ts';

export { BUILTIN_MODEL } from './api.ts';

interface Worker2 {
  worker: Worker;
  api: RoleClient;
}

function spawn(): Worker2 {
  const worker = new Worker(new URL('./role.worker.ts', import.meta.url), { type: 'module', name: 'infuser-role' });
  return { worker, api: new RoleClient(wrap<RoleHostApi>(worker)) };
}

/** Raised in the run loop when stop() abandons the iteration in flight. */
class IterationAbandoned extends Error {}

export class WorkerDriver implements RunDriver {
  readonly canExportWeights = true;
  private readonly progress = new Listeners<[StageProgress]>();
  private readonly iterations = new Listeners<[MetricRecord, QuestionRow[]]>();
  private readonly statuses = new Listeners<[DriverStatus]>();
  private gen: Worker2 | null = null;
  private sol: Worker2 | null = null;
  private ready: Promise<void> | null = null;
  private sampler: DocumentSampler;
  private completed: number;
  private pauseRequested = false;
  private running: Promise<void> | null = null;
  private lost: string | null = null;
  /** Rejects the iteration in flight (stop); null outside runIteration, e.g. while a checkpoint is written. */
  private abort: (() => void) | null = null;
  /** Bumped by stop: an abandoned iteration's late progress events are dropped. */
  private epoch = 0;

  private constructor(
    private readonly setup: RunSetup,
    private resumeFrom: LiveCheckpoint | undefined,
  ) {
    const seed = setup.config['training.seed'];
    this.sampler = new DocumentSampler(setup.documents.length, docsShuffle(seed), resumeFrom?.sampler);
    this.completed = resumeFrom?.completedIterations ?? 0;
  }

  /**
   * A new run, or the stored one with this id continued from its last completed iteration (its stored
   * config, inputs and models win over the setup's, so a resume needs only the run id).
   */
  static async create(setup: RunSetup): Promise<WorkerDriver> {
    const saved = await loadCheckpoint(setup.runId).catch(() => undefined);
    if (saved) {
      const restored = { ...setup, name: saved.name, config: saved.config, documents: saved.documents, devQuestions: saved.devQuestions, models: saved.models };
      return new WorkerDriver(restored, saved);
    }
    if (setup.documents.length === 0) throw new Error('The document pool is empty: load the built-in pool or drop documents first.');
    if (setup.devQuestions.length === 0) throw new Error('The target set is empty: load the built-in target set or drop a dev pool.');
    return new WorkerDriver(setup, undefined);
  }

  get runId(): string {
    return this.setup.runId;
  }

  get config() {
    return this.setup.config;
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      // Workers respawned after stop() start from the last checkpoint, not from where this driver began.
      if (this.completed > (this.resumeFrom?.completedIterations ?? 0)) this.resumeFrom = await loadCheckpoint(this.setup.runId);
      this.gen = spawn();
      this.sol = spawn();
      const { config } = this.setup;
      await Promise.all([
        this.gen.api.init({ role: 'generator', config, model: this.setup.models.generator, checkpoint: this.resumeFrom?.generator }),
        this.sol.api.init({ role: 'solver', config, model: this.setup.models.solver, checkpoint: this.resumeFrom?.solver }),
      ]);
      for (const w of [this.gen, this.sol]) {
        void w.api.lost().then((reason) => {
          if (w !== this.gen && w !== this.sol) return; // stop() destroyed this device on purpose
          this.lost = reason;
          this.statuses.emit({ state: 'failed', message: `${reason}. Iterations completed so far are kept; press Resume to continue from the last one.` });
        });
      }
    })().catch(async (e: unknown) => {
      await this.release(); // a later start retries with fresh workers
      throw e;
    });
    return this.ready;
  }

  private async checkpoint(): Promise<void> {
    const [generator, solver] = await Promise.all([this.gen!.api.checkpoint(), this.sol!.api.checkpoint()]);
    await saveCheckpoint({
      runId: this.setup.runId,
      name: this.setup.name,
      config: this.setup.config,
      documents: this.setup.documents,
      devQuestions: this.setup.devQuestions,
      models: this.setup.models,
      completedIterations: this.completed,
      sampler: this.sampler.state(),
      generator,
      solver,
      savedMs: Date.now(),
    });
  }

  private async one(): Promise<void> {
    const k = this.completed;
    const epoch = this.epoch;
    const iteration = runIteration(
      {
        config: this.setup.config,
        generator: this.gen!.api,
        solver: this.sol!.api,
        documents: this.setup.documents,
        dev: this.setup.devQuestions,
        sampler: this.sampler,
        onProgress: (p) => {
          if (epoch === this.epoch) this.progress.emit(p);
        },
      },
      k,
    );
    iteration.catch(() => undefined); // an abandoned iteration's calls die with its workers
    const result = await Promise.race([
      iteration,
      new Promise<never>((_, reject) => (this.abort = () => reject(new IterationAbandoned()))),
    ]).finally(() => (this.abort = null));
    this.completed = k + 1;
    this.progress.emit({ iteration: k, stage: 'checkpoint', done: 0, total: 1 });
    await this.checkpoint();
    this.progress.emit({ iteration: k, stage: 'checkpoint', done: 1, total: 1 });
    this.iterations.emit(result.metrics, result.questions);
  }

  private get total(): number {
    return this.setup.config['training.iterations'];
  }

  private async loop(maxIterations: number): Promise<void> {
    this.statuses.emit({ state: 'running' });
    try {
      await this.init();
      let done = 0;
      while (this.completed < this.total && done < maxIterations && !this.pauseRequested && !this.lost) {
        await this.one();
        done++;
      }
      if (this.lost) return;
      this.statuses.emit(this.completed >= this.total ? { state: 'finished' } : { state: 'paused' });
    } catch (e) {
      if (e instanceof IterationAbandoned) return; // stop() reports
      const message = this.lost ?? (e instanceof Error ? e.message : String(e));
      this.statuses.emit({ state: 'failed', message: `${message}. Iterations completed so far are kept.` });
    } finally {
      this.pauseRequested = false;
      this.running = null;
    }
  }

  start(): Promise<void> {
    this.running ??= this.loop(Infinity);
    return this.running;
  }

  step(): Promise<void> {
    this.running ??= this.loop(1);
    return this.running;
  }

  /** Takes effect when the running iteration ends (its checkpoint is written first); stop() is immediate. */
  pause(): void {
    if (!this.running) return;
    this.pauseRequested = true;
    this.statuses.emit({ state: 'pausing' });
  }

  /** Ends both workers; their devices are destroyed on purpose, so their lost() reports are ignored. */
  private async release(): Promise<void> {
    const workers = [this.gen, this.sol];
    this.gen = this.sol = null;
    this.ready = null;
    for (const w of workers) {
      if (!w) continue;
      await w.api.dispose().catch(() => undefined);
      w.worker.terminate();
    }
  }

  /**
   * Ends the run now. An iteration in flight is abandoned: its workers are ended with it, and the
   * driver rewinds to the last checkpoint (completed iterations, document sampler), so nothing of the
   * partial iteration is kept and nothing completed is lost. While a checkpoint is being written, the
   * stop waits for it.
   */
  async stop(): Promise<void> {
    this.pause();
    if (this.abort) {
      this.epoch++;
      this.abort();
      await this.running;
      await this.release();
      await this.rewind();
    } else {
      await this.running;
      await this.release();
    }
    this.statuses.emit({ state: 'stopped' });
  }

  private async rewind(): Promise<void> {
    const saved = await loadCheckpoint(this.setup.runId).catch(() => undefined);
    this.resumeFrom = saved;
    this.completed = saved?.completedIterations ?? 0;
    this.sampler = new DocumentSampler(this.setup.documents.length, docsShuffle(this.setup.config['training.seed']), saved?.sampler);
  }

  private async roleApi(role: Role): Promise<RoleClient> {
    if (this.lost) throw new Error(`${this.lost}: press Resume, then export from the last checkpoint`);
    // Reading weights between the stages of a running iteration would race its updates.
    if (this.running) throw new Error('The run is training: pause it (or wait for it to finish) before exporting weights');
    await this.init();
    return (role === 'generator' ? this.gen! : this.sol!).api;
  }

  async exportWeights(role: Role): Promise<ExportedFile[]> {
    return (await this.roleApi(role)).exportFolder();
  }

  async exportOnnx(role: Role): Promise<ExportedFile[]> {
    return (await this.roleApi(role)).exportOnnx();
  }

  onProgress(listener: (p: StageProgress) => void): Unsubscribe {
    return this.progress.add(listener);
  }

  onIteration(listener: (m: MetricRecord, q: QuestionRow[]) => void): Unsubscribe {
    return this.iterations.add(listener);
  }

  onStatus(listener: (s: DriverStatus) => void): Unsubscribe {
    return this.statuses.add(listener);
  }
}

export const createWorkerDriver = (setup: RunSetup): Promise<RunDriver> => WorkerDriver.create(setup);
