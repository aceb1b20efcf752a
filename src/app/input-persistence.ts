// Saves the run inputs (usePoolStore, useModelsStore) to IndexedDB (input-db.ts) whenever the user
// changes them, so a reload brings back the same pool, target set, import options and models. Called
// once by App; the stores read them back at start (restoreDocuments, restoreDev, restoreModels).
import { saveInputs, type SavedDev, type SavedDocuments, type SavedModels } from './input-db.ts';
import { useModelsStore } from './stores/models.ts';
import { usePoolStore } from './stores/pool.ts';

type PoolState = ReturnType<typeof usePoolStore.getState>;

/** What to save of the pool, or null while nothing was chosen yet (the start, before any load). */
function documentsRecord(s: Pick<PoolState, 'docs' | 'duplicateIds'>): SavedDocuments | null {
  const { source, world, files } = s.docs;
  if (source === 'builtin') return { slot: 'docs', source, world: world ?? 'single', duplicateIds: s.duplicateIds };
  if (source === 'files') return { slot: 'docs', source, files, duplicateIds: s.duplicateIds };
  return null;
}

function devRecord(s: Pick<PoolState, 'dev' | 'conventions'>): SavedDev | null {
  const { source, world, files } = s.dev;
  if (source === 'builtin') return { slot: 'dev', source, world: world ?? 'single', conventions: s.conventions };
  if (source === 'files') return { slot: 'dev', source, files, conventions: s.conventions };
  return null;
}

type ModelsState = ReturnType<typeof useModelsStore.getState>;

/** What to save of the models, or null while a role holds a refused pick (no files: nothing to bring back). */
function modelsRecord(s: Pick<ModelsState, 'generator' | 'solver' | 'isShared'>): SavedModels | null {
  const { generator, solver } = s;
  if ([generator, solver].some((e) => e.choice.kind === 'files' && e.choice.files.length === 0)) return null;
  return { slot: 'models', isShared: s.isShared, generator: generator.choice, solver: solver.choice };
}

/** Starts saving; returns the unsubscribe. `onError` hears a write that failed (quota, private mode). */
export function startInputPersistence(onError: (message: string) => void): () => void {
  const stopModels = useModelsStore.subscribe((state, previous) => {
    const changed = state.generator.choice !== previous.generator.choice || state.solver.choice !== previous.solver.choice
      || state.isShared !== previous.isShared;
    const record = changed ? modelsRecord(state) : null;
    if (record !== null) saveInputs(record).catch((e: Error) => onError(`Your model choices were not saved for the next visit: ${e.message}`));
  });
  const stopPool = usePoolStore.subscribe((state, previous) => {
    const docsChanged = state.docs.files !== previous.docs.files || state.docs.source !== previous.docs.source
      || state.docs.world !== previous.docs.world || state.duplicateIds !== previous.duplicateIds;
    const docs = docsChanged ? documentsRecord(state) : null;
    if (docs !== null) saveInputs(docs).catch((e: Error) => onError(`Your documents were not saved for the next visit: ${e.message}`));
    const devChanged = state.dev.files !== previous.dev.files || state.dev.source !== previous.dev.source
      || state.dev.world !== previous.dev.world || state.conventions !== previous.conventions;
    const dev = devChanged ? devRecord(state) : null;
    if (dev !== null) saveInputs(dev).catch((e: Error) => onError(`Your target set was not saved for the next visit: ${e.message}`));
  });
  return () => {
    stopModels();
    stopPool();
  };
}
