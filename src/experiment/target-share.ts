// How far a Generator reward moves the curriculum toward the target's kinds, measured against the fixed
// Generator on the same seed (issue 5, docs/experiment.md item 30). Every arm of a seed draws the same
// documents in the same order, and a document largely decides which kind of valid question a Generator
// writes on it, so one arm's share of target kinds drifts with the draw: item 29's untrained Generator
// went from 30% to 43%. Only the difference from the fixed run of the same seed is the reward's.
// A reward can change the kind written on a document only through DuGRPO's comparison of that
// document's replies; `choiceGroups` counts the documents where the replies attempted, and where they
// validly wrote, both a target kind and another, the only places such a comparison exists.
import { attemptKind, rowKind, type HeldoutTally } from './iteration-summary.ts';
import { pearson } from '../infuser/rank-stats.ts';
import type { QuestionRow } from '../infuser/run-records.ts';

type Row = Pick<QuestionRow, 'iteration' | 'slot' | 'doc_id' | 'valid' | 'topic' | 'question_type' | 'question' | 'response'> & Partial<Pick<QuestionRow, 'degenerate' | 'solver_trained'>>;

export interface PhaseShare { target: number; valid: number }

/** Valid questions of the target's kinds, and all valid questions, in the first and the last third. */
export function targetShareByPhase(rows: readonly Row[], targetKinds: ReadonlySet<string>, iterations: number): [PhaseShare, PhaseShare] {
  const third = Math.max(1, Math.floor(iterations / 3));
  const out: [PhaseShare, PhaseShare] = [{ target: 0, valid: 0 }, { target: 0, valid: 0 }];
  for (const q of rows) {
    if (!q.valid) continue;
    const phase = q.iteration < third ? 0 : q.iteration >= iterations - third ? 1 : null;
    if (phase === null) continue;
    out[phase].valid++;
    if (targetKinds.has(rowKind(q))) out[phase].target++;
  }
  return out;
}

/**
 * The questions the Solver trained on over the whole run, all and of the target's kinds: valid and not
 * degenerate, less any its data filter left out (runs saved before the filter do not say, and count in).
 */
export function trainedCounts(rows: readonly Row[], targetKinds: ReadonlySet<string>): { all: number; target: number } {
  let all = 0; let target = 0;
  for (const [kind, n] of trainedByKind(rows)) {
    all += n;
    if (targetKinds.has(kind)) target += n;
  }
  return { all, target };
}

/** trainedCounts per kind. */
function trainedByKind(rows: readonly Row[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const q of rows) if (q.valid && q.degenerate === false && q.solver_trained !== false) n.set(rowKind(q), (n.get(rowKind(q)) ?? 0) + 1);
  return n;
}

export interface ChoiceGroups {
  /** Document slots whose replies name at least one kind of the world. */
  groups: number;
  /** Of those, slots whose replies attempted a target kind and another kind. */
  attemptedBoth: number;
  /** Of those, slots with a valid question of a target kind and a valid one of another. */
  validBoth: number;
}

/** Counts, over a run's document slots (one DuGRPO group each), where a kind choice was compared. */
export function choiceGroups(rows: readonly Row[], targetKinds: ReadonlySet<string>): ChoiceGroups {
  const groups = new Map<string, { attempted: Set<boolean>; valid: Set<boolean> }>();
  for (const q of rows) {
    const kind = attemptKind(q);
    if (kind.endsWith('/?')) continue; // a reply that names no question of the world
    const key = `${q.iteration}/${q.slot}`;
    const g = groups.get(key) ?? { attempted: new Set<boolean>(), valid: new Set<boolean>() };
    groups.set(key, g);
    g.attempted.add(targetKinds.has(kind));
    if (q.valid) g.valid.add(targetKinds.has(kind));
  }
  const all = [...groups.values()];
  return { groups: all.length, attemptedBoth: all.filter((g) => g.attempted.size === 2).length, validBoth: all.filter((g) => g.valid.size === 2).length };
}

/**
 * How much a document decides the kind: over the documents both runs wrote at least `minValid` valid
 * questions on, the Pearson correlation of their per-document target shares after each topic's mean is
 * taken out (the topic alone already sets much of the share). Null with fewer than 3 such documents or
 * no spread.
 */
export function documentAgreement(a: readonly Row[], b: readonly Row[], targetKinds: ReadonlySet<string>, minValid = 2): { documents: number; r: number } | null {
  const perDoc = (rows: readonly Row[]) => {
    const m = new Map<string, { topic: string; valid: number; target: number }>();
    for (const q of rows) {
      if (!q.valid) continue;
      const d = m.get(q.doc_id) ?? { topic: q.topic ?? '', valid: 0, target: 0 };
      m.set(q.doc_id, d);
      d.valid++;
      if (targetKinds.has(rowKind(q))) d.target++;
    }
    return m;
  };
  const [da, db] = [perDoc(a), perDoc(b)];
  const byTopic = new Map<string, [number, number][]>();
  for (const [doc, x] of da) {
    const y = db.get(doc);
    if (y === undefined || x.valid < minValid || y.valid < minValid) continue;
    const list = byTopic.get(x.topic) ?? [];
    byTopic.set(x.topic, list);
    list.push([x.target / x.valid, y.target / y.valid]);
  }
  let n = 0; let sxy = 0; let sxx = 0; let syy = 0;
  for (const list of byTopic.values()) {
    const mx = list.reduce((s, p) => s + p[0], 0) / list.length;
    const my = list.reduce((s, p) => s + p[1], 0) / list.length;
    for (const [x, y] of list) { n++; sxy += (x - mx) * (y - my); sxx += (x - mx) ** 2; syy += (y - my) ** 2; }
  }
  return n < 3 || sxx === 0 || syy === 0 ? null : { documents: n, r: sxy / Math.sqrt(sxx * syy) };
}

