#!/usr/bin/env node
// Makes sure the Debian packages the tests need are present: chromium (browser + SwiftShader's Vulkan
// driver) and libvulkan1 (the loader Dawn opens). Installs them when running as root, otherwise stops
// with the exact command to run.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { CHROMIUM, SWIFTSHADER_ICD } from './system-adapter.mjs';

const quiet = process.argv.includes('--quiet');
const hasLoader = () => ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib/chromium/libvulkan.so.1'].some(existsSync);
const missing = () => (existsSync(CHROMIUM) && existsSync(SWIFTSHADER_ICD) && hasLoader() ? [] : ['chromium', 'libvulkan1']);

if (process.platform !== 'linux') process.exit(0);
let need = missing();
if (need.length === 0) {
  if (!quiet) console.log('system: chromium and the Vulkan loader are present');
  process.exit(0);
}
const cmd = `apt-get update && apt-get install -y --no-install-recommends ${need.join(' ')}`;
if (process.getuid?.() !== 0) {
  console.error(`Missing system packages for the WebGPU tests: ${need.join(', ')}.\nRun:\n  sudo sh -c '${cmd}'`);
  process.exit(1);
}
console.log(`system: installing ${need.join(', ')} (apt-get)...`);
try {
  execSync(cmd, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
} catch {
  console.error(`Installing failed. Run by hand:\n  ${cmd}`);
  process.exit(1);
}
need = missing();
if (need.length) {
  console.error(`Still missing after apt-get: ${need.join(', ')}`);
  process.exit(1);
}
