// usePoolStore: the run's inputs, the document pool and the dev (target) set, with what the import
// rejected and why. A built-in world's files (builtin-worlds.ts; public/world/ by default) or dropped files.
// The raw files stay here so changing a choice (duplicate ids, ground-truth convention) re-imports them.
// At start the last visit's inputs come back from input-db.ts (saved by input-persistence.ts).
// Read by PoolPanel, DevSetPanel and RunControls; loading logic lives in pool-loader.ts.
import { create } from 'zustand';
import type { DevPoolImport, GroundTruthConvention } from '../../data/dev-pool.ts';
import { TEXT_EXTENSIONS } from '../../data/documents.ts';
import { fileExtension, type InputFile } from '../../data/input-files.ts';
import { BUILTIN_WORLDS, type BuiltinWorld } from '../builtin-worlds.ts';
import { savedInputs } from '../input-db.ts';
import { fetchWorldFile, loadDevPool, loadDocumentPoolWithPdfs, type DocumentPool } from '../pool-loader.ts';
import { selectBuiltConfig, useConfigStore } from './config.ts';

export type PoolSource = 'builtin' | 'files';
type Status = 'empty' | 'loading' | 'ready' | 'error';

interface PoolState {
  /** `world`: which built-in pool, when `source` is 'builtin'. */
  /** `chunkTokens`: the `data.chunk_tokens` the text files were chunked with (null before a load). */
  docs: {
    status: Status; source: PoolSource | null; world: BuiltinWorld | null; pool: DocumentPool | null; message: string | null; files: InputFile[];
    chunkTokens: number | null;
  };
  duplicateIds: 'error' | 'suffix';
  /** `world`: whose built-in target set, when `source` is 'builtin' (the ranked world has its own). */
  dev: { status: Status; source: PoolSource | null; world: BuiltinWorld | null; result: DevPoolImport | null; message: string | null; files: InputFile[] };
  conventions: Record<string, GroundTruthConvention>;
  loadDocuments: (files: InputFile[], source: PoolSource, world?: BuiltinWorld) => Promise<void>;
  loadBuiltinDocuments: (world?: BuiltinWorld) => Promise<void>;
  /** The user's choice of a built-in pool: its documents, and its target set unless the user dropped one. */
  chooseBuiltinWorld: (world: BuiltinWorld) => Promise<void>;
  /** The last visit's pool (dropped files or a built-in world), else the default built-in pool. */
  restoreDocuments: () => Promise<void>;
  setDuplicateIds: (mode: 'error' | 'suffix') => void;
  /** Re-imports the pool when `data.chunk_tokens` changed since its text files were chunked (JSON rows are not chunked). */
  rechunk: () => void;
  loadDev: (files: InputFile[], source: PoolSource) => void;
  /** The target set that belongs with a built-in pool (BUILTIN_WORLDS[world].devUrl; default 'single'). */
  loadBuiltinDev: (world?: BuiltinWorld) => Promise<void>;
  /** The last visit's target set and conventions, else the built-in target set. */
  restoreDev: () => Promise<void>;
  setConvention: (file: string, convention: GroundTruthConvention) => void;
}

/** Count the loads begun (a drop, a built-in choice, a restore), so one finishing after a newer one does not overwrite it. */
let documentLoads = 0;
let devLoads = 0;

const unreadable = (what: string, error: Error): string =>
  `The ${what} of your last visit could not be read back (${error.message}); the built-in one is loaded instead.`;

const chunkTokens = (): number => selectBuiltConfig(useConfigStore.getState()).config?.['data.chunk_tokens'] ?? 512;

