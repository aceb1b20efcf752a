// A small, strict flag parser: `--name value`, `--name=value`, boolean `--flag`. Unknown flags are
// errors that name the flag, so a typo never silently runs with a default.

export interface FlagSpec {
  [name: string]: 'string' | 'number' | 'boolean' | 'list';
}

export type Flags = Record<string, string | number | boolean | string[] | undefined>;

export function parseFlags(argv: string[], spec: FlagSpec, command: string): Flags {
  const out: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}' (see infuser-lab ${command} --help)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new Error(`unknown option --${name} (see infuser-lab ${command} --help)`);
    if (kind === 'boolean') {
      out[name] = eq < 0 ? true : arg.slice(eq + 1) !== 'false';
      continue;
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${value}'`);
      out[name] = n;
    } else if (kind === 'list') {
      out[name] = [...((out[name] as string[] | undefined) ?? []), value];
    } else out[name] = value;
  }
  return out;
}

export function required<T>(flags: Flags, name: string, command: string): T {
  const v = flags[name];
  if (v === undefined) throw new Error(`--${name} is required (see infuser-lab ${command} --help)`);
  return v as T;
}
