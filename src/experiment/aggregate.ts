// From per-(method, seed, iteration) rows to what the results table reports: mean ± std over seeds at
// every iteration, the final iteration with its gain over iteration 0 and its paired difference to the
// fixed generator (same seeds), and the drift of the generated questions' topic / type mix between the
// first and the last iteration, and the final Solvers on the held-out dev questions. Std is the sample
// standard deviation over seeds (divisor n − 1; 0 for one seed).
import { kindOf, rightLabelShare, type HeldoutSummary, type HeldoutTally, type IterationSummary } from './iteration-summary.ts';
import { ALL_METHODS, generates, METHOD_INFO, type Method } from './methods.ts';

export interface Stat {
  mean: number;
  std: number;
  n: number;
}

/** Mean and sample std; null for no values. */
export function stat(xs: readonly number[]): Stat | null {
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { mean, std: xs.length > 1 ? Math.sqrt(ss / (xs.length - 1)) : 0, n: xs.length };
}

export interface IterationAggregate {
  method: Method;
  iteration: number;
  target_accuracy: Stat;
  frac_valid_questions: Stat | null;
  gen_accuracy: Stat | null;
  /** Share of valid generated questions whose kind is one the dev set tests. */
  dev_kind_share: Stat | null;
  /** Share of valid generated questions whose golden answer the world's label check finds right. */
  right_labels: Stat | null;
}

export interface MethodFinal {
  method: Method;
  iteration: number;
  target_accuracy: Stat;
  /** Final minus iteration-0 target accuracy, per seed. */
  target_gain: Stat;
  /** Final target accuracy minus the fixed generator's on the same seed; null without fixed runs. */
  vs_fixed: Stat | null;
  /** Per-seed means over all iterations. */
  frac_valid_questions: Stat | null;
  gen_accuracy: Stat | null;
  right_labels: Stat | null;
}

/** Shares of valid generated questions by kind, topic and type, pooled over seeds. */
export interface Mix {
  count: number;
  kinds: Record<string, number>;
  topics: Record<string, number>;
  types: Record<string, number>;
  dev_kind_share: number | null;
}

export interface MixDrift {
  method: Method;
  first: Mix;
  last: Mix;
}

/** The final Solvers on the held-out dev questions. */
export interface HeldoutAggregate {
  method: Method;
  accuracy: Stat;
  /** Minus the untrained Solver's on the same seed (same questions and keys): the training effect. */
  vs_base: Stat | null;
  /** Minus the fixed generator's on the same seed. */
  vs_fixed: Stat | null;
  /** Correct / total per kind, pooled over seeds. */
  by_kind: Record<string, number>;
  /** The same for the greedy answers. */
  greedy: { accuracy: Stat; vs_base: Stat | null; vs_fixed: Stat | null; by_kind: Record<string, number> };
  /** Minus its control method's (METHOD_INFO.control) on the same seed, sampled and greedy; null without one. */
  vs_control: { method: Method; sampled: Stat | null; greedy: Stat | null } | null;
}

export interface ExperimentResults {
  methods: Method[];
  seeds: number[];
  /** Kinds "topic/question_type" the dev set tests. */
  dev_kinds: string[];
  iterations: IterationAggregate[];
  finals: MethodFinal[];
  mix: MixDrift[];
  heldout: HeldoutAggregate[];
}

const numbers = (xs: readonly (number | null)[]): number[] => xs.filter((x): x is number => x !== null);

function devKindShare(row: IterationSummary, devKinds: ReadonlySet<string>): number | null {
  const counts = Object.entries(row.kind_counts);
  const total = counts.reduce((s, [, c]) => s + c, 0);
  if (total === 0) return null;
  return counts.reduce((s, [k, c]) => s + (devKinds.has(k) ? c : 0), 0) / total;
}

function normalised(counts: Record<string, number>, total: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(counts).sort()) out[key] = counts[key] / total;
  return out;
}

/** Pooled kind / topic / type shares of some rows. */
export function mixOf(rows: readonly IterationSummary[], devKinds: ReadonlySet<string>): Mix {
  const kinds: Record<string, number> = {};
  const topics: Record<string, number> = {};
  const types: Record<string, number> = {};
  let total = 0;
  for (const row of rows) {
    for (const [kind, c] of Object.entries(row.kind_counts)) {
      const [topic, type] = kind.split('/');
      kinds[kind] = (kinds[kind] ?? 0) + c;
      topics[topic] = (topics[topic] ?? 0) + c;
      types[type] = (types[type] ?? 0) + c;
      total += c;
    }
  }
  if (total === 0) return { count: 0, kinds: {}, topics: {}, types: {}, dev_kind_share: null };
  const dev = Object.entries(kinds).reduce((s, [k, c]) => s + (devKinds.has(k) ? c : 0), 0);
  return { count: total, kinds: normalised(kinds, total), topics: normalised(topics, total), types: normalised(types, total), dev_kind_share: dev / total };
}

