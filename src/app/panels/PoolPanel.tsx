// The document pool: drop zone and pickers (input labelled "Document pool"), the built-in pools' buttons,
// a preview (count, sizes, how files became documents) and the rejected list. State in stores/pool.ts.
import { useEffect } from 'react';
import { MIN_CHUNK_TOKENS } from '../../data/documents.ts';
import { documentSizes } from '../pool-loader.ts';
import { BUILTIN_WORLDS, type BuiltinWorld } from '../builtin-worlds.ts';
import { selectBuiltConfig, useConfigStore } from '../stores/config.ts';
import { useModelsStore } from '../stores/models.ts';
import { usePoolStore } from '../stores/pool.ts';
import { DropZone } from './DropZone.tsx';
import { RejectedList } from './RejectedList.tsx';

const kib = (bytes: number): string => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`);
const PREVIEW_DOCS = 5;

export function PoolPanel() {
  const docs = usePoolStore((s) => s.docs);
  const duplicateIds = usePoolStore((s) => s.duplicateIds);
  const { loadDocuments, chooseBuiltinWorld, restoreDocuments, setDuplicateIds } = usePoolStore.getState();
  // The size this pool was chunked with (a changed setting re-chunks it; App.tsx).
  const setting = useConfigStore((s) => selectBuiltConfig(s).config?.['data.chunk_tokens'] ?? 512);
  const chunkTokens = docs.chunkTokens ?? setting;

  useEffect(() => {
    if (usePoolStore.getState().docs.status !== 'empty') return;
    void restoreDocuments().then(async () => {
      const { source, world } = usePoolStore.getState().docs;
      // Saved model choices win: the user may have paired this pool with other anchors on purpose.
      const modelsRestored = await useModelsStore.getState().restoreModels();
      if (!modelsRestored && source === 'builtin' && world !== null) useModelsStore.getState().followWorld(world);
    });
  }, [restoreDocuments]);

  const chooseWorld = (world: BuiltinWorld): void => {
    void chooseBuiltinWorld(world);
    useModelsStore.getState().followWorld(world);
  };
  const pool = docs.pool;
  const sizes = pool === null ? null : documentSizes(pool.documents);
  return (
    <section className="panel" aria-labelledby="pool-heading">
      <h2 id="pool-heading">Documents</h2>
      <p className="doc">The Generator writes questions from these. Files: .json (documents.json rows), .jsonl, .txt, .md, .pdf.</p>
      <DropZone
        label="Document pool" folderLabel="Folder of documents" accept=".json,.jsonl,.txt,.md,.markdown,.pdf"
        hint="Folders are read recursively." onFiles={(files) => void loadDocuments(files, 'files')}
      />
      <div className="row">
        <button type="button" onClick={() => chooseWorld('single')} aria-pressed={docs.source === 'builtin' && docs.world === 'single'}>
          Use built-in pool
        </button>
        <button
          type="button" onClick={() => chooseWorld('mixed')} aria-pressed={docs.source === 'builtin' && docs.world === 'mixed'}
          title="The same problems, two or three question types per document, so the Generator chooses what to ask. Built-in anchors switch to the ones trained on it."
        >
          Use built-in pool with mixed question types
        </button>
        <button
          type="button" onClick={() => chooseWorld('results')} aria-pressed={docs.source === 'builtin' && docs.world === 'results'}
          title="The mixed pool with each arithmetic result also stated, so the Generator can copy a right answer to a sum. Built-in anchors switch to the ones trained on it."
        >
          Use built-in pool with sums stated
        </button>
        <button
          type="button" onClick={() => chooseWorld('ranked')} aria-pressed={docs.source === 'builtin' && docs.world === 'ranked'}
          title="The sums-stated pool rewritten so that a numeric question's right number stands at a randomly drawn place among its choices (largest, second, …), with its own target set. Built-in anchors and a built-in target set switch to it."
        >
          Use built-in pool with numbers at drawn places
        </button>
        <label className="inline">
          <input type="checkbox" checked={duplicateIds === 'suffix'} onChange={(e) => setDuplicateIds(e.target.checked ? 'suffix' : 'error')} />
          Rename duplicate doc_ids (#2, #3…)
        </label>
      </div>
      <p role="status" className={docs.status === 'error' ? 'message error' : 'message'}>
        {docs.status === 'loading' && 'Loading the pool…'}
        {docs.status === 'ready' && `${docs.source === 'builtin' ? `Built-in pool (${BUILTIN_WORLDS[docs.world ?? 'single'].label})` : 'Your files'}: ${pool?.documents.length} documents.`}
        {docs.message}
      </p>
      {pool !== null && sizes !== null && (
        <>
          <dl className="facts">
            <dt>Documents</dt><dd>{sizes.count}</dd>
            <dt>Characters</dt><dd>{sizes.totalChars.toLocaleString('en-US')} in all; per document min {sizes.minChars}, median {sizes.medianChars}, max {sizes.maxChars}</dd>
            <dt>Chunking</dt>
            <dd>
              JSON and JSONL: one document per row. Text and Markdown: split at blank lines (Markdown also before headings),
              merged up to {chunkTokens} tokens (<code>data.chunk_tokens</code>; changing it re-chunks them), pieces under
              {' '}{MIN_CHUNK_TOKENS} tokens joined to the next; tokens are estimated at 4 characters each (the CLI counts
              them with the Generator&apos;s tokenizer). PDF: its text (pages a paragraph apart), chunked like a text file.
            </dd>
          </dl>
          <ul className="files" aria-label="Pool files">
            {pool.files.map((f) => (
              <li key={f.name}>
                <code>{f.name}</code> {kib(f.bytes)} → {f.kind === 'rejected' ? 'rejected' : `${f.documents} ${f.kind === 'rows' ? 'rows' : 'chunks'}`}
              </li>
            ))}
          </ul>
          <ul className="doc-preview" aria-label="First documents">
            {pool.documents.slice(0, PREVIEW_DOCS).map((d) => (
              <li key={d.doc_id}><code>{d.doc_id}</code> <span className="muted">({d.content.length} chars)</span> {d.content.slice(0, 140)}</li>
            ))}
          </ul>
          {pool.warnings.map((w) => <p key={w} className="message warn">{w}</p>)}
          <RejectedList title="Rejected files and rows" items={pool.rejected} />
        </>
      )}
    </section>
  );
}
