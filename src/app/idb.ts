// A small promise wrapper over IndexedDB: opening a database whose object stores are keyed by a field,
// awaiting one request, and one store used request by request. Used by run-db.ts (saved runs) and input-db.ts (the last inputs).

/** Resolves with the request's result; the error names the database and store. */
export function request<T>(req: IDBRequest<T>, where: string): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`IndexedDB ${where}: ${req.error?.message ?? 'request failed'}`));
  });
}

/** Opens (and on first use creates) database `name` with one object store per entry of `stores` (store → key path). */
export function openDb(name: string, version: number, stores: Record<string, string>, factory: IDBFactory = indexedDB): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, version);
    req.onupgradeneeded = () => {
      for (const [store, keyPath] of Object.entries(stores)) {
        if (!req.result.objectStoreNames.contains(store)) req.result.createObjectStore(store, { keyPath });
      }
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new Error(`IndexedDB ${name}: cannot open (${req.error?.message ?? 'unknown error'})`));
    req.onblocked = () => reject(new Error(`IndexedDB ${name}: blocked by another tab holding an older version`));
  });
}

/** One object store of one database, opened on first use: `use(mode, body)` runs one request in a transaction. */
export function objectStoreOf(dbName: string, store: string, keyPath: string) {
  let opened: Promise<IDBDatabase> | null = null;
  return async function use<T>(mode: IDBTransactionMode, body: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    opened ??= openDb(dbName, 1, { [store]: keyPath });
    const db = await opened;
    return request(body(db.transaction(store, mode).objectStore(store)), `${dbName}/${store}`);
  };
}
