// One results folder from the runs of several experiment folders (more seeds run later, an arm added in
// another folder; docs/experiment.md items 21–22). Runs merge only when every setting that shapes a run
// agrees: two folders that differ in iterations, overrides, pool, model, target or held-out file hold
// runs of different experiments, and one table over them would compare unlike things.
import type { ExperimentSettings } from './settings.ts';
import { ALL_METHODS } from './methods.ts';

export interface SourceFolder {
  dir: string;
  settings: ExperimentSettings;
}

// Settings a folder fixes for all its runs; methods and seeds are what a merge unites.
const SHARED_KEYS = ['iterations', 'heldout', 'checkLabels', 'overrides', 'pool', 'model', 'dev', 'heldoutFile'] as const;

// Object keys sorted, so that two settings written in another key order still compare equal.
function canonical(v: unknown): string {
  if (v === undefined) return 'absent';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

/** The settings of the merged folder: the sources' shared settings, their methods and seeds united. Throws naming the first setting two folders disagree on. */
export function mergeSettings(sources: readonly SourceFolder[]): ExperimentSettings {
  if (sources.length < 2) throw new Error('merge experiments: name at least two source folders');
  const [first] = sources;
  for (const s of sources.slice(1)) {
    for (const key of SHARED_KEYS) {
      const a = canonical(first.settings[key]);
      const b = canonical(s.settings[key]);
      if (a !== b) throw new Error(`merge experiments: ${first.dir} and ${s.dir} differ in ${key} (${a} against ${b}); their runs are not one experiment`);
    }
  }
  const methods = new Set(sources.flatMap((s) => s.settings.methods));
  const seeds = [...new Set(sources.flatMap((s) => s.settings.seeds))].sort((a, b) => a - b);
  return { ...first.settings, methods: ALL_METHODS.filter((m) => methods.has(m)), seeds };
}

export interface RunCopy {
  /** File name under runs/ ("infuser-seed3.json"). */
  file: string;
  from: string;
}

/**
 * Which folder each run file is taken from: the first source that has it. A run found in two folders must
 * be byte-identical in both (a run copied in earlier); `same(file, dirA, dirB)` says whether it is.
 */
export function planCopies(
  sources: readonly { dir: string; files: readonly string[] }[],
  same: (file: string, a: string, b: string) => boolean,
): RunCopy[] {
  const taken = new Map<string, string>();
  for (const s of sources) {
    for (const file of s.files) {
      const earlier = taken.get(file);
      if (earlier === undefined) taken.set(file, s.dir);
      else if (!same(file, earlier, s.dir)) {
        throw new Error(`merge experiments: runs/${file} differs between ${earlier} and ${s.dir}; keep one of them out of the merge`);
      }
    }
  }
  return [...taken].map(([file, from]) => ({ file, from })).sort((a, b) => a.file.localeCompare(b.file));
}
