// One IndexedDB object store used request by request, its database opened (and on first use created)
// when first needed. Used by run-db.ts (saved runs) and input-db.ts (the last inputs).

/** Resolves with the request's result; the error names the database and store. */
function request<T>(req: IDBRequest<T>, where: string): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`IndexedDB ${where}: ${req.error?.message ?? 'request failed'}`));
  });
}

function openDb(name: string, store: string, keyPath: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(store, { keyPath });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`IndexedDB ${name}: cannot open (${req.error?.message ?? 'unknown error'})`));
    req.onblocked = () => reject(new Error(`IndexedDB ${name}: blocked by another tab holding an older version`));
  });
}

/** Store `store` (records keyed by `keyPath`) of database `dbName`: `use(mode, body)` runs one request in a transaction. */
export function objectStoreOf(dbName: string, store: string, keyPath: string) {
  let opened: Promise<IDBDatabase> | null = null;
  return async function use<T>(mode: IDBTransactionMode, body: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    opened ??= openDb(dbName, store, keyPath);
    const db = await opened;
    return request(body(db.transaction(store, mode).objectStore(store)), `${dbName}/${store}`);
  };
}
