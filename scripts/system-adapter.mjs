// Where the software Vulkan driver lives on Debian, and the environment a node process needs to use it.
import { existsSync, readdirSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
export const CHROMIUM = '/usr/bin/chromium';

function hasGpuDevice() {
  // A real GPU shows up as a DRM render node or an NVIDIA device node; without one, use SwiftShader.
  try {
    if (readdirSync('/dev/dri').some((f) => f.startsWith('renderD'))) return true;
  } catch {
    /* no /dev/dri */
  }
  return existsSync('/dev/nvidia0');
}

/** Env for a child process: a real GPU's ICD when one is installed, else SwiftShader from chromium. */
export function adapterEnv(base = process.env) {
  const env = { ...base };
  if (!env.VK_ICD_FILENAMES && !hasGpuDevice() && existsSync(SWIFTSHADER_ICD)) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // chromium ships its own libvulkan.so.1: a fallback when Debian's libvulkan1 is missing.
  if (existsSync('/usr/lib/chromium/libvulkan.so.1')) {
    env.LD_LIBRARY_PATH = [env.LD_LIBRARY_PATH, '/usr/lib/chromium'].filter(Boolean).join(':');
  }
  env.XDG_RUNTIME_DIR ??= '/tmp';
  return env;
}
