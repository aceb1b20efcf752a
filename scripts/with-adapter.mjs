#!/usr/bin/env node
// Runs a command with the WebGPU adapter environment set (see system-adapter.mjs).
import { spawnSync } from 'node:child_process';
import { adapterEnv } from './system-adapter.mjs';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: node scripts/with-adapter.mjs COMMAND [ARGS...]');
  process.exit(2);
}
const r = spawnSync('npx', ['--no-install', cmd, ...args], { stdio: 'inherit', env: adapterEnv() });
process.exit(r.status ?? 1);
