// One RunConfig field from CONFIG_SCHEMA: typed input, its one-line doc, the default, and a reset.
// Text inputs commit on blur or Enter, so half-typed numbers ("1e-") are not reported as errors.
import { useEffect, useId, useState } from 'react';
import { CONFIG_SCHEMA, defaultConfig, type ConfigKey } from '../../infuser/config.ts';
import { formatValue } from '../config-hash.ts';
import { useConfigStore } from '../stores/config.ts';

const DEFAULTS = defaultConfig();

export function SettingField({ name, settingKey }: { name: string; settingKey: ConfigKey }) {
  const id = useId();
  const spec = CONFIG_SCHEMA[settingKey];
  const override = useConfigStore((s) => s.overrides[settingKey]);
  const error = useConfigStore((s) => s.fieldErrors[settingKey]);
  const { setField, resetField } = useConfigStore.getState();
  const value = override ?? DEFAULTS[settingKey];
  const [text, setText] = useState(formatValue(value));
  useEffect(() => setText(error?.raw ?? formatValue(value)), [value, error]);

  const describedBy = `${id}-doc${error ? ` ${id}-err` : ''}`;
  let input;
  if (spec.kind === 'boolean') {
    input = <input id={id} type="checkbox" checked={value === true} aria-describedby={describedBy} onChange={(e) => setField(settingKey, e.target.checked)} />;
  } else if (spec.kind === 'enum') {
    input = (
      <select id={id} value={String(value)} aria-describedby={describedBy} onChange={(e) => setField(settingKey, e.target.value)}>
        {spec.values.map((v) => <option key={v} value={v}>{v}</option>)}
      </select>
    );
  } else {
    input = (
      <input
        id={id} type="text" inputMode="decimal" value={text} aria-invalid={error !== undefined} aria-describedby={describedBy}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => text !== formatValue(value) && setField(settingKey, text)}
        onKeyDown={(e) => e.key === 'Enter' && setField(settingKey, text)}
      />
    );
  }
  return (
    <div className={override === undefined ? 'field' : 'field changed'}>
      <label htmlFor={id}>{name} <code>{settingKey}</code></label>
      {input}
      {override !== undefined && (
        <button type="button" className="small" onClick={() => resetField(settingKey)} aria-label={`Reset ${name} to ${formatValue(DEFAULTS[settingKey])}`}>
          Reset
        </button>
      )}
      <p id={`${id}-doc`} className="doc">{spec.doc}; default {formatValue(DEFAULTS[settingKey])}</p>
      {error && <p id={`${id}-err`} className="message error">{error.message}</p>}
    </div>
  );
}
