// One IndexedDB record per run (RunEntry), so imported and finished runs survive a reload. Called by
// run-persistence.ts only; records are plain data.
import { objectStoreOf } from './idb.ts';
import type { RunEntry } from './stores/runs.ts';

const withStore = objectStoreOf('infuser-lab', 'runs', 'id');

export async function putRun(run: RunEntry): Promise<void> {
  await withStore('readwrite', (store) => store.put(run));
}

export function getAllRuns(): Promise<RunEntry[]> {
  return withStore('readonly', (store) => store.getAll() as IDBRequest<RunEntry[]>);
}

export async function deleteRun(id: string): Promise<void> {
  await withStore('readwrite', (store) => store.delete(id));
}
