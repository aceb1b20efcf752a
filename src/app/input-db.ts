// The last run inputs in IndexedDB, so dropped documents, a dropped target set and dropped model folders
// survive a reload: one record for the pool, one for the dev set, one for both roles' models. A built-in
// choice is saved by name, not by content (its files are refetched); dropped files are saved whole. Read
// at start by the pool and models stores, written by input-persistence.ts.
import type { GroundTruthConvention } from '../data/dev-pool.ts';
import type { InputFile } from '../data/input-files.ts';
import type { BuiltinWorld } from './builtin-worlds.ts';
import { objectStoreOf } from './idb.ts';

export type SavedDocuments =
  | { slot: 'docs'; source: 'builtin'; world: BuiltinWorld; duplicateIds: 'error' | 'suffix' }
  | { slot: 'docs'; source: 'files'; files: InputFile[]; duplicateIds: 'error' | 'suffix' };
export type SavedDev =
  | { slot: 'dev'; source: 'builtin'; conventions: Record<string, GroundTruthConvention> }
  | { slot: 'dev'; source: 'files'; files: InputFile[]; conventions: Record<string, GroundTruthConvention> };

/** A role's starting weights: built-in anchors by world, or a dropped Hugging Face folder's files. */
export type SavedModelChoice = { kind: 'builtin'; world: BuiltinWorld } | { kind: 'files'; name: string; files: File[] };
export type SavedModels = { slot: 'models'; isShared: boolean; generator: SavedModelChoice; solver: SavedModelChoice };
type SavedRecord = SavedDocuments | SavedDev | SavedModels;

const withStore = objectStoreOf('infuser-lab-inputs', 'inputs', 'slot');

/** Per slot, the record last read or written: restoring a pool must not write its files back unchanged. */
const stored = new Map<string, SavedRecord>();

/** Same fields, each the same value (files and conventions by reference, as the pool store keeps them). */
function sameRecord(a: SavedRecord, b: SavedRecord | undefined): boolean {
  if (b === undefined) return false;
  const keys = Object.keys(a) as (keyof typeof a)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === (b as typeof a)[k]);
}

/** Writes `record` unless it is the one already stored. */
export async function saveInputs(record: SavedRecord): Promise<void> {
  if (sameRecord(record, stored.get(record.slot))) return;
  stored.set(record.slot, record);
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
export async function savedInputs(slot: SavedRecord['slot']): Promise<SavedRecord | null> {
  const record = await withStore('readonly', (store) => store.get(slot) as IDBRequest<SavedRecord | undefined>);
  if (record !== undefined) stored.set(slot, record);
  return record ?? null;
}
