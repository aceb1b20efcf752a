// The draft config's non-default keys as a URL hash (`#training.seed=7&influence.mode=projected`), so a
// link reproduces a setup (Playground's state-in-the-URL). Values use the CLI's `--key=value` syntax and
// parser, so the hash, the CLI and saved JSON agree. Called by stores/config.ts.
import {
  CONFIG_KEYS, defaultConfig, parseCliOverride, type ConfigKey, type ConfigValue, type RunConfig,
} from '../infuser/config.ts';

export type Overrides = Partial<Record<ConfigKey, ConfigValue>>;

/** A value in CLI syntax: numbers as JS prints them, pairs as `a,b`. */
export function formatValue(value: ConfigValue): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

export function sameValue(a: ConfigValue, b: ConfigValue): boolean {
  return formatValue(a) === formatValue(b);
}

/** Drops overrides equal to the default; keys keep schema order. */
export function nonDefault(overrides: Overrides, defaults: RunConfig = defaultConfig()): Overrides {
  const out: Overrides = {};
  for (const key of CONFIG_KEYS) {
    const value = overrides[key];
    if (value !== undefined && !sameValue(value, defaults[key])) (out as Record<string, ConfigValue>)[key] = value;
  }
  return out;
}

/** `key=value&…` for the non-default keys, in schema order; '' when all are defaults. */
export function overridesToHash(overrides: Overrides): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(nonDefault(overrides))) params.set(key, formatValue(value as ConfigValue));
  return params.toString();
}

/** Reads a hash back; a bad entry is reported and skipped, the rest still apply. */
export function hashToOverrides(hash: string): { overrides: Overrides; errors: string[] } {
  const overrides: Overrides = {};
  const errors: string[] = [];
  for (const [key, raw] of new URLSearchParams(hash.replace(/^#/, ''))) {
    try {
      const parsed = parseCliOverride(`--${key}=${raw}`);
      (overrides as Record<string, ConfigValue>)[parsed.key] = parsed.value;
    } catch (error) {
      errors.push(`URL hash: ${(error as Error).message}`);
    }
  }
  return { overrides, errors };
}
