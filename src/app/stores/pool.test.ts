// The pool store's restore at start against a choice the user makes meanwhile: the user's choice wins
// whenever it is made, including while the restored built-in file is still downloading.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const saved = vi.hoisted(() => ({ docs: null as unknown, dev: null as unknown }));
vi.mock('../input-db.ts', () => ({ savedInputs: async (slot: 'docs' | 'dev') => saved[slot] }));

import { usePoolStore } from './pool.ts';
import { useConfigStore } from './config.ts';
import { BUILTIN_WORLDS } from '../builtin-worlds.ts';

/** A fetch whose responses the test releases one URL at a time. */
function gatedFetch() {
  const gates = new Map<string, () => void>();
  const fetchFn = vi.fn((url: string) => new Promise<Response>((resolve) => {
    const body = url.includes('dev')
      ? JSON.stringify([{ question_text: `Which one? (${url})`, choices: ['a', 'b', 'c', 'd'], ground_truth: 'A' }])
      : JSON.stringify([{ doc_id: `d-${url}`, content: `A document served from ${url}.` }]);
    gates.set(url, () => resolve(new Response(body, { headers: { 'content-type': 'application/json' } })));
  }));
  const release = async (url: string) => {
    for (let i = 0; i < 50 && !gates.has(url); i++) await new Promise((r) => setTimeout(r, 1));
    gates.get(url)!();
    gates.delete(url);
  };
  return { fetchFn, release };
}

const settle = () => new Promise((r) => setTimeout(r, 20));
const single = BUILTIN_WORLDS.single.documentsUrl;
const mixed = BUILTIN_WORLDS.mixed.documentsUrl;

describe('pool store restore', () => {
  beforeEach(() => {
    usePoolStore.setState({ docs: { status: 'empty', source: null, world: null, pool: null, message: null, files: [], chunkTokens: null } });
  });
  // After each test, so a failed one does not leave its gated fetch behind for the next.
  afterEach(() => vi.unstubAllGlobals());

  it('a built-in pool chosen while the restored one downloads wins, even if its file arrives first', async () => {
    saved.docs = { slot: 'docs', source: 'builtin', world: 'mixed', duplicateIds: 'error' };
    const { fetchFn, release } = gatedFetch();
    vi.stubGlobal('fetch', fetchFn);
    const restoring = usePoolStore.getState().restoreDocuments();
    await settle(); // the saved record is read; the restore now waits on the mixed world's file
    expect(fetchFn).toHaveBeenCalledWith(mixed, expect.anything());
    const choosing = usePoolStore.getState().loadBuiltinDocuments('single');
    await release(single);
    await choosing;
    await release(mixed);
    await restoring;
    await settle();
    const { docs } = usePoolStore.getState();
    expect(docs.world).toBe('single');
    expect(docs.pool?.documents[0].doc_id).toBe(`d-${single}`);
  });

  it('without a later choice the restored pool loads', async () => {
    saved.docs = { slot: 'docs', source: 'builtin', world: 'mixed', duplicateIds: 'error' };
    const { fetchFn, release } = gatedFetch();
    vi.stubGlobal('fetch', fetchFn);
    const restoring = usePoolStore.getState().restoreDocuments();
    await release(mixed);
    await restoring;
    expect(usePoolStore.getState().docs.world).toBe('mixed');
    expect(usePoolStore.getState().docs.status).toBe('ready');
  });

  it('a target set dropped while the restored built-in one downloads wins', async () => {
    saved.dev = { slot: 'dev', source: 'builtin', conventions: {} };
    const { fetchFn, release } = gatedFetch();
    vi.stubGlobal('fetch', fetchFn);
    const restoring = usePoolStore.getState().restoreDev();
    await settle();
    const dropped = JSON.stringify([{ question_text: 'Dropped?', choices: ['w', 'x', 'y', 'z'], ground_truth: 'B' }]);
    usePoolStore.getState().loadDev([{ name: 'mine.json', bytes: new TextEncoder().encode(dropped) }], 'files');
    await release(fetchFn.mock.calls[0][0]);
    await restoring;
    const { dev } = usePoolStore.getState();
    expect(dev.source).toBe('files');
    expect(dev.result?.questions[0].question_text).toBe('Dropped?');
  });

  it('restores the ranked world\'s own target set, and a record without a world as the shared one', async () => {
    const ranked = BUILTIN_WORLDS.ranked.devUrl;
    expect(ranked).not.toBe(BUILTIN_WORLDS.single.devUrl);
    saved.dev = { slot: 'dev', source: 'builtin', world: 'ranked', conventions: {} };
    let gated = gatedFetch();
    vi.stubGlobal('fetch', gated.fetchFn);
    let restoring = usePoolStore.getState().restoreDev();
    await gated.release(ranked);
    await restoring;
    expect(usePoolStore.getState().dev).toMatchObject({ source: 'builtin', world: 'ranked', status: 'ready' });
    expect(usePoolStore.getState().dev.result?.questions[0].question_text).toBe(`Which one? (${ranked})`);
    saved.dev = { slot: 'dev', source: 'builtin', conventions: {} }; // written before the ranked world
    usePoolStore.setState({ dev: { status: 'empty', source: null, world: null, result: null, message: null, files: [] } });
    gated = gatedFetch();
    vi.stubGlobal('fetch', gated.fetchFn);
    restoring = usePoolStore.getState().restoreDev();
    await gated.release(BUILTIN_WORLDS.single.devUrl);
    await restoring;
    expect(usePoolStore.getState().dev).toMatchObject({ source: 'builtin', world: 'single', status: 'ready' });
  });

  it('choosing a built-in pool brings its target set, back and forth; a dropped target set stays', async () => {
    const { fetchFn, release } = gatedFetch();
    vi.stubGlobal('fetch', fetchFn);
    usePoolStore.setState({ dev: { status: 'empty', source: null, world: null, result: null, message: null, files: [] } });
    let choosing = usePoolStore.getState().chooseBuiltinWorld('ranked');
    await release(BUILTIN_WORLDS.ranked.documentsUrl);
    await release(BUILTIN_WORLDS.ranked.devUrl);
    await choosing;
    expect(usePoolStore.getState().docs).toMatchObject({ source: 'builtin', world: 'ranked', status: 'ready' });
    expect(usePoolStore.getState().dev).toMatchObject({ source: 'builtin', world: 'ranked', status: 'ready' });
    choosing = usePoolStore.getState().chooseBuiltinWorld('mixed');
    await release(mixed);
    await release(BUILTIN_WORLDS.mixed.devUrl);
    await choosing;
    expect(usePoolStore.getState().dev).toMatchObject({ source: 'builtin', world: 'mixed', status: 'ready' });
    // The mixed and the results worlds share one target set: no second download.
    const calls = fetchFn.mock.calls.length;
    choosing = usePoolStore.getState().chooseBuiltinWorld('results');
    await release(BUILTIN_WORLDS.results.documentsUrl);
    await choosing;
    expect(fetchFn.mock.calls.length).toBe(calls + 1);
    const dropped = JSON.stringify([{ question_text: 'Mine?', choices: ['w', 'x', 'y', 'z'], ground_truth: 'C' }]);
    usePoolStore.getState().loadDev([{ name: 'mine.json', bytes: new TextEncoder().encode(dropped) }], 'files');
    choosing = usePoolStore.getState().chooseBuiltinWorld('ranked');
    await release(BUILTIN_WORLDS.ranked.documentsUrl);
    await choosing;
    expect(usePoolStore.getState().docs.world).toBe('ranked');
    expect(usePoolStore.getState().dev.source).toBe('files');
    expect(usePoolStore.getState().dev.result?.questions[0].question_text).toBe('Mine?');
  });
});

