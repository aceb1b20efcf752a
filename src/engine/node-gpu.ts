// node only: Dawn through the `webgpu` package. Loaded by device.ts with a computed specifier so the
// browser bundle never sees it.
import { existsSync, readdirSync } from 'node:fs';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
let held: GPU | null = null;

function hasGpuDevice(): boolean {
  // A real GPU shows up as a DRM render node or an NVIDIA device node; without one, use SwiftShader.
  try {
    if (readdirSync('/dev/dri').some((f) => f.startsWith('renderD'))) return true;
  } catch {
    /* no /dev/dri */
  }
  return existsSync('/dev/nvidia0');
}

export async function nodeGpu(): Promise<GPU> {
  if (held) return held;
  // The Vulkan loader reads this when Dawn first loads, so it must be set before the import below.
  if (!process.env.VK_ICD_FILENAMES && !hasGpuDevice() && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const { create, globals } = (await import('webgpu')) as unknown as {
    create: (flags: string[]) => GPU;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, globals);
  held = create([]);
  return held;
}
