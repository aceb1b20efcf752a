// The target (dev) set whose gradient defines influence (§6.2): reference dev-pool JSON or JSONL, built-in
// by default. Files whose ground truth reads differently as text and as a letter wait for the user to pick
// a convention (§10.1). State in stores/pool.ts.
import { useEffect } from 'react';
import type { GroundTruthConvention } from '../../data/dev-pool.ts';
import { BUILTIN_WORLDS, type BuiltinWorld } from '../builtin-worlds.ts';
import { selectBuiltConfig, useConfigStore } from '../stores/config.ts';
import { usePoolStore } from '../stores/pool.ts';
import { DropZone } from './DropZone.tsx';
import { RejectedList } from './RejectedList.tsx';

/** Names a built-in world whose target set is its own, not the shared one. */
const ownSet = (world: BuiltinWorld | null): string =>
  world !== null && BUILTIN_WORLDS[world].devUrl !== BUILTIN_WORLDS.single.devUrl ? ` (${BUILTIN_WORLDS[world].label})` : '';

export function DevSetPanel() {
  const dev = usePoolStore((s) => s.dev);
  // The built-in target set that belongs with the pool in use (the ranked world has its own).
  const poolWorld = usePoolStore((s) => (s.docs.source === 'builtin' ? s.docs.world : null)) ?? 'single';
  const conventions = usePoolStore((s) => s.conventions);
  const { loadDev, loadBuiltinDev, restoreDev, setConvention } = usePoolStore.getState();
  const poolSize = useConfigStore((s) => selectBuiltConfig(s).config?.['data.dev_pool_size'] ?? 64);

  useEffect(() => {
    if (usePoolStore.getState().dev.status === 'empty') void restoreDev();
  }, [restoreDev]);

  const result = dev.result;
  const ambiguousFiles = result === null ? [] : result.unconfirmedFiles;
  return (
    <section className="panel" aria-labelledby="dev-heading">
      <h2 id="dev-heading">Target set</h2>
      <p className="doc">Multiple-choice dev questions; the Solver&apos;s gradient on them is what influence aligns with.</p>
      <DropZone label="Dev set" accept=".json,.jsonl" hint="Reference dev-pool JSON or JSONL." onFiles={(f) => loadDev(f, 'files')} />
      <div className="row">
        <button type="button" onClick={() => void loadBuiltinDev(poolWorld)} aria-pressed={dev.source === 'builtin'}>Use built-in target set</button>
      </div>
      <p role="status" className={dev.status === 'error' ? 'message error' : 'message'}>
        {dev.status === 'loading' && 'Loading the target set…'}
        {dev.status === 'ready' && result !== null
          && `${dev.source === 'builtin' ? `Built-in set${ownSet(dev.world)}` : 'Your files'}: ${result.questions.length} questions; the run uses the first ${Math.min(poolSize, result.questions.length)}.`}
        {dev.message}
      </p>
      {ambiguousFiles.map((file) => (
        <fieldset key={file} className="ambiguous">
          <legend>
            <code>{file}</code>: {result?.ambiguous.filter((a) => a.file === file).length} rows name one choice by text and another by letter.
            Which does ground_truth mean?
          </legend>
          {(['text', 'letter'] as GroundTruthConvention[]).map((c) => (
            <label key={c} className="inline">
              <input type="radio" name={`gt-${file}`} checked={conventions[file] === c} onChange={() => setConvention(file, c)} />
              {c === 'text' ? 'the choice text' : 'a letter (reference behaviour)'}
            </label>
          ))}
        </fieldset>
      ))}
      {result !== null && (
        <>
          {result.warnings.length > 0 && (
            <details><summary>Warnings ({result.warnings.length})</summary><ul>{result.warnings.map((w) => <li key={w}>{w}</li>)}</ul></details>
          )}
          <RejectedList title="Rejected files and rows" items={result.rejected} />
          <RejectedList title="Skipped rows (no choices)" items={result.skipped} />
        </>
      )}
    </section>
  );
}
