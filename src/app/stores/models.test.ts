import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../infuser/config.ts';
import { tinyModelConfig } from '../../model/random-model.ts';
import { BUILTIN_MODEL } from '../../workers/api.ts';
import { BUILTIN_WORLDS } from '../builtin-worlds.ts';
import { checkModels, selectModelSources, selectRoleEntries, type ModelEntry } from './models.ts';

const cfg = tinyModelConfig('LlamaForCausalLM');
const ready = (name: string): ModelEntry => ({
  choice: { kind: 'files', name, files: [new File(['{}'], 'config.json')] },
  status: 'ready', info: { config: cfg, parameters: 5104, tokenizerTokens: 37, hasChatTemplate: true }, message: null,
});
const builtin: ModelEntry = { choice: { kind: 'builtin', world: 'single' }, status: 'ready', info: ready('b').info, message: null };
const config = buildConfig({ overrides: {} });
const GiB = 2 ** 30;
const budget = { maxBufferSize: GiB, maxStorageBufferBindingSize: GiB, deviceMemoryGiB: 4 };

describe('models store selectors', () => {
  it('the Solver shares the Generator\'s model unless told otherwise', () => {
    const a = ready('a');
    const s = { generator: a, solver: builtin, isShared: true };
    expect(selectRoleEntries(s).solver).toBe(a);
    expect(selectModelSources(s).solver).toEqual({ kind: 'files', files: (a.choice as { files: File[] }).files });
    expect(selectModelSources({ ...s, isShared: false }).solver).toBe(BUILTIN_MODEL);
    const mixed: ModelEntry = { ...builtin, choice: { kind: 'builtin', world: 'mixed' } };
    expect(selectModelSources({ generator: mixed, solver: builtin, isShared: true })).toEqual({
      generator: BUILTIN_WORLDS.mixed.anchors, solver: BUILTIN_WORLDS.mixed.anchors,
    });
  });

  it('blocks a start while a model loads or failed, or when it does not fit; passes when it fits', () => {
    const loading: ModelEntry = { ...builtin, status: 'loading', info: null };
    expect(checkModels({ generator: loading, solver: builtin }, config, budget).blocker).toBe('The Generator model is still loading.');
    const failed: ModelEntry = { ...builtin, status: 'error', info: null, message: 'config.json is missing' };
    expect(checkModels({ generator: builtin, solver: failed }, config, budget).blocker).toBe('Solver model: config.json is missing');
    const fits = checkModels({ generator: builtin, solver: builtin }, config, budget);
    expect(fits.blocker).toBeNull();
    expect(fits.footprints.map((f) => f.role)).toEqual(['generator', 'solver']);
    // 64 positions × 37 logits × 4 B = 9472 B is the largest buffer; a 9000 B binding limit refuses it.
    const tight = checkModels({ generator: builtin, solver: builtin }, config, { ...budget, maxStorageBufferBindingSize: 9000 });
    expect(tight.blocker).toMatch(/^These models cannot train on this adapter\. Generator: .*logits \(64 × 37\).* Solver: /);
  });
});
