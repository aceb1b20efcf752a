// One-time, per-adapter choice among an op's kernel variants. An op describes itself as a Tunable
// (ops/matmul.ts exports MATMUL_TUNABLE) and asks `chosenVariant` on every launch: a forced override
// first, then the tuned choice held in memory, else the op's fallback for the adapter. `autotune`
// fills the memory cache from a persistent TuneStore (localStorage in pages, a JSON file under
// ~/.cache/infuser-lab in node) or, when nothing is stored, by timing every variant on the op's
// representative cases (bench/gpu-timer.ts) and storing the fastest.
import { timeDispatch, type TimingMethod } from './bench/gpu-timer.ts';
import type { AdapterSummary } from './device.ts';
import type { Dispatch, Engine } from './engine.ts';

export interface TuneCase {
  label: string;
}

export interface Tunable<V extends string = string> {
  /** Op name, part of the cache key, e.g. 'matmul'. */
  op: string;
  /** Bumped when kernels change, so stored choices are measured again. */
  version: number;
  variants: readonly V[];
  /** The choice before any tuning. */
  fallback(adapter: AdapterSummary): V;
  cases: readonly TuneCase[];
  /** Allocates case i's operands and returns the dispatch to time and a cleanup. */
  prepare(e: Engine, variant: V, caseIndex: number): { dispatch: Dispatch; dispose(): void };
}

export interface TuneRecord {
  op: string;
  version: number;
  adapter: string;
  variant: string;
  method: TimingMethod | 'stored';
  /** Total milliseconds over the cases per variant; absent for a variant that failed to run. */
  timingsMs: Record<string, number>;
  tunedAt: string;
}

/** Persistent storage of tune records by key; reads resolve null when nothing is stored. */
export interface TuneStore {
  read(key: string): Promise<TuneRecord | null>;
  write(key: string, record: TuneRecord): Promise<void>;
}

/** Stable identity of an adapter: vendor/architecture/device/description. */
export function adapterKey(a: AdapterSummary): string {
  return [a.vendor, a.architecture, a.device, a.description].map((s) => s || '-').join('/');
}

const tuneKey = (t: Tunable, e: Engine): string => `${t.op}@v${t.version} ${adapterKey(e.gpu.adapter)}`;

const tuned = new Map<string, string>();
const overrides = new Map<string, string>();

/** Forces a variant for an op on every adapter (null removes the override). */
export function overrideVariant(op: string, variant: string | null): void {
  if (variant === null) overrides.delete(op);
  else overrides.set(op, variant);
}

/** Forgets every tuned choice held in memory (stores are untouched). */
export function clearTuned(): void {
  tuned.clear();
}

/** The variant an op should launch now on this engine's adapter. */
export function chosenVariant<V extends string>(e: Engine, t: Tunable<V>): V {
  const forced = overrides.get(t.op);
  if (forced !== undefined) {
    if (!t.variants.includes(forced as V)) {
      throw new Error(`autotune: override '${forced}' is not a ${t.op} variant (have ${t.variants.join(', ')})`);
    }
    return forced as V;
  }
  return (tuned.get(tuneKey(t, e)) as V | undefined) ?? t.fallback(e.gpu.adapter);
}

export interface AutotuneOptions {
  /** Where choices persist; defaultStore() when omitted, null for memory only. */
  store?: TuneStore | null;
  /** Measure even when a choice is cached or stored. */
  retune?: boolean;
  /** Timed runs per case and variant. */
  repeat?: number;
  /** Use wall clock even where timestamp-query exists (tests compare the two). */
  wallClock?: boolean;
}

