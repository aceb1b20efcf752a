// `infuser-lab adapter`: which WebGPU adapter node finds, its limits and the kernel variants it runs.
import { acquireGpu, describeGpu } from '../engine/device.ts';
import { Engine } from '../engine/engine.ts';
import { add } from '../engine/ops/elementwise.ts';
import type { Command } from './command.ts';

export const adapterCommand: Command = {
  name: 'adapter',
  summary: 'show the WebGPU adapter, its limits, and run a one-kernel check',
  help: `infuser-lab adapter

Prints one JSON object: the adapter (vendor, architecture, software or not), the limits the engine
requested, the optional features, and whether a small kernel ran correctly on it.
`,
  async run() {
    const gpu = await acquireGpu();
    const e = new Engine(gpu);
    const a = e.fromArray([1, 2, 3], [3]);
    const sum = await add(a, a).toArray();
    const ok = sum[0] === 2 && sum[1] === 4 && sum[2] === 6;
    process.stdout.write(
      `${JSON.stringify({ summary: describeGpu(gpu), adapter: gpu.adapter, limits: gpu.limits, features: [...gpu.features], kernelCheck: ok })}\n`,
    );
    gpu.device.destroy();
    return ok ? 0 : 1;
  },
};
