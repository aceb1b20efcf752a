// ReplayDriver: plays an exported run folder back through the RunDriver interface, stage by stage with
// progress, so the live charts can be built and e2e-tested before the worker driver exists, and a finished
// run can be watched again. Stage totals come from the recorded rows and metrics; nothing is recomputed.
import { ANSWER_ROLLOUT, TRAIN } from '../infuser/metrics.ts';
import { STAGES, type MetricRecord, type QuestionRow, type StageName, type StageProgress } from '../infuser/run-records.ts';
import type { RunConfig } from '../infuser/config.ts';
import { Listeners, type DriverStatus, type ExportedFile, type RunDriver } from './run-driver.ts';
import type { RunFolder } from './run-folder.ts';

interface ReplayIteration {
  iteration: number;
  metrics: MetricRecord;
  questions: QuestionRow[];
}

export interface ReplayOptions {
  /** Wall time each stage takes in the replay. */
  stageDelayMs?: number;
  /** Progress updates per stage. */
  ticksPerStage?: number;
}

/** Groups a run's rows by iteration; an iteration with questions but no metric line gets a bare record. */
export function replayIterations(folder: RunFolder): ReplayIteration[] {
  const byIteration = new Map<number, ReplayIteration>();
  for (const metrics of folder.metrics) {
    const iteration = metrics[TRAIN.ansLoop];
    byIteration.set(iteration, { iteration, metrics, questions: [] });
  }
  for (const q of folder.questions) {
    let entry = byIteration.get(q.iteration);
    if (entry === undefined) byIteration.set(q.iteration, (entry = { iteration: q.iteration, metrics: { [TRAIN.ansLoop]: q.iteration }, questions: [] }));
    entry.questions.push(q);
  }
  return [...byIteration.values()].sort((a, b) => a.iteration - b.iteration);
}

/** What each stage counts in the replay: dev answers, generated rows, Solver answers, scored questions… */
export function stageTotal(stage: StageName, it: ReplayIteration, config: RunConfig): number {
  const valid = it.questions.filter((q) => q.valid).length;
  switch (stage) {
    case 'dev_rollout': return it.metrics[`dev_rollout/${ANSWER_ROLLOUT.numGeneratedAnswers}`] ?? 1;
    case 'gen_rollout': return Math.max(1, it.questions.length);
    case 'answer_rollout': return Math.max(1, valid * config['solver.rollout.n']);
    case 'influence': return Math.max(1, valid);
    default: return 1;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ReplayDriver implements RunDriver {
  readonly canExportWeights = false;
  readonly config: RunConfig;
  private readonly iterations: ReplayIteration[];
  private readonly progress = new Listeners<[StageProgress]>();
  private readonly iterationDone = new Listeners<[MetricRecord, QuestionRow[]]>();
  private readonly status = new Listeners<[DriverStatus]>();
  private position = { iteration: 0, stage: 0 };
  private isRunning = false;
  private haltRequested = false;
  private isStopped = false;

  constructor(readonly runId: string, folder: RunFolder, private readonly options: ReplayOptions = {}) {
    this.config = folder.config;
    this.iterations = replayIterations(folder);
  }

  get isFinished(): boolean {
    return this.position.iteration >= this.iterations.length;
  }

  onProgress(listener: (p: StageProgress) => void) { return this.progress.add(listener); }
  onIteration(listener: (m: MetricRecord, q: QuestionRow[]) => void) { return this.iterationDone.add(listener); }
  onStatus(listener: (s: DriverStatus) => void) { return this.status.add(listener); }

  start(): Promise<void> {
    return this.drive(Infinity);
  }

  step(): Promise<void> {
    return this.drive(1);
  }

  pause(): void {
    if (!this.isRunning) return;
    this.haltRequested = true;
    this.status.emit({ state: 'pausing' });
  }

  async stop(): Promise<void> {
    this.haltRequested = true;
    this.isStopped = true;
    if (!this.isRunning) this.status.emit({ state: 'stopped' });
  }

  async exportWeights(): Promise<ExportedFile[]> {
    throw new Error('A replayed run has no weights: export weights from a live run');
  }

  async exportOnnx(): Promise<ExportedFile[]> {
    return this.exportWeights();
  }

  /** Plays up to `count` iteration ends, stage by stage, honouring pause and stop between stages. */
  private async drive(count: number): Promise<void> {
    if (this.isRunning || this.isStopped || this.isFinished) return;
    this.isRunning = true;
    this.haltRequested = false;
    this.status.emit({ state: 'running' });
    let finished = 0;
    while (finished < count && !this.haltRequested && !this.isFinished) {
      const it = this.iterations[this.position.iteration];
      await this.playStage(it, STAGES[this.position.stage]);
      this.position.stage++;
      if (this.position.stage === STAGES.length) {
        this.iterationDone.emit(it.metrics, it.questions);
        this.position = { iteration: this.position.iteration + 1, stage: 0 };
        finished++;
      }
    }
    this.isRunning = false;
    const state = this.isStopped ? 'stopped' : this.isFinished ? 'finished' : 'paused';
    this.status.emit({ state });
  }

  private async playStage(it: ReplayIteration, stage: StageName): Promise<void> {
    const total = stageTotal(stage, it, this.config);
    const ticks = Math.max(1, Math.min(total, this.options.ticksPerStage ?? 4));
    const delayMs = this.options.stageDelayMs ?? 120;
    for (let t = 1; t <= ticks; t++) {
      await sleep(delayMs / ticks);
      this.progress.emit({ iteration: it.iteration, stage, done: Math.round((total * t) / ticks), total });
    }
  }
}