export interface PairedShare {
  method: string;
  seed: string;
  run: [PhaseShare, PhaseShare];
  fixed: [PhaseShare, PhaseShare];
  /** (late − early) of the run minus that of the fixed run on the same seed. */
  moveVsFixed: number;
  /** The run's late share minus the fixed run's late share (same documents). */
  lateVsFixed: number;
  choice: ChoiceGroups;
  /** documentAgreement with the fixed run of the same seed (null for the fixed run itself). */
  agreement: { documents: number; r: number } | null;
  /** What the Solver trained on (trainedCounts), and the same minus the fixed run's. */
  trained: { all: number; target: number };
  trainedVsFixed: { all: number; target: number };
  /** The final Solver's held-out accuracy (sampled) minus the fixed run's, where both were measured. */
  heldoutVsFixed: number | null;
  /** Per target kind held out: questions of the kind trained on, and its held-out accuracy, minus the fixed run's. */
  byKind: { kind: string; trainedVsFixed: number; heldoutVsFixed: number }[];
}

type Heldout = Pick<HeldoutTally, 'accuracy' | 'by_kind'>;

function kindGains(run: readonly Row[], fixed: readonly Row[], h: Heldout | null, fh: Heldout | null, targetKinds: ReadonlySet<string>): PairedShare['byKind'] {
  if (h === null || fh === null) return [];
  const [a, f] = [trainedByKind(run), trainedByKind(fixed)];
  const acc = (t: { correct: number; total: number }) => t.correct / t.total;
  return Object.keys(h.by_kind).filter((k) => targetKinds.has(k) && fh.by_kind[k] !== undefined && h.by_kind[k].total > 0 && fh.by_kind[k].total > 0).sort()
    .map((kind) => ({ kind, trainedVsFixed: (a.get(kind) ?? 0) - (f.get(kind) ?? 0), heldoutVsFixed: acc(h.by_kind[kind]) - acc(fh.by_kind[kind]) }));
}

