// Progress of a headless run on stderr. On a TTY one line is redrawn in place: the iteration, the stage,
// a bar with counts and the stage's time left. Elsewhere (CI logs, pipes) it prints one line per finished
// stage, so logs stay short. Fed by iteration.ts's StageProgress events and run-command.ts's checkpoint
// stage; the clock is injected so tests are exact.
import type { StageProgress } from '../infuser/run-records.ts';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 24;

/** "1:05", "12s"; unknown durations print as "--". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** `[#######-----------------]` filled to done/total. */
export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export class RunProgress {
  private stageKey = '';
  private stageStartMs = 0;
  private hasOpenLine = false;
  private readonly isTTY: boolean;

  /** `totalIterations` is the run's total, for "iteration k/N" (k shown 1-based). */
  constructor(
    private readonly out: ProgressOutput,
    private readonly totalIterations: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.isTTY = out.isTTY === true;
  }

  /** One StageProgress event from the iteration (or the checkpoint writer). */
  update(p: StageProgress): void {
    const key = `${p.iteration}/${p.stage}`;
    if (key !== this.stageKey) {
      this.stageKey = key;
      this.stageStartMs = this.nowMs();
    }
    const elapsed = (this.nowMs() - this.stageStartMs) / 1000;
    const isDone = p.done >= p.total;
    const head = `iteration ${p.iteration + 1}/${this.totalIterations}  ${p.stage.padEnd(14)}`;
    if (this.isTTY) {
      const left = isDone ? `in ${formatDuration(elapsed)}` : `${formatDuration(timeLeft(elapsed, p.done, p.total))} left`;
      this.out.write(`\r\x1b[2K${head} ${progressBar(p.done, p.total)} ${p.done}/${p.total}  ${left}`);
      this.hasOpenLine = true;
      if (isDone) this.endLine();
    } else if (isDone) {
      this.out.write(`${head} ${p.done}/${p.total} in ${formatDuration(elapsed)}\n`);
    }
  }

  /** A whole line (iteration summary, notes); closes any bar being drawn. */
  line(text: string): void {
    this.endLine();
    this.out.write(`${text}\n`);
  }

  private endLine(): void {
    if (this.hasOpenLine) this.out.write('\n');
    this.hasOpenLine = false;
  }
}

/** Seconds left at the stage's mean rate so far; NaN before the first item finishes. */
export function timeLeft(elapsedSeconds: number, done: number, total: number): number {
  if (done <= 0) return Number.NaN;
  return (elapsedSeconds / done) * Math.max(0, total - done);
}
