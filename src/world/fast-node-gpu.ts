// node only, used by scripts/train-anchors.ts: a Gpu on Dawn's OpenGL ES backend over Mesa's llvmpipe
// (EGL surfaceless), which runs our barrier-free kernels several times faster than SwiftShader
// (shared docs/webgpu-testing.md). Compatibility mode only: no subgroups, f16 or timestamps, and
// lower default limits, so every limit the engine asks for is requested at the adapter's maximum.
// Falls back to the engine's own acquireGpu (SwiftShader or a real GPU) when GLES is unavailable.
import { acquireGpu, type AdapterSummary, type Gpu } from '../engine/device.ts';

const WANTED_LIMITS = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage',
] as const;

export type AdapterChoice = 'gles' | 'default';

// Dawn tears the instance down once its GPU object is garbage-collected, so it is held for the process.
let held: GPU | null = null;

async function glesGpu(): Promise<Gpu | null> {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const { create, globals } = (await import('webgpu')) as unknown as {
    create: (flags: string[]) => GPU;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, globals);
  held ??= create(['backend=opengles']);
  const adapter = await held.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
  if (!adapter) return null;
  const adapterLimits = adapter.limits as unknown as Record<string, number>;
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) if (typeof adapterLimits[name] === 'number') requiredLimits[name] = adapterLimits[name];
  const device = await adapter.requestDevice({ requiredLimits });
  const limits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) limits[name] = (device.limits as unknown as Record<string, number>)[name];
  const info = (adapter as unknown as { info?: GPUAdapterInfo }).info;
  const summary: AdapterSummary = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: `${info?.description ?? ''} (Dawn OpenGL ES, compatibility)`,
    isSoftware: true,
  };
  return {
    device,
    adapter: summary,
    limits,
    features: new Set([...device.features] as string[]),
    lost: device.lost.then((l) => `GPU device lost (${l.reason}): ${l.message || 'no message'}`),
    runtime: 'node',
  };
}

/** The GLES adapter when asked for and present, else the engine's default adapter. */
export async function acquireFastGpu(choice: AdapterChoice = 'gles'): Promise<Gpu> {
  if (choice === 'gles') {
    const gpu = await glesGpu().catch(() => null);
    if (gpu) return gpu;
    console.warn('fast-node-gpu: no OpenGL ES adapter (EGL/llvmpipe missing?); using the default adapter');
  }
  return acquireGpu();
}
