// Runs the lab knows: import a run folder or its zip, pick the run the charts show, tick runs to compare
// on the curves, replay a run through ReplayDriver, or delete it. Runs persist in IndexedDB.
import { useState } from 'react';
import { attachDriver, newRunId } from '../driver-session.ts';
import { ReplayDriver } from '../replay-driver.ts';
import { isRunFilePath, readRunFolder } from '../run-folder.ts';
import { useRunsStore, type RunEntry } from '../stores/runs.ts';
import { DropZone } from './DropZone.tsx';
import type { NamedBytes } from '../dropped-files.ts';
import { categoryColor } from '../plot/palette.ts';

const SPEEDS = { fast: 20, normal: 150, slow: 600 } as const;

/** `name`, or `name 2`, `name 3`… when a run already has it. */
function uniqueName(name: string, taken: readonly string[]): string {
  let candidate = name;
  for (let n = 2; taken.includes(candidate); n++) candidate = `${name} ${n}`;
  return candidate;
}

function replay(run: RunEntry, stageDelayMs: number): void {
  const folder = { name: run.name, config: run.config, metrics: [...run.metrics], questions: [...run.questions] };
  const driver = new ReplayDriver(newRunId(), folder, { stageDelayMs });
  attachDriver(driver, { name: `${run.name} (replay)`, source: 'replay', config: run.config });
}

export function RunsPanel() {
  const order = useRunsStore((s) => s.order);
  const runs = useRunsStore((s) => s.runs);
  const activeId = useRunsStore((s) => s.activeId);
  const compareIds = useRunsStore((s) => s.compareIds);
  const { addRun, setActive, toggleCompare, removeRun } = useRunsStore.getState();
  const [message, setMessage] = useState<{ text: string; isError: boolean } | null>(null);
  const [speed, setSpeed] = useState<keyof typeof SPEEDS>('normal');

  const onFiles = (files: NamedBytes[]) => {
    try {
      const folder = readRunFolder(files.map((f) => ({ path: f.name, bytes: f.bytes })));
      const id = newRunId();
      const name = uniqueName(folder.name, Object.values(useRunsStore.getState().runs).map((r) => r.name));
      addRun({ id, name, source: 'imported', config: folder.config, metrics: folder.metrics,
        questions: folder.questions, status: 'finished', createdMs: Date.now() });
      setMessage({ text: `Imported "${name}": ${folder.metrics.length} iterations, ${folder.questions.length} questions.`, isError: false });
    } catch (error) {
      setMessage({ text: (error as Error).message, isError: true });
    }
  };

  return (
    <section className="panel" aria-labelledby="runs-heading">
      <h2 id="runs-heading">Runs</h2>
      <DropZone label="Run folder" folderLabel="Folder of a run" accept=".zip,.json,.jsonl" keep={isRunFilePath}
        hint="An exported run: its zip, or config.json + metrics.jsonl + questions.jsonl." onFiles={onFiles} />
      <p role="status" className={message?.isError ? 'message error' : 'message'}>{message?.text}</p>
      {order.length > 0 && (
        <>
          <label className="inline">Replay speed{' '}
            <select value={speed} onChange={(e) => setSpeed(e.target.value as keyof typeof SPEEDS)}>
              {Object.keys(SPEEDS).map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
          <ul className="runs" aria-label="Runs">
            {order.map((id, index) => {
              const run = runs[id];
              return (
                <li key={id} className={id === activeId ? 'active' : ''}>
                  <span className="swatch" style={{ background: categoryColor(index) }} />
                  <label className="inline">
                    <input type="radio" name="active-run" checked={id === activeId} onChange={() => setActive(id)} />
                    <span className="run-name">{run.name}</span>
                  </label>
                  <span className="muted">{run.source} · {run.status} · {run.metrics.length} iterations · seed {run.config['training.seed']}</span>
                  <label className="inline">
                    <input type="checkbox" checked={compareIds.includes(id)} onChange={() => toggleCompare(id)} disabled={id === activeId} />
                    Compare <span className="visually-hidden">{run.name}</span>
                  </label>
                  <button type="button" className="small" onClick={() => replay(run, SPEEDS[speed])}>Replay <span className="visually-hidden">{run.name}</span></button>
                  <button type="button" className="small" onClick={() => removeRun(id)}>Delete <span className="visually-hidden">{run.name}</span></button>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
