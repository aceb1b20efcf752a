// The model benchmark's rows on the tiny case at toy sizes: structure, consistency of the ratios with
// the measured speeds, and the memory estimate bounding the measured training-step peak.
import { describe, expect, it } from 'vitest';
import { testEngine } from '../engine/testing.ts';
import { parameterCount } from './model-config.ts';
import { benchConfig, runModelBench, type ModelBenchRow } from './model-bench.ts';

describe('runModelBench', () => {
  it('tiny case: prefill/decode rows per prefix beside ORT, then a training-step row within the estimate', async () => {
    const e = await testEngine();
    const streamed: ModelBenchRow[] = [];
    const rows = await runModelBench(e, { cases: ['tiny'], prefixes: [4, 12], decodeSteps: 2, repeat: 1, trainSeq: 8, onRow: (r) => streamed.push(r) });
    expect(streamed).toEqual(rows);
    expect(rows.map((r) => `${r.kind}${'prefix' in r ? r.prefix : ''}`)).toEqual(['prefill4', 'decode4', 'prefill12', 'decode12', 'train_step']);
    expect(rows.every((r) => r.parameters === parameterCount(benchConfig('tiny')))).toBe(true);
    for (const r of rows) {
      if (r.kind === 'prefill') {
        expect(r.engineTokensPerS).toBeGreaterThan(0);
        expect(r.ratio).toBeCloseTo(r.engineTokensPerS / r.ortTokensPerS!, 9);
      } else if (r.kind === 'decode') {
        expect(r.engineTokensPerS).toBeCloseTo(1000 / r.engineMsPerToken, 9);
        expect(r.ratio).toBeCloseTo(r.engineTokensPerS / r.ortTokensPerS!, 9);
      } else {
        expect(r.peakLiveBytes).toBeGreaterThan(parameterCount(benchConfig('tiny')) * 16);
        expect(r.peakLiveBytes).toBeLessThanOrEqual(r.estimateBytes);
        expect(r.peakAllocatedBytes).toBeGreaterThanOrEqual(r.peakLiveBytes);
      }
    }
  });
});