/** Ensures a tuned choice for op t on e's adapter: cached, stored, or measured now. */
export async function autotune<V extends string>(e: Engine, t: Tunable<V>, opts: AutotuneOptions = {}): Promise<TuneRecord> {
  const key = tuneKey(t, e);
  const store = opts.store === undefined ? await defaultStore() : opts.store;
  if (!opts.retune) {
    const stored = await store?.read(key);
    if (stored && t.variants.includes(stored.variant as V)) {
      tuned.set(key, stored.variant);
      return { ...stored, method: 'stored' };
    }
  }
  const timingsMs: Record<string, number> = {};
  let method: TimingMethod = 'wall-clock';
  for (const v of t.variants) {
    try {
      let total = 0;
      for (let i = 0; i < t.cases.length; i++) {
        const { dispatch, dispose } = t.prepare(e, v, i);
        try {
          const r = await timeDispatch(e, dispatch, { repeat: opts.repeat ?? 3, timestamps: !opts.wallClock });
          total += r.ms;
          method = r.method;
        } finally {
          dispose();
        }
      }
      timingsMs[v] = total;
    } catch {
      // A variant this adapter cannot compile or run is simply not a candidate.
    }
  }
  const ranked = Object.entries(timingsMs).sort((x, y) => x[1] - y[1]);
  if (!ranked.length) throw new Error(`autotune ${t.op}: no variant ran on ${adapterKey(e.gpu.adapter)}`);
  const record: TuneRecord = {
    op: t.op, version: t.version, adapter: adapterKey(e.gpu.adapter), variant: ranked[0][0],
    method, timingsMs, tunedAt: new Date().toISOString(),
  };
  tuned.set(key, record.variant);
  await store?.write(key, record);
  return record;
}

// ---- stores ------------------------------------------------------------------------------------

/** Memory only: for workers, tests and the bench. */
export function memoryStore(): TuneStore {
  const m = new Map<string, TuneRecord>();
  return {
    read: async (k) => m.get(k) ?? null,
    write: async (k, r) => void m.set(k, r),
  };
}

/** Browser pages: one localStorage entry per key. */
export function localStorageStore(storage: Pick<Storage, 'getItem' | 'setItem'>, prefix = 'infuser-lab:autotune:'): TuneStore {
  return {
    read: async (k) => parseRecord(storage.getItem(prefix + k)),
    write: async (k, r) => storage.setItem(prefix + k, JSON.stringify(r)),
  };
}

function validRecord(r: unknown): TuneRecord | null {
  return typeof (r as TuneRecord | null)?.variant === 'string' ? (r as TuneRecord) : null;
}

function parseRecord(text: string | null | undefined): TuneRecord | null {
  if (!text) return null;
  try {
    return validRecord(JSON.parse(text));
  } catch {
    return null; // a corrupt entry is re-measured and overwritten
  }
}

/** Node: every record in one JSON object at `path` (default ~/.cache/infuser-lab/autotune.json). */
export function fileStore(path?: string): TuneStore {
  // Computed specifiers keep node modules out of the browser bundle.
  const nodeImport = (m: string): Promise<Record<string, unknown>> => import(/* @vite-ignore */ `node:${m}`);
  const resolvePath = async (): Promise<string> => {
    if (path) return path;
    const os = (await nodeImport('os')) as { homedir(): string };
    return `${os.homedir()}/.cache/infuser-lab/autotune.json`;
  };
  type Fs = { readFile(p: string, enc: string): Promise<string>; writeFile(p: string, s: string): Promise<void>; mkdir(p: string, o: object): Promise<unknown> };
  const readAll = async (fs: Fs, p: string): Promise<Record<string, TuneRecord>> => {
    try {
      return JSON.parse(await fs.readFile(p, 'utf8')) as Record<string, TuneRecord>;
    } catch {
      return {}; // missing or corrupt: start afresh
    }
  };
  return {
    read: async (k) => {
      const fs = (await nodeImport('fs/promises')) as unknown as Fs;
      return validRecord((await readAll(fs, await resolvePath()))[k] ?? null);
    },
    write: async (k, r) => {
      const fs = (await nodeImport('fs/promises')) as unknown as Fs;
      const p = await resolvePath();
      const all = await readAll(fs, p);
      all[k] = r;
      await fs.mkdir(p.slice(0, p.lastIndexOf('/')), { recursive: true });
      await fs.writeFile(p, JSON.stringify(all, null, 2));
    },
  };
}

/** The cache file in node, localStorage where the page has it, memory only elsewhere (workers). */
export async function defaultStore(): Promise<TuneStore> {
  // node first: recent node versions define a localStorage global that is not the page's.
  if (typeof process !== 'undefined' && !!process.versions?.node) return fileStore();
  const ls = (globalThis as { localStorage?: Storage }).localStorage;
  return ls ? localStorageStore(ls) : memoryStore();
}
