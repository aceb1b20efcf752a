// The models both roles start from: a built-in world's anchors (default, one click back) or a dropped Hugging
// Face folder per role (the Solver shares the Generator's by default). Shows each model's architecture,
// parameter count and training memory estimate against the adapter's limits, and refuses clearly when
// it cannot fit. State in stores/models.ts; the estimate in model-fit.ts.
import { useEffect } from 'react';
import { deviceBudget } from '../model-fit.ts';
import { isModelFilePath, pickModelFolder } from '../model-files.ts';
import { formatBytes, type MemoryEstimate } from '../../model/model-memory.ts';
import { BUILTIN_WORLDS } from '../builtin-worlds.ts';
import { useGpuStore } from '../gpu-store.ts';
import type { Role } from '../run-driver.ts';
import { selectBuiltConfig, useConfigStore } from '../stores/config.ts';
import { checkModels, selectRoleEntries, useModelsStore, type ModelEntry } from '../stores/models.ts';
import { DropZone } from './DropZone.tsx';

const TITLE: Record<Role, string> = { generator: 'Generator', solver: 'Solver' };

const MEMORY_ROWS: [string, keyof MemoryEstimate][] = [
  ['Weights', 'weightsBytes'], ['Gradients', 'gradsBytes'], ['AdamW m, v', 'adamBytes'], ['KL reference', 'referenceBytes'], ['Activations', 'activationsBytes'], ['Total', 'totalBytes'],
];

/** 134_515_008 → "134.5 M". */
function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

function ModelFacts({ entry }: { entry: ModelEntry }) {
  const info = entry.info;
  if (info === null) return null;
  const c = info.config;
  return (
    <dl className="facts">
      <dt>Architecture</dt><dd>{c.architecture}</dd>
      <dt>Shape</dt>
      <dd>{c.numHiddenLayers} layers, hidden {c.hiddenSize}, MLP {c.intermediateSize}, {c.numAttentionHeads} heads ({c.numKeyValueHeads} KV, dim {c.headDim}), vocabulary {c.vocabSize}</dd>
      <dt>Parameters</dt><dd>{formatCount(info.parameters)} ({info.parameters.toLocaleString('en-US')})</dd>
      <dt>Tokenizer</dt><dd>{info.tokenizerTokens.toLocaleString('en-US')} tokens{info.hasChatTemplate ? ', chat template' : ', no chat template (plain prompts)'}</dd>
    </dl>
  );
}

function RoleModel({ role, title }: { role: Role; title: string }) {
  const entry = useModelsStore((s) => s[role]);
  const { chooseBuiltin, chooseFolder, refuse } = useModelsStore.getState();
  const onPicked = (picked: Parameters<typeof pickModelFolder>[0]) => {
    try {
      void chooseFolder(role, pickModelFolder(picked));
    } catch (error) {
      refuse(role, 'picked files', (error as Error).message);
    }
  };
  const source = entry.choice.kind === 'builtin' ? `Built-in anchors (${BUILTIN_WORLDS[entry.choice.world].label})` : `Your folder "${entry.choice.name}"`;
  const builtinWorld = entry.choice.kind === 'builtin' ? entry.choice.world : null;
  return (
    <fieldset className="model-role">
      <legend>{title}</legend>
      <DropZone
        label={`${TITLE[role]} model files`} folderLabel={`${TITLE[role]} model folder`} accept=".json,.safetensors,.jinja"
        keep={isModelFilePath} hint="A Hugging Face folder: config.json, model.safetensors, tokenizer.json." onPicked={onPicked}
      />
      <div className="row">
        <button type="button" onClick={() => void chooseBuiltin(role, 'single')} aria-pressed={builtinWorld === 'single'}>
          Use built-in anchors<span className="visually-hidden"> for the {TITLE[role]}</span>
        </button>
        <button type="button" onClick={() => void chooseBuiltin(role, 'mixed')} aria-pressed={builtinWorld === 'mixed'}>
          Use mixed-types anchors<span className="visually-hidden"> for the {TITLE[role]}</span>
        </button>
        <button type="button" onClick={() => void chooseBuiltin(role, 'results')} aria-pressed={builtinWorld === 'results'}>
          Use sums-stated anchors<span className="visually-hidden"> for the {TITLE[role]}</span>
        </button>
        <button type="button" onClick={() => void chooseBuiltin(role, 'ranked')} aria-pressed={builtinWorld === 'ranked'}>
          Use drawn-places anchors<span className="visually-hidden"> for the {TITLE[role]}</span>
        </button>
      </div>
      <p role="status" className={entry.status === 'error' ? 'message error' : 'message'}>
        {source}: {entry.status === 'loading' ? 'reading…' : entry.status === 'ready' ? 'ready.' : entry.message}
      </p>
      <ModelFacts entry={entry} />
    </fieldset>
  );
}

