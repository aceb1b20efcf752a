import { IDBFactory } from 'fake-indexeddb';
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as InputDb from './input-db.ts';

// input-db.ts keeps what it last read or wrote per slot, as a page does; each test loads it afresh over
// a fresh database, and `reload()` is a new page over the same database.
let db: IDBFactory;
const reload = async (): Promise<typeof InputDb> => {
  vi.resetModules();
  return import('./input-db.ts');
};

/** put() calls by slot, to see which records a save writes. */
let puts: string[] = [];

beforeEach(() => {
  db = new IDBFactory();
  vi.stubGlobal('indexedDB', db);
  puts = [];
  const put = IDBObjectStore.prototype.put;
  vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    puts.push((value as { slot: string }).slot);
    return put.call(this, value, key);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const folder = (tag: string): File[] => [new File([`{"model_type":"${tag}"}`], 'config.json'), new File([new Uint8Array(64)], 'model.safetensors')];
const text = (files: readonly Blob[]): Promise<string[]> => Promise.all(files.map((f) => f.text()));

/** The raw record of `slot`, as the page's IndexedDB holds it. */
const raw = (slot: string): Promise<unknown> => new Promise((resolve, reject) => {
  const open = db.open('infuser-lab-inputs');
  open.onsuccess = () => {
    const get = open.result.transaction('inputs').objectStore('inputs').get(slot);
    get.onsuccess = () => resolve(get.result);
    get.onerror = () => reject(get.error);
  };
});

describe('saved model choices', () => {
  it('write a dropped folder once: the other role, the shared toggle and a reload leave its files record alone', async () => {
    const { saveInputs } = await reload();
    const generator = { kind: 'files' as const, name: 'my-llama', files: folder('llama') };
    await saveInputs({ slot: 'models', isShared: true, generator, solver: { kind: 'builtin', world: 'single' } });
    expect(puts).toEqual(['model-files:generator', 'models']);
    await saveInputs({ slot: 'models', isShared: false, generator, solver: { kind: 'builtin', world: 'single' } });
    await saveInputs({ slot: 'models', isShared: false, generator, solver: { kind: 'builtin', world: 'mixed' } });
    expect(puts).toEqual(['model-files:generator', 'models', 'models', 'models']);
    // The choices record names the folder; only the files record holds it.
    expect(await raw('models')).toEqual({ slot: 'models', isShared: false, generator: { kind: 'files', name: 'my-llama', filesSlot: 'model-files:generator' }, solver: { kind: 'builtin', world: 'mixed' } });

    const page2 = await reload();
    const saved = await page2.savedInputs('models');
    expect(saved).toMatchObject({ isShared: false, generator: { kind: 'files', name: 'my-llama' }, solver: { kind: 'builtin', world: 'mixed' } });
    if (saved?.generator.kind !== 'files') throw new Error('generator not restored as files');
    expect(await text(saved.generator.files)).toEqual(await text(generator.files));
    // Restoring, then saving the restored choices (what the models store does) writes no files again.
    puts = [];
    await page2.saveInputs({ ...saved, solver: { kind: 'builtin', world: 'single' } });
    expect(puts).toEqual(['models']);
  });

  it('a new folder for a role replaces its files; a role back on built-in anchors frees them', async () => {
    const { saveInputs, savedInputs } = await reload();
    const solver = { kind: 'files' as const, name: 'a', files: folder('a') };
    await saveInputs({ slot: 'models', isShared: false, generator: { kind: 'builtin', world: 'single' }, solver });
    await saveInputs({ slot: 'models', isShared: false, generator: { kind: 'builtin', world: 'single' }, solver: { kind: 'files', name: 'b', files: folder('b') } });
    expect(puts.filter((s) => s === 'model-files:solver')).toHaveLength(2);
    const saved = await savedInputs('models');
    if (saved?.solver.kind !== 'files') throw new Error('solver not restored as files');
    expect(saved.solver.name).toBe('b');
    expect(await text(saved.solver.files)).toEqual(await text(folder('b')));
    await saveInputs({ slot: 'models', isShared: false, generator: { kind: 'builtin', world: 'single' }, solver: { kind: 'builtin', world: 'mixed' } });
    expect(await raw('model-files:solver')).toBeUndefined();
    expect(await (await reload()).savedInputs('models')).toEqual({ slot: 'models', isShared: false, generator: { kind: 'builtin', world: 'single' }, solver: { kind: 'builtin', world: 'mixed' } });
  });

  it('reads a record saved before the split (files inline), and names a folder whose files are gone', async () => {
    const old = await reload();
    // What an earlier build wrote: the folder inside the models record. The docs slot takes the same path.
    await old.saveInputs({ slot: 'docs', source: 'builtin', world: 'mixed', duplicateIds: 'error' });
    const store = await new Promise<IDBDatabase>((resolve) => { const o = db.open('infuser-lab-inputs'); o.onsuccess = () => resolve(o.result); });
    const write = (value: unknown) => new Promise<void>((resolve, reject) => {
      const req = store.transaction('inputs', 'readwrite').objectStore('inputs').put(value);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    });
    await write({ slot: 'models', isShared: true, generator: { kind: 'files', name: 'legacy', files: folder('legacy') }, solver: { kind: 'builtin', world: 'single' } });
    const saved = await (await reload()).savedInputs('models');
    if (saved?.generator.kind !== 'files') throw new Error('legacy generator not restored as files');
    expect(saved.generator.name).toBe('legacy');
    expect(await text(saved.generator.files)).toEqual(await text(folder('legacy')));

    await write({ slot: 'models', isShared: true, generator: { kind: 'files', name: 'lost', filesSlot: 'model-files:generator' }, solver: { kind: 'builtin', world: 'single' } });
    await expect((await reload()).savedInputs('models')).rejects.toThrow(/the generator's model folder "lost" is missing from the saved inputs/);
    expect(await (await reload()).savedInputs('docs')).toEqual({ slot: 'docs', source: 'builtin', world: 'mixed', duplicateIds: 'error' });
  });
});
