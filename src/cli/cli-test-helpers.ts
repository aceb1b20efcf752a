// Test helpers for the CLI tests: run `node bin/infuser-lab.js ...` as a child process, make temp
// folders, write tiny random model folders with `init-model`, and read them back for the references.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openModelFolder } from '../model/load-model.ts';
import { readParameters, saveHfFolder } from '../model/hf-folder.ts';
import { parameterSpecs, type Architecture, type ModelConfig } from '../model/model-config.ts';
import { randomWeights, tinyModelConfig } from '../model/random-model.ts';
import { NodeFolder } from '../model/node-folder.ts';

const ROOT = resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI; never throws on a non-zero exit. */
export function runCli(args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile('node', ['bin/infuser-lab.js', ...args], { cwd: ROOT, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Runs the CLI and parses its stdout's first line as JSON, failing loudly on a non-zero exit. */
export async function runJson<T>(args: string[]): Promise<T> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`infuser-lab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout.split('\n')[0]) as T;
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `infuser-${prefix}-`));
}

/** Writes a random model folder with the CLI's init-model and returns its path. */
export async function initModel(arch: string, extra: string[], seed = 1): Promise<string> {
  const dir = join(await tempDir(arch), 'model');
  await runJson(['init-model', '--arch', arch, '--out', dir, '--seed', String(seed), ...extra]);
  return dir;
}

/** Writes a tiny random model folder in-process (no tokenizer; weights scale 0.3) and returns its path. */
export async function writeTinyModel(arch: Architecture, overrides: Partial<ModelConfig> = {}, seed = 1): Promise<string> {
  const dir = join(await tempDir(arch), 'model');
  const config = tinyModelConfig(arch, overrides);
  const tensors = parameterSpecs(config).map(({ name, shape }) => ({ name, shape, data: randomWeights(config, seed, 0.3).get(name)! }));
  await saveHfFolder(new NodeFolder(dir), { config, tensors });
  return dir;
}

/** The folder's config and weights, read straight from the files (not through the GPU). */
export async function readFolder(dir: string): Promise<{ config: ModelConfig; weights: Map<string, Float32Array> }> {
  const opened = await openModelFolder(new NodeFolder(dir));
  return { config: opened.config, weights: await readParameters(opened) };
}

/** max |got − want| / max |want|. */
export function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length}, expected ${want.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}
