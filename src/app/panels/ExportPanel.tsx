// Export: the active run as a zip (config.json, metrics.jsonl, questions.jsonl; re-importing it shows the
// same charts) and the attached driver's weights. Zips are written by run-folder.ts with fflate.
import { useState } from 'react';
import { zipSync } from 'fflate';
import { useDriver } from '../driver-session.ts';
import { downloadBytes } from '../download.ts';
import { runFolderName, runFolderToZip } from '../run-folder.ts';
import { selectActiveRun, useRunsStore } from '../stores/runs.ts';

export function ExportPanel() {
  const run = useRunsStore(selectActiveRun);
  const driver = useDriver();
  const [message, setMessage] = useState<{ text: string; isError: boolean } | null>(null);

  const exportRun = () => {
    if (run === null) return;
    const folder = { name: run.name, config: run.config, metrics: [...run.metrics], questions: [...run.questions] };
    downloadBytes(`${runFolderName(run.name)}.zip`, runFolderToZip(folder), 'application/zip');
    setMessage({ text: `Exported "${run.name}" (${run.metrics.length} iterations).`, isError: false });
  };
  const exportWeights = async () => {
    if (driver === null) return;
    try {
      const files = await driver.exportWeights();
      downloadBytes(`${driver.runId}-weights.zip`, zipSync(Object.fromEntries(files.map((f) => [f.name, f.bytes]))), 'application/zip');
      setMessage({ text: `Exported ${files.length} weight files.`, isError: false });
    } catch (error) {
      setMessage({ text: (error as Error).message, isError: true });
    }
  };

  return (
    <section className="panel" aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <div className="row">
        <button type="button" onClick={exportRun} disabled={run === null}>Export run</button>
        <button type="button" onClick={() => void exportWeights()} disabled={driver === null} aria-describedby="weights-note">Export weights</button>
      </div>
      <p id="weights-note" className="doc">
        The run zip holds config.json, metrics.jsonl and questions.jsonl. Weights come from the attached run&apos;s workers
        {driver === null ? ' (none attached)' : driver.canExportWeights ? '' : ' (a replay has none)'}.
      </p>
      <p role="status" className={message?.isError ? 'message error' : 'message'}>{message?.text}</p>
    </section>
  );
}