function MemoryTable() {
  const models = useModelsStore();
  const config = useConfigStore((s) => selectBuiltConfig(s).config);
  const gpu = useGpuStore((s) => s.gpu);
  const budget = gpu.status === 'ready' ? deviceBudget(gpu.limits, globalThis.navigator as { deviceMemory?: number }) : null;
  const check = checkModels(selectRoleEntries(models), config, budget);
  if (check.footprints.length === 0) return check.blocker ? <p className="message error">{check.blocker}</p> : null;
  return (
    <>
      <table aria-label="Training memory estimate">
        <caption>Training memory estimate (f32)</caption>
        <thead>
          <tr>
            <th scope="col">Per role</th>
            {check.footprints.map((f) => <th key={f.role} scope="col">{TITLE[f.role]} <span className="muted">({f.seqLen} tokens)</span></th>)}
          </tr>
        </thead>
        <tbody>
          {MEMORY_ROWS.filter(([, key]) => key !== 'referenceBytes' || check.footprints.some((f) => f.estimate.referenceBytes > 0)).map(([label, key]) => (
            <tr key={key}>
              <th scope="row">{label}</th>
              {check.footprints.map((f) => <td key={f.role}>{formatBytes(f.estimate[key])}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      {budget === null
        ? <p className="message">Limits are checked once the WebGPU adapter is known.</p>
        : (
          <p className="doc">
            Both roles: {formatBytes(check.verdict!.totalBytes)}. Adapter: maxBufferSize {formatBytes(budget.maxBufferSize)},
            maxStorageBufferBindingSize {formatBytes(budget.maxStorageBufferBindingSize)}
            {budget.deviceMemoryGiB === null ? '; device memory not reported' : `; device memory ${budget.deviceMemoryGiB} GiB`}.
          </p>
        )}
      {check.verdict?.problems.map((p) => <p key={p} className="message error" role="alert">{p}</p>)}
      {check.verdict?.warnings.map((w) => <p key={w} className="message warn">{w}</p>)}
      {check.verdict?.fits && <p className="message">These models fit this adapter&apos;s buffer limits.</p>}
    </>
  );
}

export function ModelsPanel() {
  const isShared = useModelsStore((s) => s.isShared);
  const restoreProblem = useModelsStore((s) => s.restoreProblem);
  const { chooseBuiltin, setShared, restoreModels } = useModelsStore.getState();
  useEffect(() => {
    void restoreModels().then((restored) => {
      if (restored) return;
      const s = useModelsStore.getState();
      // Inspect the built-in anchors once, for whichever role still has them unread.
      for (const role of ['generator', 'solver'] as const) {
        const choice = s[role].choice;
        if (choice.kind === 'builtin' && s[role].status === 'loading' && s[role].info === null) void chooseBuiltin(role, choice.world);
      }
    });
  }, [chooseBuiltin, restoreModels]);
  return (
    <section className="panel models" aria-labelledby="models-heading">
      <h2 id="models-heading">Models</h2>
      <p className="doc">The weights each role starts from. Drop a Hugging Face folder (config.json, model.safetensors or its shards, tokenizer.json, tokenizer_config.json) of a Llama, Qwen2 or Qwen3 model.</p>
      {restoreProblem && <p className="message error" role="alert">{restoreProblem}</p>}
      <RoleModel role="generator" title={isShared ? 'Generator and Solver' : 'Generator'} />
      <label className="inline">
        <input type="checkbox" checked={isShared} onChange={(e) => setShared(e.target.checked)} />
        The Solver starts from the Generator&apos;s model
      </label>
      {!isShared && <RoleModel role="solver" title="Solver" />}
      <MemoryTable />
    </section>
  );
}
