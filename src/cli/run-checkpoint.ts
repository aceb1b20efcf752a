// Checkpoints of a headless run (node only), under DIR/checkpoints/:
//   latest/{generator,solver}/  Hugging Face folders (config.json, model.safetensors, tokenizer.json,
//                               tokenizer_config.json, generation_config.json) plus optimizer.safetensors
//                               (AdamW m/v by parameter name, t in metadata) and role-state.safetensors
//                               (RoleCheckpoint.extra, e.g. the dev-gradient EMA)
//   latest/run-state.json       completed iterations and sampler state: written last, marks it complete
//   iter-NNNN/                  a copy of latest after NNNN completed iterations
// A checkpoint is built in .pending/ and swapped in by renames, so a crash at any point leaves one
// complete checkpoint that locateLatest finds; the preconditioner (AdamW v) survives resume (§9.6).
import { cp, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadHfFolder, readParameters, saveHfFolder } from '../model/hf-folder.ts';
import { parameterSpecs, type ModelConfig } from '../model/model-config.ts';
import { NodeFolder } from '../model/node-folder.ts';
import { nodeFileByteSource } from '../model/node-byte-source.ts';
import { SafetensorsFile, writeSafetensorsChunks, type TensorData } from '../model/safetensors.ts';
import type { TextTokenizer } from '../model/tokenizer.ts';
import type { RoleCheckpoint } from '../infuser/roles.ts';
import { parseRunState, runStateToJson, writeFileAtomic, RUN_FILES, type RunState } from './run-folder.ts';

export const ROLE_NAMES = ['generator', 'solver'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

const OPTIMIZER_FILE = 'optimizer.safetensors';
const ROLE_STATE_FILE = 'role-state.safetensors';
const STATE_FILE = 'run-state.json';

/** A model as loaded into memory: the shape engine-roles.ts's LoadedModel has. */
export interface ModelFiles {
  config: ModelConfig;
  weights: Map<string, Float32Array>;
  tokenizer: TextTokenizer;
}

/** What one role contributes to a checkpoint. */
export interface RoleSnapshot {
  config: ModelConfig;
  tokenizer: TextTokenizer;
  checkpoint: RoleCheckpoint;
}

/** `iter-0007`: the folder kept after 7 completed iterations. */
export function iterationCheckpointName(completed: number): string {
  return `iter-${String(completed).padStart(4, '0')}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Loads a Hugging Face folder fully into memory (small models; the CLI's lab scale). */
export async function loadModelFolder(dir: string): Promise<ModelFiles> {
  const model = await loadHfFolder(new NodeFolder(dir));
  return { config: model.config, weights: await readParameters(model), tokenizer: model.tokenizer };
}

function moments(label: 'm' | 'v', config: ModelConfig, values: readonly Float32Array[]): TensorData[] {
  if (values.length === 0) return [];
  const specs = parameterSpecs(config);
  if (values.length !== specs.length) {
    throw new Error(`checkpoint: AdamW ${label} has ${values.length} tensors but the model has ${specs.length} parameters`);
  }
  return specs.map((spec, i) => ({ name: `${label}.${spec.name}`, shape: spec.shape, data: values[i] }));
}

async function writeRole(dir: string, role: RoleSnapshot): Promise<void> {
  const { config, tokenizer, checkpoint } = role;
  const tensors = parameterSpecs(config).map((spec) => {
    const data = checkpoint.weights[spec.name];
    if (data === undefined) throw new Error(`checkpoint: the role's weights lack "${spec.name}"`);
    return { name: spec.name, shape: spec.shape, data };
  });
  // Stop ids merged from generation_config.json at load time must survive the round trip (sampling stops).
  const generationConfig = tokenizer.eosIds.length > 0 ? { eos_token_id: [...tokenizer.eosIds] } : undefined;
  const folder = new NodeFolder(dir);
  await saveHfFolder(folder, { config, tensors, tokenizer, generationConfig });
  const { t, m, v } = checkpoint.optimizer;
  await folder.writeFile(OPTIMIZER_FILE, writeSafetensorsChunks([...moments('m', config, m), ...moments('v', config, v)], {
    metadata: { t: String(t), moments: String(m.length) },
  }));
  const extra = Object.entries(checkpoint.extra ?? {});
  const counts = Object.fromEntries(extra.map(([key, list]) => [key, list.length]));
  const extraTensors = extra.flatMap(([key, list]) => list.map((data, i) => ({ name: `${key}.${i}`, shape: [data.length], data })));
  await folder.writeFile(ROLE_STATE_FILE, writeSafetensorsChunks(extraTensors, { metadata: { counts: JSON.stringify(counts) } }));
}