describe('pool store chunking', () => {
  // 40 paragraphs of ~50 estimated tokens: one chunk per ~2 paragraphs at 128 tokens, ~8 per chunk at 512.
  const paragraph = (i: number) => `Paragraph ${i} ${'word '.repeat(38)}end.`;
  const text = { name: 'notes.txt', text: Array.from({ length: 40 }, (_, i) => paragraph(i)).join('\n\n') };
  const rows = { name: 'rows.jsonl', text: '{"doc_id": "a", "content": "One row."}\n' };

  afterEach(() => useConfigStore.getState().resetAll());

  it('re-chunks dropped text files when data.chunk_tokens changes, and records the size it used', async () => {
    await usePoolStore.getState().loadDocuments([text], 'files');
    const before = usePoolStore.getState().docs;
    expect(before.chunkTokens).toBe(512);
    useConfigStore.getState().setField('data.chunk_tokens', '128');
    usePoolStore.getState().rechunk();
    await vi.waitFor(() => expect(usePoolStore.getState().docs.chunkTokens).toBe(128));
    const after = usePoolStore.getState().docs;
    expect(after.status).toBe('ready');
    expect(after.pool!.documents.length).toBeGreaterThan(before.pool!.documents.length);
    // Unchanged size: nothing to do.
    usePoolStore.getState().rechunk();
    expect(usePoolStore.getState().docs).toBe(after);
  });

  it('leaves a pool of JSON rows alone: rows are not chunked', async () => {
    await usePoolStore.getState().loadDocuments([rows], 'files');
    const before = usePoolStore.getState().docs;
    useConfigStore.getState().setField('data.chunk_tokens', '128');
    usePoolStore.getState().rechunk();
    const after = usePoolStore.getState().docs;
    expect(after.pool).toBe(before.pool);
    expect(after.status).toBe('ready');
    expect(after.chunkTokens).toBe(128);
  });
});
