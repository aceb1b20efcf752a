// Does a Generator reward steer which kinds of question get written? (issue 5, docs/experiment.md,
// "Does influence pick better Solver data than chance?", item 10.) In the built-in world a document
// fixes its kind, so a reward can only steer by making the Generator write valid questions more often
// for some kinds. For every trained Generator run with a `fixed` run of the same seed in the folder
// (the same documents, an untrained Generator), and for every kind, this sets the push the update gave
// the kind (the sum of the advantages of its valid questions over the first two thirds of the
// iterations; advantages are centred within a document, so a positive sum favours writing valid
// questions) against how the kind's validity moved from the first to the last third, minus the fixed
// run's move. A reward that steers shows a positive correlation. Where a document offers several kinds
// (the mixed world) a reward can also steer the mix among valid questions, so the kind's share of the
// valid questions is set against the push the same way; with --check-labels this is the only measure,
// since a question whose golden answer is wrong is invalid and has no kind. Last, the share of the
// target's kinds among valid questions, per run against the fixed run of its seed, and how many document
// slots compared a target kind with another (src/experiment/target-share.ts, item 30).
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/steer-report.ts experiments/NAME
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRunQuestions } from '../src/experiment/experiment.ts';
import { attemptKind, rowKind, type HeldoutSummary } from '../src/experiment/iteration-summary.ts';
import { targetKindsOf } from '../src/experiment/narrow-target.ts';
import type { ExperimentSettings } from '../src/experiment/settings.ts';
import { pairedShareMarkdown, pairedTargetShares } from '../src/experiment/target-share.ts';
import { pearson } from '../src/infuser/rank-stats.ts';
import type { QuestionRow } from '../src/infuser/run-records.ts';

/** A push counts as one way or the other beyond this size (advantages are about ±1 per question). */
const CLEAR_PUSH = 0.05;

const dir = process.argv[2];
if (dir === undefined) throw new Error('steer-report: give an experiment folder with a fixed run, e.g. experiments/infuser-30-momentum');
const settings = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as ExperimentSettings;
const third = Math.max(1, Math.floor(settings.iterations / 3));
const phaseOf = (iteration: number) => (iteration < third ? 0 : iteration >= settings.iterations - third ? 1 : null);

/**
 * kind → validity (valid / rows) in the first and the last third. Rows are counted under the kind their
 * reply attempted (attemptKind): on a mixed world's document a rejected reply has no valid question, and
 * counted under the question's kind every kind would be valid 100% of the time, so validity could not move.
 */
function validityByKind(rows: QuestionRow[]): Map<string, [number, number]> {
  const counts = new Map<string, number[]>();
  for (const q of rows) {
    const phase = phaseOf(q.iteration);
    if (phase === null) continue;
    const kind = attemptKind(q);
    const c = counts.get(kind) ?? [0, 0, 0, 0];
    c[2 * phase] += q.valid ? 1 : 0;
    c[2 * phase + 1] += 1;
    counts.set(kind, c);
  }
  return new Map([...counts].filter(([, c]) => c[1] > 0 && c[3] > 0).map(([k, c]) => [k, [c[0] / c[1], c[2] / c[3]]]));
}

/** kind → its share of the valid questions in the first and the last third. */
function shareByKind(rows: QuestionRow[]): Map<string, [number, number]> {
  const counts = new Map<string, [number, number]>();
  const totals = [0, 0];
  for (const q of rows) {
    const phase = phaseOf(q.iteration);
    if (phase === null || !q.valid) continue;
    const c = counts.get(rowKind(q)) ?? [0, 0];
    c[phase] += 1;
    totals[phase] += 1;
    counts.set(rowKind(q), c);
  }
  return new Map([...counts].map(([k, c]) => [k, [c[0] / Math.max(1, totals[0]), c[1] / Math.max(1, totals[1])]]));
}

const r = (x: number) => (Number.isNaN(x) ? '– (no spread)' : x.toFixed(2));

const runs = await readRunQuestions(dir);
const fixedBySeed = new Map(runs.filter((r) => r.method === 'fixed').map((r) => [r.seed, validityByKind(r.rows)]));
const fixedShares = new Map(runs.filter((r) => r.method === 'fixed').map((r) => [r.seed, shareByKind(r.rows)]));
if (fixedBySeed.size === 0) throw new Error(`steer-report: ${dir} has no fixed run to compare with`);

