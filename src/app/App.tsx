// The lab page: inputs and settings on the left, the run and its live charts on the right. Wires the
// config hash, IndexedDB persistence (runs, and the live checkpoints a run resumes from) and the GPU probe
// once; every panel reads its own store.
import { useEffect, useState } from 'react';
import { AdapterPanel } from './AdapterPanel.tsx';
import { useGpuStore } from './gpu-store.ts';
import { startInputPersistence } from './input-persistence.ts';
import { startRunPersistence } from './run-persistence.ts';
import { listCheckpointSummaries } from '../workers/checkpoint-db.ts';
import { useCheckpointsStore } from './stores/checkpoints.ts';
import { syncConfigHash, useConfigStore } from './stores/config.ts';
import { usePoolStore } from './stores/pool.ts';
import { Curves } from './panels/Curves.tsx';
import { DevSetPanel } from './panels/DevSetPanel.tsx';
import { ExportPanel } from './panels/ExportPanel.tsx';
import { InfluenceHeatmap } from './panels/InfluenceHeatmap.tsx';
import { LayerHeatmap } from './panels/LayerHeatmap.tsx';
import { ModelsPanel } from './panels/ModelsPanel.tsx';
import { PoolPanel } from './panels/PoolPanel.tsx';
import { QuestionStream } from './panels/QuestionStream.tsx';
import { RunControls } from './panels/RunControls.tsx';
import { RunsPanel } from './panels/RunsPanel.tsx';
import { SettingsPanel } from './panels/SettingsPanel.tsx';
import { TopicMix } from './panels/TopicMix.tsx';

function useAppWiring(): string | null {
  const probe = useGpuStore((s) => s.probe);
  const [storageProblem, setStorageProblem] = useState<string | null>(null);
  useEffect(() => {
    void probe();
  }, [probe]);
  useEffect(() => {
    const load = () => useConfigStore.getState().loadHash(window.location.hash);
    load();
    const stopSync = syncConfigHash();
    window.addEventListener('hashchange', load);
    return () => {
      stopSync();
      window.removeEventListener('hashchange', load);
    };
  }, []);
  // A new chunk size re-chunks the dropped text files, so the pool shown is the pool a run gets.
  useEffect(() => useConfigStore.subscribe(() => usePoolStore.getState().rechunk()), []);
  useEffect(() => startRunPersistence(setStorageProblem), []);
  useEffect(() => startInputPersistence(setStorageProblem), []);
  useEffect(() => {
    void useCheckpointsStore.getState().load(listCheckpointSummaries);
  }, []);
  return storageProblem;
}

export function App() {
  const storageProblem = useAppWiring();
  const checkpointProblem = useCheckpointsStore((s) => s.message);
  return (
    <main>
      <header>
        <h1>INFUSER Lab</h1>
        <p>Influence-guided self-evolution of language models, trained in this tab with WebGPU.</p>
      </header>
      {storageProblem && <p className="message error">{storageProblem}</p>}
      {checkpointProblem && <p className="message error">{checkpointProblem}</p>}
      <div className="layout">
        <div className="inputs">
          <PoolPanel />
          <DevSetPanel />
          <ModelsPanel />
          <SettingsPanel />
          <AdapterPanel />
        </div>
        <div className="outputs">
          <RunControls />
          <RunsPanel />
          <InfluenceHeatmap />
          <LayerHeatmap />
          <Curves />
          <TopicMix />
          <QuestionStream />
          <ExportPanel />
        </div>
      </div>
    </main>
  );
}