function finalOf(method: Method, rows: readonly IterationSummary[], fixed: readonly IterationSummary[], seeds: readonly number[]): MethodFinal | null {
  const last = Math.max(...rows.map((r) => r.iteration));
  const at = (rs: readonly IterationSummary[], seed: number, k: number) => rs.find((r) => r.seed === seed && r.iteration === k);
  const finals = seeds.flatMap((s) => (at(rows, s, last) ? [at(rows, s, last)!] : []));
  if (finals.length === 0) return null;
  const gains = numbers(finals.map((f) => (at(rows, f.seed, 0) ? f.target_accuracy - at(rows, f.seed, 0)!.target_accuracy : null)));
  const paired = numbers(finals.map((f) => (at(fixed, f.seed, last) ? f.target_accuracy - at(fixed, f.seed, last)!.target_accuracy : null)));
  const perSeedMean = (pick: (r: IterationSummary) => number | null) =>
    stat(numbers(finals.map((f) => stat(numbers(rows.filter((r) => r.seed === f.seed).map(pick)))?.mean ?? null)));
  return {
    method,
    iteration: last,
    target_accuracy: stat(finals.map((f) => f.target_accuracy))!,
    target_gain: stat(gains) ?? { mean: 0, std: 0, n: 0 },
    vs_fixed: method === 'fixed' ? null : stat(paired),
    frac_valid_questions: perSeedMean((r) => r.frac_valid_questions),
    gen_accuracy: perSeedMean((r) => r.gen_accuracy),
    right_labels: perSeedMean((r) => rightLabelShare(r.label_counts)),
  };
}

function pooledByKind(tallies: readonly HeldoutTally[]): Record<string, number> {
  const pooled: Record<string, { correct: number; total: number }> = {};
  for (const t of tallies) {
    for (const [kind, k] of Object.entries(t.by_kind)) {
      const p = (pooled[kind] ??= { correct: 0, total: 0 });
      p.correct += k.correct;
      p.total += k.total;
    }
  }
  const out: Record<string, number> = {};
  for (const kind of Object.keys(pooled).sort()) out[kind] = pooled[kind].total === 0 ? 0 : pooled[kind].correct / pooled[kind].total;
  return out;
}

function heldoutOf(method: Method, all: readonly HeldoutSummary[]): HeldoutAggregate | null {
  const mine = all.filter((h) => h.method === method);
  if (mine.length === 0) return null;
  const paired = (other: Method, pick: (h: HeldoutSummary) => number) => {
    const theirs = all.filter((h) => h.method === other);
    return method === other ? null : stat(numbers(mine.map((h) => {
      const t = theirs.find((x) => x.seed === h.seed);
      return t ? pick(h) - pick(t) : null;
    })));
  };
  const sampled = (h: HeldoutSummary) => h.accuracy;
  const greedy = (h: HeldoutSummary) => h.greedy.accuracy;
  const control = METHOD_INFO[method].control;
  const hasControl = control !== undefined && all.some((h) => h.method === control);
  return {
    method,
    accuracy: stat(mine.map(sampled))!, vs_base: paired('base', sampled), vs_fixed: paired('fixed', sampled), by_kind: pooledByKind(mine),
    greedy: {
      accuracy: stat(mine.map(greedy))!, vs_base: paired('base', greedy), vs_fixed: paired('fixed', greedy),
      by_kind: pooledByKind(mine.map((h) => h.greedy)),
    },
    vs_control: hasControl ? { method: control, sampled: paired(control, sampled), greedy: paired(control, greedy) } : null,
  };
}

/** Aggregates every row present; methods keep the canonical order, missing (method, iteration) pairs are skipped. */
export function aggregate(
  rows: readonly IterationSummary[], devKindList: readonly string[], heldoutRuns: readonly HeldoutSummary[] = [],
): ExperimentResults {
  const devKinds = new Set(devKindList);
  const methods = ALL_METHODS.filter((m) => rows.some((r) => r.method === m));
  const seeds = [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b);
  const iterations: IterationAggregate[] = [];
  const finals: MethodFinal[] = [];
  const mix: MixDrift[] = [];
  for (const method of methods) {
    const mine = rows.filter((r) => r.method === method);
    const ks = [...new Set(mine.map((r) => r.iteration))].sort((a, b) => a - b);
    for (const k of ks) {
      const at = mine.filter((r) => r.iteration === k);
      iterations.push({
        method,
        iteration: k,
        target_accuracy: stat(at.map((r) => r.target_accuracy))!,
        frac_valid_questions: stat(numbers(at.map((r) => r.frac_valid_questions))),
        gen_accuracy: stat(numbers(at.map((r) => r.gen_accuracy))),
        dev_kind_share: stat(numbers(at.map((r) => devKindShare(r, devKinds)))),
        right_labels: stat(numbers(at.map((r) => rightLabelShare(r.label_counts)))),
      });
    }
    const final = finalOf(method, mine, rows.filter((r) => r.method === 'fixed'), seeds);
    if (final) finals.push(final);
    if (generates(method)) {
      mix.push({ method, first: mixOf(mine.filter((r) => r.iteration === ks[0]), devKinds), last: mixOf(mine.filter((r) => r.iteration === ks[ks.length - 1]), devKinds) });
    }
  }
  const heldout = methods.flatMap((m) => heldoutOf(m, heldoutRuns) ?? []);
  return { methods, seeds, dev_kinds: [...devKindList], iterations, finals, mix, heldout };
}

/** Kinds the dev questions test, from their extra.topic / question_type labels. */
export function devKindsOf(dev: readonly { extra: Record<string, unknown> }[]): string[] {
  const label = (v: unknown) => (typeof v === 'string' ? v : null);
  return [...new Set(dev.map((q) => kindOf(label(q.extra.topic), label(q.extra.question_type))))].sort();
}
