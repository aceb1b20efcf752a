// The one place that knows what is underneath WebGPU: a page or worker (navigator.gpu) or node (the
// `webgpu` package, Dawn). Everything else receives a `Gpu`.

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Software rasterisers (SwiftShader, llvmpipe/lavapipe, WARP): barrier-free kernels win there. */
  isSoftware: boolean;
}

export interface Gpu {
  device: GPUDevice;
  adapter: AdapterSummary;
  limits: Record<string, number>;
  features: ReadonlySet<string>;
  /** Resolves with a readable reason when the device is lost (destroyed, driver reset, tab hidden). */
  lost: Promise<string>;
  runtime: 'browser' | 'worker' | 'node';
}

export class GpuUnavailableError extends Error {
  override name = 'GpuUnavailableError';
}

/** Limits the engine asks for explicitly (adapter maximum when it is lower than the default). */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

const OPTIONAL_FEATURES = ['timestamp-query', 'subgroups', 'shader-f16'] as const;

function summarise(info: GPUAdapterInfo | undefined, isFallback: boolean): AdapterSummary {
  const vendor = info?.vendor ?? '';
  const architecture = info?.architecture ?? '';
  const device = info?.device ?? '';
  const description = info?.description ?? '';
  const text = `${vendor} ${architecture} ${device} ${description}`.toLowerCase();
  const isSoftware = isFallback || /swiftshader|llvmpipe|lavapipe|software|warp|microsoft basic/.test(text);
  return { vendor, architecture, device, description, isSoftware };
}

async function gpuEntry(): Promise<{ gpu: GPU; runtime: Gpu['runtime'] }> {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  if (nav?.gpu) {
    const isWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
    return { gpu: nav.gpu, runtime: isWorker ? 'worker' : 'browser' };
  }
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (isNode) {
    // Kept out of the browser bundle: the specifier is computed.
    const modName = './node-gpu.ts';
    const mod = (await import(/* @vite-ignore */ modName)) as { nodeGpu: () => Promise<GPU> };
    return { gpu: await mod.nodeGpu(), runtime: 'node' };
  }
  throw new GpuUnavailableError(
    'WebGPU is not available in this browser. Use a recent Chrome or Edge (or another Chromium-based browser) ' +
      'over https or localhost; on Linux start it with --enable-unsafe-webgpu.',
  );
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Extra limits the caller needs (e.g. a large model's buffer size); refused clearly if unavailable. */
  requiredLimits?: Record<string, number>;
}

export async function acquireGpu(opts: AcquireOptions = {}): Promise<Gpu> {
  const { gpu, runtime } = await gpuEntry();
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new GpuUnavailableError(
      runtime === 'node'
        ? 'No WebGPU adapter in node. Install a Vulkan driver (Debian: apt-get install chromium libvulkan1, which ' +
            'ships SwiftShader) and run through `node scripts/with-adapter.mjs`, or set VK_ICD_FILENAMES.'
        : 'The browser exposes WebGPU but found no adapter (GPU blocklisted or disabled). Check chrome://gpu.',
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const max = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof max === 'number') requiredLimits[name] = max;
  }
  for (const [name, value] of Object.entries(opts.requiredLimits ?? {})) {
    const max = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof max !== 'number' || max < value) {
      throw new GpuUnavailableError(`This adapter's ${name} is ${max ?? 'unknown'}, but ${value} is needed.`);
    }
    requiredLimits[name] = Math.max(requiredLimits[name] ?? 0, value);
  }
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const limits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) limits[name] = (device.limits as unknown as Record<string, number>)[name];
  const isFallback = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
  const info = (adapter as unknown as { info?: GPUAdapterInfo }).info;
  const lost = device.lost.then((l) => `GPU device lost (${l.reason}): ${l.message || 'no message'}`);
  return {
    device,
    adapter: summarise(info, isFallback),
    limits,
    features: new Set([...device.features] as string[]),
    lost,
    runtime,
  };
}

/** A short human line, e.g. for the app header or bench output. */
export function describeGpu(g: Gpu): string {
  const a = g.adapter;
  const name = [a.vendor, a.architecture, a.device || a.description].filter(Boolean).join(' / ') || 'unknown adapter';
  return `${name}${a.isSoftware ? ' (software)' : ''} on ${g.runtime}`;
}
