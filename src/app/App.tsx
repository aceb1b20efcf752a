import { useEffect } from 'react';
import { AdapterPanel } from './AdapterPanel.tsx';
import { useGpuStore } from './gpu-store.ts';

export function App() {
  const probe = useGpuStore((s) => s.probe);
  useEffect(() => {
    void probe();
  }, [probe]);
  return (
    <main>
      <header>
        <h1>INFUSER Lab</h1>
        <p>Influence-guided self-evolution of language models, trained in this tab with WebGPU.</p>
      </header>
      <AdapterPanel />
    </main>
  );
}
