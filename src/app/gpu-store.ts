// What the lab knows about this browser's WebGPU: acquired once, shown in the header and the
// adapter panel. The device itself stays out of the store (stores hold data only).
import { create } from 'zustand';
import { acquireGpu, describeGpu, type AdapterSummary } from '../engine/device.ts';

export type GpuState =
  | { status: 'probing' }
  | { status: 'ready'; summary: string; adapter: AdapterSummary; limits: Record<string, number>; features: string[] }
  | { status: 'unavailable'; reason: string };

export const useGpuStore = create<{ gpu: GpuState; probe: () => Promise<void> }>((set) => ({
  gpu: { status: 'probing' },
  probe: async () => {
    try {
      const g = await acquireGpu();
      set({
        gpu: {
          status: 'ready',
          summary: describeGpu(g),
          adapter: g.adapter,
          limits: g.limits,
          features: [...g.features].sort(),
        },
      });
      // The probe device is only for reporting; role workers open their own.
      g.device.destroy();
    } catch (e) {
      set({ gpu: { status: 'unavailable', reason: e instanceof Error ? e.message : String(e) } });
    }
  },
}));
