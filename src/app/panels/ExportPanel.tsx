// Export: the active run as a zip (config.json, metrics.jsonl, questions.jsonl; re-importing it shows the
// same charts), and one role's weights from the attached driver, as a Hugging Face folder zip (config.json,
// model.safetensors, tokenizer.json, tokenizer_config.json) or as ONNX. Zips are written with fflate.
import { useState } from 'react';
import { zipSync } from 'fflate';
import { useDriver } from '../driver-session.ts';
import { downloadBytes } from '../download.ts';
import type { ExportedFile, Role } from '../run-driver.ts';
import { runFolderName, runFolderToZip } from '../run-folder.ts';
import { selectActiveRun, useRunsStore } from '../stores/runs.ts';

const TITLE: Record<Role, string> = { generator: 'Generator', solver: 'Solver' };

/** One file downloads as itself; several (ONNX with external data) as a zip. */
function downloadFiles(stem: string, files: ExportedFile[]): string {
  if (files.length === 1) {
    downloadBytes(`${stem}-${files[0].name}`, files[0].bytes);
    return `${stem}-${files[0].name}`;
  }
  downloadBytes(`${stem}.zip`, zipSync(Object.fromEntries(files.map((f) => [f.name, f.bytes]))), 'application/zip');
  return `${stem}.zip`;
}

export function ExportPanel() {
  const run = useRunsStore(selectActiveRun);
  const driver = useDriver();
  const driverState = useRunsStore((s) => (driver !== null && s.live?.runId === driver.runId ? s.live.status.state : null));
  const driverRunName = useRunsStore((s) => (driver === null ? null : s.runs[driver.runId]?.name ?? driver.runId));
  const [role, setRole] = useState<Role>('generator');
  const [message, setMessage] = useState<{ text: string; isError: boolean } | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const isTraining = driverState === 'running' || driverState === 'pausing';

  const exportRun = () => {
    if (run === null) return;
    const folder = { name: run.name, config: run.config, metrics: [...run.metrics], questions: [...run.questions] };
    downloadBytes(`${runFolderName(run.name)}.zip`, runFolderToZip(folder), 'application/zip');
    setMessage({ text: `Exported "${run.name}" (${run.metrics.length} iterations).`, isError: false });
  };
  const exportModel = (format: 'hf' | 'onnx') => async () => {
    if (driver === null) return;
    setIsBusy(true);
    setMessage({ text: `Reading the ${TITLE[role]} weights…`, isError: false });
    try {
      const stem = `${runFolderName(driverRunName ?? driver.runId)}-${role}${format === 'onnx' ? '-onnx' : ''}`;
      let name: string;
      if (format === 'hf') {
        const files = await driver.exportWeights(role);
        name = `${stem}.zip`;
        downloadBytes(name, zipSync(Object.fromEntries(files.map((f) => [f.name, f.bytes]))), 'application/zip');
      } else {
        name = downloadFiles(stem, await driver.exportOnnx(role));
      }
      setMessage({ text: `Exported the ${TITLE[role]} of "${driverRunName}" as ${name}.`, isError: false });
    } catch (error) {
      setMessage({ text: (error as Error).message, isError: true });
    } finally {
      setIsBusy(false);
    }
  };
  const canExportModel = driver !== null && !isTraining && !isBusy;

  return (
    <section className="panel" aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <div className="row">
        <button type="button" onClick={exportRun} disabled={run === null}>Export run</button>
      </div>
      <div className="row">
        <label className="inline">Role{' '}
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="generator">Generator</option>
            <option value="solver">Solver</option>
          </select>
        </label>
        <button type="button" onClick={() => void exportModel('hf')()} disabled={!canExportModel} aria-describedby="weights-note">Export weights</button>
        <button type="button" onClick={() => void exportModel('onnx')()} disabled={!canExportModel} aria-describedby="weights-note">Export ONNX</button>
      </div>
      <p id="weights-note" className="doc">
        The run zip holds config.json, metrics.jsonl and questions.jsonl. Weights come from the attached run&apos;s workers
        {driver === null ? ' (none attached)' : !driver.canExportWeights ? ' (a replay has none)' : isTraining ? ' once it pauses or finishes' : ` ("${driverRunName}")`}:
        a zip of config.json, model.safetensors, tokenizer.json and tokenizer_config.json, or model.onnx.
      </p>
      <p role="status" className={message?.isError ? 'message error' : 'message'}>{message?.text}</p>
    </section>
  );
}