const count = (x: number, digits = 0) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
const signed = (x: number | null) => (x === null ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(3)}`);
const share = (p: PhaseShare) => (p.valid === 0 ? Number.NaN : p.target / p.valid);

/**
 * Every run with a fixed run of the same seed (the fixed runs themselves included, at zero), set against
 * it. Throws when no run has a fixed partner, naming the folder's methods and seeds.
 */
export function pairedTargetShares(
  runs: readonly { method: string; seed: string; rows: readonly Row[]; heldout?: Heldout | null }[],
  targetKinds: ReadonlySet<string>,
  iterations: number,
): PairedShare[] {
  const fixedRows = new Map(runs.filter((r) => r.method === 'fixed').map((r) => [r.seed, r.rows]));
  const fixedHeldout = new Map(runs.filter((r) => r.method === 'fixed').map((r) => [r.seed, r.heldout ?? null]));
  const fixed = new Map([...fixedRows].map(([seed, rows]) => [seed, targetShareByPhase(rows, targetKinds, iterations)]));
  const out: PairedShare[] = [];
  for (const r of runs) {
    const f = fixed.get(r.seed);
    if (f === undefined || r.rows.length === 0) continue;
    const s = targetShareByPhase(r.rows, targetKinds, iterations);
    const trained = trainedCounts(r.rows, targetKinds);
    const fixedTrained = trainedCounts(fixedRows.get(r.seed)!, targetKinds);
    out.push({
      trained, trainedVsFixed: { all: trained.all - fixedTrained.all, target: trained.target - fixedTrained.target },
      method: r.method, seed: r.seed, run: s, fixed: f,
      moveVsFixed: share(s[1]) - share(s[0]) - (share(f[1]) - share(f[0])),
      lateVsFixed: share(s[1]) - share(f[1]),
      choice: choiceGroups(r.rows, targetKinds),
      agreement: r.method === 'fixed' ? null : documentAgreement(r.rows, fixedRows.get(r.seed)!, targetKinds),
      heldoutVsFixed: r.heldout == null || fixedHeldout.get(r.seed) == null ? null : r.heldout.accuracy - fixedHeldout.get(r.seed)!.accuracy,
      byKind: kindGains(r.rows, fixedRows.get(r.seed)!, r.heldout ?? null, fixedHeldout.get(r.seed) ?? null, targetKinds),
    });
  }
  if (out.length === 0) {
    throw new Error(`target share: no run has a fixed run of the same seed (runs: ${runs.map((r) => `${r.method}-seed${r.seed}`).join(', ') || 'none'})`);
  }
  return out.sort((a, b) => a.method.localeCompare(b.method) || Number(a.seed) - Number(b.seed));
}

/** The markdown table steer-report prints, one row per run and a mean row per method. */
export function pairedShareMarkdown(paired: readonly PairedShare[], iterations: number): string {
  const third = Math.max(1, Math.floor(iterations / 3));
  const pct = (x: number) => (Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)}%`);
  const pts = (x: number) => (Number.isNaN(x) ? '–' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`);
  const lines = [
    `Target share: the target's kinds among the valid questions in iterations 0–${third - 1} and ${iterations - third}–${iterations - 1}, `
      + 'against the fixed run of the same seed (the same documents, an untrained Generator). Groups: document slots whose replies '
      + 'attempted, and validly wrote, both a target kind and another (the only places DuGRPO compares a kind choice). '
      + 'r: per-document target share against the fixed run\'s on the same documents, topic means taken out (documents with 2 or more valid questions in both). '
      + 'Trained on: the questions the Solver trained on over the run, all / of the target\'s kinds, and the same minus the fixed run\'s. '
      + 'Held-out: the final Solver\'s sampled accuracy minus the fixed run\'s.',
    '',
    '| method | seed | share early → late | fixed, same seed | move minus fixed\'s (points) | late minus fixed\'s late (points) | groups attempting both / valid both / all | r with fixed (documents) | Solver trained on: all / target (minus fixed\'s) | held-out minus fixed\'s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const methods = [...new Set(paired.map((p) => p.method))];
  for (const m of methods) {
    const rows = paired.filter((p) => p.method === m);
    for (const p of rows) {
      lines.push(`| ${m} | ${p.seed} | ${pct(share(p.run[0]))} → ${pct(share(p.run[1]))} | ${pct(share(p.fixed[0]))} → ${pct(share(p.fixed[1]))} | `
        + `${pts(p.moveVsFixed)} | ${pts(p.lateVsFixed)} | ${p.choice.attemptedBoth} / ${p.choice.validBoth} / ${p.choice.groups} | `
        + `${p.agreement === null ? '–' : `${p.agreement.r.toFixed(2)} (${p.agreement.documents})`} | `
        + `${p.trained.all} / ${p.trained.target} (${count(p.trainedVsFixed.all)} / ${count(p.trainedVsFixed.target)}) | ${signed(p.heldoutVsFixed)} |`);
    }
    if (rows.length > 1 && m !== 'fixed') {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      lines.push(`| ${m}, mean | ${rows.length} seeds | | | ${pts(mean(rows.map((p) => p.moveVsFixed)))} | ${pts(mean(rows.map((p) => p.lateVsFixed)))} | | | `
        + `(${count(mean(rows.map((p) => p.trainedVsFixed.all)), 1)} / ${count(mean(rows.map((p) => p.trainedVsFixed.target)), 1)}) | `
        + `${rows.every((p) => p.heldoutVsFixed !== null) ? signed(mean(rows.map((p) => p.heldoutVsFixed!))) : '–'} |`);
    }
  }
  // Does steering toward the target pay on the held-out set? One point per trained run.
  const trained = paired.filter((p) => p.method !== 'fixed' && p.heldoutVsFixed !== null && !Number.isNaN(p.lateVsFixed));
  const r = pearson(trained.map((p) => p.lateVsFixed), trained.map((p) => p.heldoutVsFixed!));
  if (trained.length >= 3) lines.push('', `Over the ${trained.length} trained runs, r(late share minus fixed's, held-out minus fixed's) = ${Number.isNaN(r) ? '– (no spread)' : r.toFixed(2)}.`);
  // Does training on more questions of a kind pay on that kind's held-out questions? One point per trained run.
  const points = paired.filter((p) => p.method !== 'fixed').flatMap((p) => p.byKind);
  const kinds = [...new Set(points.map((p) => p.kind))].sort();
  if (kinds.length > 0 && trained.length >= 3) {
    lines.push('', 'Per target kind, over the trained runs: questions of the kind the Solver trained on, and its held-out accuracy on the kind, each minus the fixed run\'s on the same seed.',
      '', '| kind | runs | trained on, minus fixed\'s (mean) | held-out minus fixed\'s (mean) | r(trained, held-out) |', '| --- | --- | --- | --- | --- |');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const row = (label: string, ps: typeof points) => {
      const rk = pearson(ps.map((p) => p.trainedVsFixed), ps.map((p) => p.heldoutVsFixed));
      return `| ${label} | ${ps.length} | ${count(mean(ps.map((p) => p.trainedVsFixed)), 1)} | ${signed(mean(ps.map((p) => p.heldoutVsFixed)))} | ${Number.isNaN(rk) ? '– (no spread)' : rk.toFixed(2)} |`;
    };
    for (const k of kinds) lines.push(row(k, points.filter((p) => p.kind === k)));
    lines.push(row('all, pooled', points));
  }
  return lines.join('\n');
}
