// Step, Run, Pause and Stop for the attached driver (driver-session.ts), and one progress bar per stage
// (§2.1's six stages plus the checkpoint) with counts and time left. With no driver attached, Step and Run
// start a live run from the pool, the target set, the models and the frozen settings, if a live driver is
// provided; Resume continues the selected live run from its stored checkpoint.
import { useState } from 'react';
import { freezeConfig } from '../../infuser/config.ts';
import { STAGES, type StageName } from '../../infuser/run-records.ts';
import { attachDriver, liveDriverFactory, newRunId, resumeRun, useDriver, useHasLiveFactory } from '../driver-session.ts';
import { useGpuStore } from '../gpu-store.ts';
import { deviceBudget } from '../model-fit.ts';
import type { RunDriver } from '../run-driver.ts';
import { canResume, useCheckpointsStore } from '../stores/checkpoints.ts';
import { selectBuiltConfig, useConfigStore } from '../stores/config.ts';
import { checkModels, selectModelSources, selectRoleEntries, useModelsStore } from '../stores/models.ts';
import { usePoolStore } from '../stores/pool.ts';
import { selectActiveRun, useRunsStore, type StageClock } from '../stores/runs.ts';

const STAGE_TITLES: Record<StageName, string> = {
  dev_rollout: '1 Dev rollout',
  gen_rollout: '2 Questions',
  answer_rollout: '3 Answers',
  influence: '4 Influence',
  gen_update: '5 Generator update',
  solver_update: '6 Solver update',
  checkpoint: 'Checkpoint',
};

function timeLeft(clock: StageClock): string {
  if (clock.done >= clock.total) return 'done';
  if (clock.done === 0) return 'estimating…';
  const seconds = Math.round(((clock.updatedMs - clock.startedMs) / clock.done) * (clock.total - clock.done) / 1000);
  return seconds < 60 ? `${seconds} s left` : `${Math.floor(seconds / 60)} min ${seconds % 60} s left`;
}

/** Starts a live run from the current inputs, or explains what is missing. */
async function startLiveRun(): Promise<RunDriver> {
  const factory = liveDriverFactory();
  const { config, error } = selectBuiltConfig(useConfigStore.getState());
  const { docs, dev } = usePoolStore.getState();
  if (factory === null) throw new Error('No training driver in this build; import a run and replay it instead.');
  if (config === null) throw new Error(`Settings are invalid: ${error}`);
  if (docs.pool === null || docs.pool.documents.length === 0) throw new Error('Load a document pool first.');
  if (dev.result === null || dev.result.questions.length === 0) throw new Error('Load a target set first.');
  const models = useModelsStore.getState();
  const gpu = useGpuStore.getState().gpu;
  const budget = gpu.status === 'ready' ? deviceBudget(gpu.limits, globalThis.navigator as { deviceMemory?: number }) : null;
  const { blocker } = checkModels(selectRoleEntries(models), config, budget);
  if (blocker !== null) throw new Error(blocker);
  const runId = newRunId();
  const frozen = freezeConfig(config);
  const name = `seed ${frozen['training.seed']} · ${new Date().toLocaleTimeString('en-GB')}`;
  const driver = await factory({
    runId, name, config: frozen, documents: docs.pool.documents, devQuestions: dev.result.questions, models: selectModelSources(models),
  });
  attachDriver(driver, { name, source: 'live', config: frozen });
  return driver;
}

export function RunControls() {
  const driver = useDriver();
  const hasFactory = useHasLiveFactory();
  const live = useRunsStore((s) => (driver !== null && s.live?.runId === driver.runId ? s.live : null));
  const runName = useRunsStore((s) => (driver === null ? null : s.runs[driver.runId]?.name ?? null));
  const [problem, setProblem] = useState<string | null>(null);
  const activeRun = useRunsStore(selectActiveRun);
  const summary = useCheckpointsStore((s) => (activeRun === null ? undefined : s.byRun[activeRun.id]));

  const state = live?.status.state ?? null;
  const isActive = state === 'running' || state === 'pausing';
  const isOver = state === 'finished' || state === 'stopped' || state === 'failed';
  const isResumable = hasFactory && !isActive
    && canResume(activeRun, summary, driver === null ? null : { runId: driver.runId, state: state ?? 'ready' });
  const canAdvance = (driver !== null && !isActive && !isOver) || ((driver === null || isOver) && hasFactory);

  const act = (body: (d: RunDriver) => Promise<void>) => async () => {
    setProblem(null);
    try {
      const d = driver !== null && !isOver ? driver : await startLiveRun();
      await body(d);
    } catch (error) {
      setProblem((error as Error).message);
    }
  };

  const resume = async (runId: string) => {
    setProblem(null);
    try {
      await resumeRun(runId);
    } catch (error) {
      setProblem((error as Error).message);
    }
  };

  return (
    <section className="panel" aria-labelledby="controls-heading">
      <h2 id="controls-heading">Run</h2>
      <div className="row" role="toolbar" aria-label="Run controls">
        <button type="button" onClick={act((d) => d.step())} disabled={!canAdvance}>Step</button>
        <button type="button" onClick={act((d) => d.start())} disabled={!canAdvance}>Run</button>
        <button type="button" onClick={() => driver?.pause()} disabled={state !== 'running'}>Pause</button>
        <button type="button" onClick={() => void driver?.stop()} disabled={driver === null || isOver}>Stop</button>
        {isResumable && activeRun !== null && summary !== undefined && (
          <button type="button" onClick={() => void resume(activeRun.id)} aria-describedby="resume-note">Resume</button>
        )}
      </div>
      {isResumable && summary !== undefined && (
        <p id="resume-note" className="doc">
          &ldquo;{activeRun?.name}&rdquo; stopped after {summary.completedIterations} of {summary.iterations} iterations; Resume continues from its last checkpoint.
        </p>
      )}
      <p role="status" className="message">
        {driver === null
          ? hasFactory ? 'Step runs one iteration; Run keeps going until Pause or Stop.' : 'No training driver in this build yet: import a run below and press Replay to watch it.'
          : `${runName ?? driver.runId}: ${state ?? 'ready'}${live && Object.keys(live.stages).length > 0 ? `, iteration ${live.iteration}` : ''}`}
        {live?.status.state === 'failed' && ` — ${live.status.message}`}
        {state === 'pausing' && ' (when this iteration ends; Stop ends now and drops it)'}
      </p>
      {problem && <p className="message error">{problem}</p>}
      <ol className="stages" aria-label="Stage progress">
        {STAGES.map((stage) => {
          const clock = live?.stages[stage];
          return (
            <li key={stage}>
              <span className="stage-name">{STAGE_TITLES[stage]}</span>
              <progress max={clock?.total ?? 1} value={clock?.done ?? 0} aria-label={`${STAGE_TITLES[stage]} progress`} />
              <span className="stage-count">{clock ? `${clock.done}/${clock.total} · ${timeLeft(clock)}` : '—'}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
