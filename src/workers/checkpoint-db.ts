// Browser checkpoints of live runs (both roles' weights and AdamW state, the document sampler, the
// completed iteration count, and the setup they started from), one record per run id in IndexedDB,
// written after every completed iteration so a reload or a lost GPU device loses nothing finished.
import type { Document } from '../data/documents.ts';
import type { DevQuestion } from '../data/dev-pool.ts';
import type { RunConfig } from '../infuser/config.ts';
import type { DocumentSamplerState } from '../infuser/document-sampler.ts';
import type { RoleCheckpoint } from '../infuser/roles.ts';
import type { ModelSource } from './api.ts';

export interface LiveCheckpoint {
  runId: string;
  name: string;
  config: RunConfig;
  documents: readonly Document[];
  devQuestions: readonly DevQuestion[];
  /** Dropped model folders are File objects, which IndexedDB stores as they are. */
  models: { generator: ModelSource; solver: ModelSource };
  completedIterations: number;
  sampler: DocumentSamplerState;
  generator: RoleCheckpoint;
  solver: RoleCheckpoint;
  savedMs: number;
}

/** What the Resume offer needs, stored beside each checkpoint so listing never reads weights. */
export interface CheckpointSummaryRecord {
  runId: string;
  completedIterations: number;
  iterations: number;
  savedMs: number;
}

const DB = 'infuser-lab-checkpoints';
const STORE = 'checkpoints';
const SUMMARIES = 'summaries';

let opened: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 2);
    req.onupgradeneeded = () => {
      const names = req.result.objectStoreNames;
      if (!names.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'runId' });
      if (!names.contains(SUMMARIES)) req.result.createObjectStore(SUMMARIES, { keyPath: 'runId' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`IndexedDB ${DB}: cannot open (${req.error?.message ?? 'unknown error'})`));
  });
  return opened;
}

async function tx<T>(mode: IDBTransactionMode, body: (s: IDBObjectStore, summaries: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction([STORE, SUMMARIES], mode);
    const req = body(t.objectStore(STORE), t.objectStore(SUMMARIES));
    // Resolve on commit, so a saved checkpoint is durable before the next iteration starts.
    t.oncomplete = () => resolve(req.result);
    t.onerror = () => reject(new Error(`IndexedDB ${DB}: ${t.error?.message ?? 'transaction failed'}`));
    t.onabort = () => reject(new Error(`IndexedDB ${DB}: ${t.error?.message ?? 'transaction aborted (storage full?)'}`));
  });
}

export async function saveCheckpoint(c: LiveCheckpoint): Promise<void> {
  const summary: CheckpointSummaryRecord = {
    runId: c.runId, completedIterations: c.completedIterations, iterations: c.config['training.iterations'], savedMs: c.savedMs,
  };
  // One transaction: the summary never runs ahead of the checkpoint it describes.
  await tx('readwrite', (s, summaries) => {
    summaries.put(summary);
    return s.put(c);
  });
}

export function listCheckpointSummaries(): Promise<CheckpointSummaryRecord[]> {
  return tx('readonly', (_, summaries) => summaries.getAll() as IDBRequest<CheckpointSummaryRecord[]>);
}

export function loadCheckpoint(runId: string): Promise<LiveCheckpoint | undefined> {
  return tx('readonly', (s) => s.get(runId) as IDBRequest<LiveCheckpoint | undefined>);
}

export function listCheckpoints(): Promise<LiveCheckpoint[]> {
  return tx('readonly', (s) => s.getAll() as IDBRequest<LiveCheckpoint[]>);
}

export async function deleteCheckpoint(runId: string): Promise<void> {
  await tx('readwrite', (s, summaries) => {
    summaries.delete(runId);
    return s.delete(runId);
  });
}
