// Run settings from CONFIG_SCHEMA: the spec's main knobs grouped up front, every other key under
// "More settings" grouped by its prefix. Non-default values live in the URL hash (stores/config.ts).
import { CONFIG_KEYS, type ConfigKey } from '../../infuser/config.ts';
import { selectBuiltConfig, useConfigStore } from '../stores/config.ts';
import { SettingField } from './SettingField.tsx';

/** The main knobs of issue 6, grouped, with the names people use for them. */
const MAIN_GROUPS: { title: string; fields: [ConfigKey, string][] }[] = [
  { title: 'Run', fields: [['training.seed', 'Seed'], ['training.iterations', 'Iterations']] },
  {
    title: 'Batch',
    fields: [['training.doc_batch_size', 'Documents per iteration'], ['generator.rollout.n', 'Questions per document'],
      ['solver.rollout.n', 'Answers per question'], ['data.dev_pool_size', 'Dev questions']],
  },
  {
    title: 'Lengths',
    fields: [['generator.rollout.response_length', 'Question length (tokens)'], ['solver.rollout.response_length', 'Answer length (tokens)']],
  },
  { title: 'Learning rates', fields: [['generator.actor.optim.lr', 'Generator LR'], ['solver.actor.optim.lr', 'Solver LR']] },
  {
    title: 'Rewards',
    fields: [['training.reward_mode', 'Generator reward (baseline)'], ['algorithm.generator_normalization_mode', 'Generator advantage mode']],
  },
  { title: 'Influence', fields: [['influence.mode', 'Influence mode'], ['influence.similarity_mode', 'Similarity mode']] },
];

const MAIN_KEYS = new Set(MAIN_GROUPS.flatMap((g) => g.fields.map(([k]) => k)));

/** The rest, grouped by the first segment of the key (training, generator, solver, influence…). */
function otherGroups(): [string, ConfigKey[]][] {
  const groups = new Map<string, ConfigKey[]>();
  for (const key of CONFIG_KEYS) {
    if (MAIN_KEYS.has(key)) continue;
    const prefix = key.split('.')[0];
    groups.set(prefix, [...(groups.get(prefix) ?? []), key]);
  }
  return [...groups];
}

const leafName = (key: string): string => key.split('.').slice(1).join(' ').replace(/_/g, ' ');

export function SettingsPanel() {
  const overrideCount = useConfigStore((s) => Object.keys(s.overrides).length);
  const hashErrors = useConfigStore((s) => s.hashErrors);
  const configError = useConfigStore((s) => selectBuiltConfig(s).error);
  const resetAll = useConfigStore((s) => s.resetAll);
  return (
    <section className="panel settings" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <p className="doc">
        {overrideCount === 0 ? 'All defaults.' : `${overrideCount} changed from the defaults; the page address holds them, so a link reproduces this setup.`}
        {overrideCount > 0 && <button type="button" className="small" onClick={resetAll}>Reset all</button>}
      </p>
      {hashErrors.map((e) => <p key={e} className="message error">{e}</p>)}
      {configError && <p className="message error">{configError}</p>}
      <div className="groups">
        {MAIN_GROUPS.map((g) => (
          <fieldset key={g.title}>
            <legend>{g.title}</legend>
            {g.fields.map(([key, name]) => <SettingField key={key} settingKey={key} name={name} />)}
          </fieldset>
        ))}
      </div>
      <details>
        <summary>More settings</summary>
        <div className="groups">
          {otherGroups().map(([prefix, keys]) => (
            <fieldset key={prefix}>
              <legend>{prefix}</legend>
              {keys.map((key) => <SettingField key={key} settingKey={key} name={leafName(key)} />)}
            </fieldset>
          ))}
        </div>
      </details>
    </section>
  );
}
