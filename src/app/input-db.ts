// The last run inputs in IndexedDB, so dropped documents and a dropped target set survive a reload:
// one record for the pool and one for the dev set. A built-in choice is saved by name, not by content
// (its files are refetched); dropped files are saved whole. Read at start by the pool store, written by
// input-persistence.ts.
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

const withStore = objectStoreOf('infuser-lab-inputs', 'inputs', 'slot');

/** Per slot, the record last read or written: restoring a pool must not write its files back unchanged. */
const stored = new Map<string, SavedDocuments | SavedDev>();

/** Same fields, each the same value (files and conventions by reference, as the pool store keeps them). */
function sameRecord(a: SavedDocuments | SavedDev, b: SavedDocuments | SavedDev | undefined): boolean {
  if (b === undefined) return false;
  const keys = Object.keys(a) as (keyof typeof a)[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === (b as typeof a)[k]);
}

/** Writes `record` unless it is the one already stored. */
export async function saveInputs(record: SavedDocuments | SavedDev): Promise<void> {
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
export async function savedInputs(slot: 'docs' | 'dev'): Promise<SavedDocuments | SavedDev | null> {
  const record = await withStore('readonly', (store) => store.get(slot) as IDBRequest<SavedDocuments | SavedDev | undefined>);
  if (record !== undefined) stored.set(slot, record);
  return record ?? null;
}