// method → one point per (seed, kind): push, validity move against fixed, early validity gap to fixed
const points = new Map<string, { push: number; move: number; earlyGap: number }[]>();
// method → one point per (seed, kind): push, share-of-valid move against fixed
const sharePoints = new Map<string, { push: number; move: number }[]>();
for (const { method, seed, rows } of runs) {
  const fixed = fixedBySeed.get(seed);
  if (fixed === undefined || rows.every((q) => q.advantage === 0)) continue;
  const push = new Map<string, number>();
  for (const q of rows) if (q.valid && q.iteration < settings.iterations - third) push.set(rowKind(q), (push.get(rowKind(q)) ?? 0) + q.advantage);
  for (const [kind, [early, late]] of validityByKind(rows)) {
    const f = fixed.get(kind);
    if (f === undefined) continue;
    const list = points.get(method) ?? [];
    list.push({ push: push.get(kind) ?? 0, move: late - early - (f[1] - f[0]), earlyGap: early - f[0] });
    points.set(method, list);
  }
  const fixedShare = fixedShares.get(seed)!;
  for (const [kind, [early, late]] of shareByKind(rows)) {
    const f = fixedShare.get(kind) ?? [0, 0];
    const list = sharePoints.get(method) ?? [];
    list.push({ push: push.get(kind) ?? 0, move: late - early - (f[1] - f[0]) });
    sharePoints.set(method, list);
  }
}

const meanMove = (ps: { move: number }[]) => (ps.length === 0 ? '–' : `${(100 * ps.reduce((a, p) => a + p.move, 0) / ps.length).toFixed(1)} points`);
console.log(`Push: the sum of advantages of a kind's valid questions in iterations 0–${settings.iterations - third - 1}. ` +
  `Move: its validity in iterations ${settings.iterations - third}–${settings.iterations - 1} minus 0–${third - 1}, minus the fixed run's on the same seed.\n`);
console.log('| method | run-kinds | r(push, move) | move where push > 0.05 | move where push < −0.05 | r(push, early validity gap to fixed) |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [method, ps] of [...points].sort((a, b) => a[0].localeCompare(b[0]))) {
  const up = ps.filter((p) => p.push > CLEAR_PUSH);
  const down = ps.filter((p) => p.push < -CLEAR_PUSH);
  console.log(`| ${method} | ${ps.length} | ${r(pearson(ps.map((p) => p.push), ps.map((p) => p.move)))} | ` +
    `${meanMove(up)} (${up.length}) | ${meanMove(down)} (${down.length}) | ${r(pearson(ps.map((p) => p.push), ps.map((p) => p.earlyGap)))} |`);
}
console.log(`\nShare move: a kind's share of the valid questions in iterations ${settings.iterations - third}–${settings.iterations - 1} minus 0–${third - 1}, minus the fixed run's on the same seed.\n`);
console.log('| method | run-kinds | r(push, share move) | share move where push > 0.05 | share move where push < −0.05 |');
console.log('| --- | --- | --- | --- | --- |');
for (const [method, ps] of [...sharePoints].sort((a, b) => a[0].localeCompare(b[0]))) {
  const up = ps.filter((p) => p.push > CLEAR_PUSH);
  const down = ps.filter((p) => p.push < -CLEAR_PUSH);
  console.log(`| ${method} | ${ps.length} | ${r(pearson(ps.map((p) => p.push), ps.map((p) => p.move)))} | ${meanMove(up)} (${up.length}) | ${meanMove(down)} (${down.length}) |`);
}

// The folder's own target where it names one (a narrowed or ranked world's), else the built-in kinds.
function readJson<T>(path: string, what: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new Error(`steer-report: ${path}, ${what}, could not be read as JSON: ${(e as Error).message}`);
  }
}
const targetRows = settings.dev === undefined ? null : readJson<{ topic: string; question_type: string }[]>(settings.dev, 'the folder\'s target set (settings.json "dev")');
const targetKinds = targetKindsOf(targetRows);
// The final Solvers' held-out accuracies, where the runs measured them.
const heldoutOf = (method: string, seed: string): HeldoutSummary | null => {
  const path = join(dir, 'runs', `${method}-seed${seed}.heldout.json`);
  return existsSync(path) ? readJson<HeldoutSummary>(path, 'a final Solver\'s held-out answers') : null;
};
const withHeldout = runs.map((r) => ({ ...r, heldout: heldoutOf(r.method, r.seed) }));
console.log(`\n${pairedShareMarkdown(pairedTargetShares(withHeldout, targetKinds, settings.iterations), settings.iterations)}`);
