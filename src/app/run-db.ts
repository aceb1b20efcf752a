// A small promise wrapper over IndexedDB holding one record per run (RunEntry), so imported and
// finished runs survive a reload. Called by run-persistence.ts only; records are plain data.
import type { RunEntry } from './stores/runs.ts';

const DB_NAME = 'infuser-lab';
const STORE = 'runs';
const VERSION = 1;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`IndexedDB ${DB_NAME}/${STORE}: ${req.error?.message ?? 'request failed'}`));
  });
}

let opened: Promise<IDBDatabase> | null = null;

/** Opens (and on first use creates) the runs database. */
export function openRunDb(factory: IDBFactory = indexedDB): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const req = factory.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`IndexedDB ${DB_NAME}: cannot open (${req.error?.message ?? 'unknown error'})`));
    req.onblocked = () => reject(new Error(`IndexedDB ${DB_NAME}: blocked by another tab holding an older version`));
  });
  return opened;
}

async function withStore<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openRunDb();
  return request(body(db.transaction(STORE, mode).objectStore(STORE)));
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
