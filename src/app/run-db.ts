// One IndexedDB record per run (RunEntry), so imported and finished runs survive a reload. Called by
// run-persistence.ts only; records are plain data.
import { openDb, request } from './idb.ts';
import type { RunEntry } from './stores/runs.ts';

const DB_NAME = 'infuser-lab';
const STORE = 'runs';

let opened: Promise<IDBDatabase> | null = null;

async function withStore<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  opened ??= openDb(DB_NAME, 1, { [STORE]: 'id' });
  const db = await opened;
  return request(body(db.transaction(STORE, mode).objectStore(STORE)), `${DB_NAME}/${STORE}`);
}

export async function putRun(run: RunEntry): Promise<void> {
  await withStore('readwrite', (store) => store.put(run));
}

export function getAllRuns(): Promise<RunEntry[]> {
  return withStore('readonly', (store) => store.getAll() as IDBRequest<RunEntry[]>);
}

export async function deleteRun(id: string): Promise<void> {
  await withStore('readwrite', (store) => store.delete(id));
}
