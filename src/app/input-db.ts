// The last run inputs in IndexedDB, so dropped documents, a dropped target set and dropped model folders
// survive a reload: one record for the pool, one for the dev set, one for both roles' model choices, and
// one per role holding a dropped model folder's files. A built-in choice is saved by name, not by content
// (its files are refetched); dropped files are saved whole. Model files sit apart from the choices so that
// switching the other role or the shared toggle does not write a checkpoint of hundreds of megabytes
// again. Read at start by the pool and models stores, written by input-persistence.ts.
import type { GroundTruthConvention } from '../data/dev-pool.ts';
import type { InputFile } from '../data/input-files.ts';
import type { BuiltinWorld } from './builtin-worlds.ts';
import { objectStoreOf } from './idb.ts';

export type SavedDocuments =
  | { slot: 'docs'; source: 'builtin'; world: BuiltinWorld; duplicateIds: 'error' | 'suffix' }
  | { slot: 'docs'; source: 'files'; files: InputFile[]; duplicateIds: 'error' | 'suffix' };
export type SavedDev =
  // `world`: whose built-in target set (records written before the ranked world have none: 'single').
  | { slot: 'dev'; source: 'builtin'; world?: BuiltinWorld; conventions: Record<string, GroundTruthConvention> }
  | { slot: 'dev'; source: 'files'; files: InputFile[]; conventions: Record<string, GroundTruthConvention> };

/** A role's starting weights: built-in anchors by world, or a dropped Hugging Face folder's files. */
export type SavedModelChoice = { kind: 'builtin'; world: BuiltinWorld } | { kind: 'files'; name: string; files: File[] };
export type SavedModels = { slot: 'models'; isShared: boolean; generator: SavedModelChoice; solver: SavedModelChoice };

type ModelRole = 'generator' | 'solver';
/** A role's dropped folder, stored on its own (filesSlot). */
type SavedModelFiles = { slot: `model-files:${ModelRole}`; name: string; files: File[] };
/** How the models record names a dropped folder: by the slot of its files record. Records written before 2026-12-07 hold the files inline (SavedModelChoice). */
type StoredModelChoice = { kind: 'builtin'; world: BuiltinWorld } | { kind: 'files'; name: string; filesSlot: SavedModelFiles['slot'] };
type StoredModels = { slot: 'models'; isShared: boolean; generator: StoredModelChoice | SavedModelChoice; solver: StoredModelChoice | SavedModelChoice };
type SavedRecord = SavedDocuments | SavedDev | StoredModels | SavedModelFiles;

const filesSlot = (role: ModelRole): SavedModelFiles['slot'] => `model-files:${role}`;

const withStore = objectStoreOf('infuser-lab-inputs', 'inputs', 'slot');

/** Per slot, the record last read or written: restoring a pool must not write its files back unchanged. */
const stored = new Map<string, SavedRecord>();

/** Same fields, each the same value (files and conventions by reference, as the pool store keeps them). */
function sameRecord(a: SavedRecord, b: SavedRecord | undefined): boolean {
  if (b === undefined) return false;
  const keys = Object.keys(a) as (keyof typeof a)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === (b as typeof a)[k]);
}

/**
 * Writes `record` unless it is the one already stored. A models record goes out as each dropped folder's
 * files record (written only when that role's files changed) and a small record of the choices.
 */
export async function saveInputs(record: SavedDocuments | SavedDev | SavedModels): Promise<void> {
  if (record.slot !== 'models') return saveRecord(record);
  const choices: StoredModels = { slot: 'models', isShared: record.isShared, generator: record.generator, solver: record.solver };
  for (const role of ['generator', 'solver'] as const) {
    const choice = record[role];
    if (choice.kind !== 'files') {
      await dropRecord(filesSlot(role));
      continue;
    }
    await saveRecord({ slot: filesSlot(role), name: choice.name, files: choice.files });
    choices[role] = { kind: 'files', name: choice.name, filesSlot: filesSlot(role) };
  }
  await saveRecord(choices);
}

/** Slots known to hold no record, so that dropping one is a single delete per page. */
const absent = new Set<string>();

/** Deletes a role's files record once its role no longer uses a dropped folder: its space comes back. */
async function dropRecord(slot: SavedModelFiles['slot']): Promise<void> {
  if (absent.has(slot)) return;
  absent.add(slot);
  stored.delete(slot);
  try {
    await withStore('readwrite', (store) => store.delete(slot));
  } catch (error) {
    absent.delete(slot);
    throw error;
  }
}

async function saveRecord(record: SavedRecord): Promise<void> {
  if (sameRecord(record, stored.get(record.slot))) return;
  stored.set(record.slot, record);
  absent.delete(record.slot);
  try {
    await withStore('readwrite', (store) => store.put(record));
  } catch (error) {
    stored.delete(record.slot);
    throw error;
  }
}

/** The saved record for `slot`, or null when none was saved (first visit, cleared storage). */
export async function savedInputs(slot: 'docs'): Promise<SavedDocuments | null>;
export async function savedInputs(slot: 'dev'): Promise<SavedDev | null>;
export async function savedInputs(slot: 'models'): Promise<SavedModels | null>;
export async function savedInputs(slot: 'docs' | 'dev' | 'models'): Promise<SavedDocuments | SavedDev | SavedModels | null> {
  const record = await readRecord(slot);
  if (record === null || record.slot !== 'models') return record as SavedDocuments | SavedDev | null;
  const choice = async (role: ModelRole): Promise<SavedModelChoice> => {
    const c = record[role];
    if (c.kind === 'builtin' || 'files' in c) return c;
    const files = await readRecord(c.filesSlot);
    if (files === null || !files.slot.startsWith('model-files:')) throw new Error(`the ${role}'s model folder "${c.name}" is missing from the saved inputs`);
    const { name, files: folder } = files as SavedModelFiles;
    return { kind: 'files', name, files: folder };
  };
  return { slot: 'models', isShared: record.isShared, generator: await choice('generator'), solver: await choice('solver') };
}

async function readRecord(slot: SavedRecord['slot']): Promise<SavedRecord | null> {
  const record = await withStore('readonly', (store) => store.get(slot) as IDBRequest<SavedRecord | undefined>);
  if (record !== undefined) stored.set(slot, record);
  return record ?? null;
}
