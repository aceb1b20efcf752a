import { describe, expect, it } from 'vitest';
import { formatTable, type BenchRow } from './report.ts';

const row = (impl: BenchRow['impl'], variant: string, n: number, gflops: number, peakLiveBytes?: number): BenchRow => ({
  impl, variant, layout: 'nt', n, ms: (2 * n ** 3) / (gflops * 1e6), gflops, repeat: 1, method: 'wall-clock', peakLiveBytes,
});

describe('the bench table', () => {
  const rows = [
    row('webgpu', 'regs4x4', 1024, 2.7, 12 * 2 ** 20),
    row('webgpu', 'regs8x8', 1024, 3.0, 12 * 2 ** 20),
    row('onnxruntime-web', 'webgpu', 1024, 0.75),
    row('onnxruntime-web', 'wasm x2', 1024, 60),
  ];

  it('divides our best and the selected variant by the reference provider', () => {
    const [head, line] = formatTable(rows, ['regs4x4', 'regs8x8', 'tiled16'], { reference: 'webgpu', selected: 'regs4x4' }).split('\n');
    const cells = line.trim().split(/\s+/);
    const col = (name: string): string => cells[head.trim().split(/\s{2,}/).indexOf(name)];
    // 3.0 / 0.75 = 4, 2.7 / 0.75 = 3.6; tiled16 was not measured; 12 MiB peak.
    expect(col('best/ort')).toBe('4.00x');
    expect(col('regs4x4/ort')).toBe('3.60x');
    expect(col('tiled16 GF/s')).toBe('-');
    expect(col('ort wasm x2 GF/s')).toBe('60.00');
    expect(col('peak MiB')).toBe('12.00');
  });

  it('uses the first provider measured when no reference is named', () => {
    const [head, line] = formatTable(rows, ['regs4x4', 'regs8x8']).split('\n');
    expect(head).not.toMatch(/regs\d+x\d+\/ort/);
    const cells = line.trim().split(/\s+/);
    // best/ort is the column before peak MiB: 3.0 / 0.75.
    expect(cells[cells.length - 2]).toBe('4.00x');
  });

  it('has no ratio columns when the reference provider was not measured', () => {
    const ours = rows.filter((r) => r.impl === 'webgpu');
    const [head] = formatTable(ours, ['regs4x4', 'regs8x8'], { reference: 'webgpu', selected: 'regs8x8' }).split('\n');
    expect(head).not.toContain('/ort');
  });
});