/**
 * Writes both roles and the run state as checkpoints/latest (and iter-NNNN when `keep` is set).
 * Order: build .pending completely, copy it to iter-NNNN, then swap it in for latest.
 */
export async function writeCheckpoint(
  dir: string, roles: Record<RoleName, RoleSnapshot>, state: RunState, keep: boolean,
): Promise<void> {
  const root = join(dir, RUN_FILES.checkpoints);
  const pending = join(root, '.pending');
  const previous = join(root, '.previous');
  const latest = join(root, 'latest');
  await rm(pending, { recursive: true, force: true });
  for (const name of ROLE_NAMES) await writeRole(join(pending, name), roles[name]);
  await writeFileAtomic(join(pending, STATE_FILE), runStateToJson(state));
  if (keep) {
    const kept = join(root, iterationCheckpointName(state.completedIterations));
    await rm(`${kept}.partial`, { recursive: true, force: true });
    await cp(pending, `${kept}.partial`, { recursive: true });
    await rm(kept, { recursive: true, force: true });
    await rename(`${kept}.partial`, kept);
  }
  await rm(previous, { recursive: true, force: true });
  if (await exists(latest)) await rename(latest, previous);
  await rename(pending, latest);
  await rm(previous, { recursive: true, force: true });
  await writeFileAtomic(join(dir, RUN_FILES.runState), runStateToJson(state));
}

/**
 * The newest complete checkpoint folder, without changing anything: latest/, or after a crash between
 * the two renames .pending/ (complete once its run-state.json exists), else .previous/.
 */
export async function locateLatest(dir: string): Promise<string> {
  const root = join(dir, RUN_FILES.checkpoints);
  for (const name of ['latest', '.pending', '.previous']) {
    if (await exists(join(root, name, STATE_FILE))) return join(root, name);
  }
  throw new Error(`${join(root, 'latest')}: no complete checkpoint (missing ${STATE_FILE}); the run cannot be resumed`);
}

/** Reads a checkpoint folder's run state. */
export async function readCheckpointState(checkpointDir: string): Promise<RunState> {
  const path = join(checkpointDir, STATE_FILE);
  return parseRunState(await readFile(path, 'utf8'), path);
}

async function openSafetensors(path: string): Promise<SafetensorsFile> {
  return SafetensorsFile.open(await nodeFileByteSource(path));
}

/** One role of a checkpoint: the model to build it from and the state to restore into it. */
export async function readRole(checkpointDir: string, name: RoleName): Promise<{ model: ModelFiles; checkpoint: RoleCheckpoint }> {
  const dir = join(checkpointDir, name);
  const model = await loadModelFolder(dir);
  const optimizer = await openSafetensors(join(dir, OPTIMIZER_FILE));
  const t = Number(optimizer.metadata.t);
  const count = Number(optimizer.metadata.moments);
  if (!Number.isInteger(t) || t < 0 || !Number.isInteger(count)) {
    throw new Error(`${join(dir, OPTIMIZER_FILE)}: metadata "t" and "moments" must be integers`);
  }
  const specs = count === 0 ? [] : parameterSpecs(model.config);
  const m = await Promise.all(specs.map((s) => optimizer.readTensor(`m.${s.name}`)));
  const v = await Promise.all(specs.map((s) => optimizer.readTensor(`v.${s.name}`)));
  const roleState = await openSafetensors(join(dir, ROLE_STATE_FILE));
  const counts = JSON.parse(roleState.metadata.counts ?? '{}') as Record<string, number>;
  const extra: Record<string, Float32Array[]> = {};
  for (const [key, n] of Object.entries(counts)) {
    extra[key] = await Promise.all(Array.from({ length: n }, (_, i) => roleState.readTensor(`${key}.${i}`)));
  }
  const checkpoint: RoleCheckpoint = { weights: Object.fromEntries(model.weights), optimizer: { t, m, v } };
  if (Object.keys(extra).length > 0) checkpoint.extra = extra;
  return { model, checkpoint };
}
