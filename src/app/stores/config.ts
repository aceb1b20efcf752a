// useConfigStore: the draft RunConfig as overrides on the defaults (spec order: defaults → preset →
// overrides), with per-field input errors. The built config is a memoised selector. The non-default keys
// mirror the URL hash (config-hash.ts). Read by SettingsPanel and RunControls (which freezes it at start).
import { create } from 'zustand';
import {
  buildConfig, parseCliOverride, type ConfigKey, type ConfigValue, type RunConfig,
} from '../../infuser/config.ts';
import { hashToOverrides, nonDefault, overridesToHash, type Overrides } from '../config-hash.ts';

interface ConfigState {
  overrides: Overrides;
  /** Inputs that did not parse or broke a rule, with the raw text the user typed. */
  fieldErrors: Partial<Record<ConfigKey, { raw: string; message: string }>>;
  /** Problems with the URL hash met at load. */
  hashErrors: string[];
  setField: (key: ConfigKey, raw: string | boolean) => void;
  resetField: (key: ConfigKey) => void;
  resetAll: () => void;
  loadHash: (hash: string) => void;
}

export const useConfigStore = create<ConfigState>((set, get) => ({
  overrides: {},
  fieldErrors: {},
  hashErrors: [],
  setField: (key, raw) => {
    const { [key]: _old, ...fieldErrors } = get().fieldErrors;
    try {
      const value = typeof raw === 'boolean' ? raw : parseCliOverride(`--${key}=${raw}`).value;
      const overrides = nonDefault({ ...get().overrides, [key]: value });
      buildConfig({ overrides }); // cross-field rules
      set({ overrides, fieldErrors });
    } catch (error) {
      set({ fieldErrors: { ...fieldErrors, [key]: { raw: String(raw), message: (error as Error).message } } });
    }
  },
  resetField: (key) => {
    const { [key]: _value, ...overrides } = get().overrides;
    const { [key]: _error, ...fieldErrors } = get().fieldErrors;
    set({ overrides, fieldErrors });
  },
  resetAll: () => set({ overrides: {}, fieldErrors: {} }),
  loadHash: (hash) => {
    const { overrides, errors } = hashToOverrides(hash);
    try {
      buildConfig({ overrides });
      set({ overrides: nonDefault(overrides), hashErrors: errors, fieldErrors: {} });
    } catch (error) {
      set({ overrides: {}, hashErrors: [...errors, `URL hash: ${(error as Error).message}`] });
    }
  },
}));

let lastOverrides: Overrides | null = null;
let lastBuilt: { config: RunConfig | null; error: string | null } = { config: null, error: null };

/** The draft config built from the overrides, or the rule it breaks. */
export function selectBuiltConfig(s: { overrides: Overrides }): { config: RunConfig | null; error: string | null } {
  if (s.overrides !== lastOverrides) {
    lastOverrides = s.overrides;
    try {
      lastBuilt = { config: buildConfig({ overrides: s.overrides }), error: null };
    } catch (error) {
      lastBuilt = { config: null, error: (error as Error).message };
    }
  }
  return lastBuilt;
}

/** Keeps `location.hash` in step with the overrides; returns the unsubscribe. */
export function syncConfigHash(win: Window = window): () => void {
  return useConfigStore.subscribe((s, previous) => {
    if (s.overrides === previous.overrides) return;
    const hash = overridesToHash(s.overrides);
    win.history.replaceState(null, '', hash === '' ? win.location.pathname + win.location.search : `#${hash}`);
  });
}
