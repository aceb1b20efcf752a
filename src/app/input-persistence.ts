// Saves the run inputs (usePoolStore) to IndexedDB (input-db.ts) whenever the user changes them, so a
// reload brings back the same pool, target set and import options. Called once by App; the pool store
// reads them back at start (restoreDocuments, restoreDev).
import { saveInputs, type SavedDev, type SavedDocuments } from './input-db.ts';
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
  const { source, files } = s.dev;
  if (source === 'builtin') return { slot: 'dev', source, conventions: s.conventions };
  if (source === 'files') return { slot: 'dev', source, files, conventions: s.conventions };
  return null;
}

/** Starts saving; returns the unsubscribe. `onError` hears a write that failed (quota, private mode). */
export function startInputPersistence(onError: (message: string) => void): () => void {
  return usePoolStore.subscribe((state, previous) => {
    const docsChanged = state.docs.files !== previous.docs.files || state.docs.source !== previous.docs.source
      || state.docs.world !== previous.docs.world || state.duplicateIds !== previous.duplicateIds;
    const docs = docsChanged ? documentsRecord(state) : null;
    if (docs !== null) saveInputs(docs).catch((e: Error) => onError(`Your documents were not saved for the next visit: ${e.message}`));
    const devChanged = state.dev.files !== previous.dev.files || state.dev.source !== previous.dev.source
      || state.conventions !== previous.conventions;
    const dev = devChanged ? devRecord(state) : null;
    if (dev !== null) saveInputs(dev).catch((e: Error) => onError(`Your target set was not saved for the next visit: ${e.message}`));
  });
}
