#!/usr/bin/env node
// The lab's CLI runs the TypeScript sources directly: tsx compiles them, and a small hook lets node
// import .wgsl shader files as text the way Vite does.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('../scripts/wgsl-hooks.mjs', import.meta.url);
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