export const usePoolStore = create<PoolState>((set, get) => {
  /** Imports a pool as load number `load`; a later load (a newer drop or built-in choice) makes it a no-op. */
  async function importDocuments(load: number, files: InputFile[], source: PoolSource, world?: BuiltinWorld): Promise<void> {
    const builtin = source === 'builtin' ? world ?? 'single' : null;
    set((s) => ({ docs: { ...s.docs, status: 'loading', message: null } }));
    const chunk = chunkTokens();
    try {
      const pool = await loadDocumentPoolWithPdfs(files, { chunkTokens: chunk, duplicateIds: get().duplicateIds });
      if (load !== documentLoads) return;
      const message = pool.documents.length === 0 ? 'No usable document in these files; see the rejected list.' : null;
      set({ docs: { status: pool.documents.length === 0 ? 'error' : 'ready', source, world: builtin, pool, message, files, chunkTokens: chunk } });
      get().rechunk(); // the size may have changed while this load ran
    } catch (error) {
      if (load !== documentLoads) return;
      set({ docs: { status: 'error', source, world: builtin, pool: null, message: (error as Error).message, files, chunkTokens: chunk } });
    }
  }

  /** Imports a target set now (the import is synchronous, so it cannot be overtaken). */
  function importDev(files: InputFile[], source: PoolSource, world: BuiltinWorld | null = null): void {
    try {
      const result = loadDevPool(files, get().conventions);
      const usable = result.questions.length > 0 || result.unconfirmedFiles.length > 0;
      const message = usable ? null : 'No usable dev question in these files; see the rejected list.';
      set({ dev: { status: usable ? 'ready' : 'error', source, world, result, message, files } });
    } catch (error) {
      set({ dev: { status: 'error', source, world, result: null, message: (error as Error).message, files } });
    }
  }

  return {
    docs: { status: 'empty', source: null, world: null, pool: null, message: null, files: [], chunkTokens: null },
    duplicateIds: 'error',
    dev: { status: 'empty', source: null, world: null, result: null, message: null, files: [] },
    conventions: {},
    loadDocuments: (files, source, world) => importDocuments(++documentLoads, files, source, world),
    loadBuiltinDocuments: async (world = 'single') => {
      // The load is claimed before the fetch, so a choice made while this file downloads wins over it.
      const load = ++documentLoads;
      set((s) => ({ docs: { ...s.docs, status: 'loading', message: null } }));
      let file: InputFile;
      try {
        file = await fetchWorldFile(BUILTIN_WORLDS[world].documentsUrl);
      } catch (error) {
        if (load === documentLoads) set({ docs: { status: 'error', source: 'builtin', world, pool: null, message: (error as Error).message, files: [], chunkTokens: null } });
        return;
      }
      if (load === documentLoads) await importDocuments(load, [file], 'builtin', world);
    },
    chooseBuiltinWorld: async (world) => {
      const documents = get().loadBuiltinDocuments(world);
      // Only the ranked world has a target set of its own; a dropped target set is the user's and stays.
      const { dev } = get();
      const current = dev.world === null ? null : BUILTIN_WORLDS[dev.world].devUrl;
      const target = dev.source !== 'files' && current !== BUILTIN_WORLDS[world].devUrl ? get().loadBuiltinDev(world) : undefined;
      await Promise.all([documents, target]);
    },
    restoreDocuments: async () => {
      set((s) => ({ docs: { ...s.docs, status: 'loading', message: null } }));
      const loadsBefore = documentLoads;
      const saved = await savedInputs('docs').catch((error: Error) => error);
      if (documentLoads !== loadsBefore) return; // the user chose a pool while the saved one was being read
      if (saved instanceof Error || saved === null) {
        await get().loadBuiltinDocuments();
        if (saved instanceof Error) set((s) => ({ docs: { ...s.docs, message: unreadable('documents', saved) } }));
        return;
      }
      set({ duplicateIds: saved.duplicateIds });
      await (saved.source === 'files' ? get().loadDocuments(saved.files, 'files') : get().loadBuiltinDocuments(saved.world));
    },
    setDuplicateIds: (mode) => {
      set({ duplicateIds: mode });
      const { files, source, world } = get().docs;
      if (files.length > 0 && source !== null) void get().loadDocuments(files, source, world ?? undefined);
    },
    rechunk: () => {
      const { files, source, world, chunkTokens: used, status } = get().docs;
      // While some setting is invalid there is no config to read the size from; wait for a valid one.
      const current = selectBuiltConfig(useConfigStore.getState()).config?.['data.chunk_tokens'];
      if (source === null || status === 'loading' || used === null || current === undefined || used === current) return;
      // JSON rows are not chunked: the pool stands, and only the size it would use is new.
      if (!files.some((f) => TEXT_EXTENSIONS.has(fileExtension(f.name)))) set((s) => ({ docs: { ...s.docs, chunkTokens: current } }));
      else void get().loadDocuments(files, source, world ?? undefined);
    },
    loadDev: (files, source) => {
      devLoads++;
      importDev(files, source);
    },
    loadBuiltinDev: async (world = 'single') => {
      const load = ++devLoads;
      set((s) => ({ dev: { ...s.dev, status: 'loading', message: null } }));
      try {
        const file = await fetchWorldFile(BUILTIN_WORLDS[world].devUrl);
        if (load === devLoads) importDev([file], 'builtin', world);
      } catch (error) {
        if (load === devLoads) set({ dev: { status: 'error', source: 'builtin', world, result: null, message: (error as Error).message, files: [] } });
      }
    },
    restoreDev: async () => {
      set((s) => ({ dev: { ...s.dev, status: 'loading', message: null } }));
      const loadsBefore = devLoads;
      const saved = await savedInputs('dev').catch((error: Error) => error);
      if (devLoads !== loadsBefore) return; // the user chose a target set while the saved one was being read
      if (saved instanceof Error || saved === null) {
        await get().loadBuiltinDev();
        if (saved instanceof Error) set((s) => ({ dev: { ...s.dev, message: unreadable('target set', saved) } }));
        return;
      }
      set({ conventions: saved.conventions });
      if (saved.source === 'files') get().loadDev(saved.files, 'files');
      else await get().loadBuiltinDev(saved.world ?? 'single');
    },
    setConvention: (file, convention) => {
      set((s) => ({ conventions: { ...s.conventions, [file]: convention } }));
      const { files, source } = get().dev;
      if (files.length > 0 && source !== null) get().loadDev(files, source);
    },
  };
});
