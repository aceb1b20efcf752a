import { useGpuStore } from './gpu-store.ts';

const MiB = 2 ** 20;

function fmt(name: string, v: number): string {
  return /Size$/.test(name) && v >= MiB ? `${(v / MiB).toFixed(0)} MiB` : v.toLocaleString('en-US');
}

/** The WebGPU adapter the lab runs on, its limits, or why there is none. */
export function AdapterPanel() {
  const gpu = useGpuStore((s) => s.gpu);
  if (gpu.status === 'probing') return <section aria-label="WebGPU adapter">Looking for a WebGPU adapter…</section>;
  if (gpu.status === 'unavailable') {
    return (
      <section aria-label="WebGPU adapter" role="alert" className="panel error">
        <h2>WebGPU is not available</h2>
        <p>{gpu.reason}</p>
      </section>
    );
  }
  return (
    <section aria-label="WebGPU adapter" className="panel">
      <h2>WebGPU adapter</h2>
      <p data-testid="adapter-summary">{gpu.summary}</p>
      <table>
        <caption>Device limits</caption>
        <tbody>
          {Object.entries(gpu.limits).map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{fmt(k, v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>Features: {gpu.features.join(', ') || 'none'}</p>
    </section>
  );
}
