// Where each method's curriculum drifts, from an experiment's question files (issue 5,
// docs/experiment.md): the Generator does not choose its documents (they are drawn uniformly), so the
// only way a reward can steer what the Solver trains on is by making the Generator write valid
// questions more often for some kinds of document than for others. For every method and kind of
// question attempted (attemptKind: in a mixed world, a rejected reply counts under the kind of question
// it wrote) this prints the validity in the first and the last third of the iterations, and, for
// methods that score questions by influence, the mean score of the kind's valid questions, with the
// mean Generator advantage they were given and the mean over every attempt, rejected ones included
// (the net push the update gives the kind: item 25 found it small where most attempts fail), and the
// share of attempts rejected for duplicate choices or a wrong label (--check-labels). The dev
// kinds are those of the folder's target (settings.json `dev`, else the built-in set). It also counts the
// valid questions that repeat a target question verbatim (in the pool or after it) or a held-out
// question (settings.json `heldoutFile`, else public/world/heldout.json). Where a run filtered the Solver's data
// (influence.solver_filter_mode), a last column counts the questions of each kind the Solver trained
// on. Run it on folders made with the world it builds (scale 10 since World v2;
// docs/experiment-results/ has the reports of the scale-1 runs).
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/curriculum-report.ts experiments/NAME
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRunQuestions } from '../src/experiment/experiment.ts';
import { attemptKind } from '../src/experiment/iteration-summary.ts';
import { targetKindsOf } from '../src/experiment/narrow-target.ts';
import type { ExperimentSettings } from '../src/experiment/settings.ts';
import { buildWorld } from '../src/world/documents.ts';

// live: valid and not degenerate (what Stage 6 may train on); trained: of those, what it did train on
// (runs saved before the Solver filter do not say, and count none).
interface Cell { rows: number; valid: number; live: number; trained: number; influence: number[]; advantage: number[]; attempts: number[]; duplicate: number; wrongLabel: number }
const cell = (): Cell => ({ rows: 0, valid: 0, live: 0, trained: 0, influence: [], advantage: [], attempts: [], duplicate: 0, wrongLabel: 0 });
let filtered = false;

const dir = process.argv[2];
if (dir === undefined) throw new Error('curriculum-report: give an experiment folder, e.g. experiments/genlr-30');
const settings = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as ExperimentSettings;
const third = Math.max(1, Math.floor(settings.iterations / 3));
const phaseOf = (iteration: number) => (iteration < third ? 'early' : iteration >= settings.iterations - third ? 'late' : null);

const poolSize = Number(settings.overrides['data.dev_pool_size'] ?? 32);
function readRows(path: string, what: string): { question_text: string; topic: string; question_type: string }[] {
  try {
    const rows = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (Array.isArray(rows)) return rows as { question_text: string; topic: string; question_type: string }[];
  } catch { /* reported below */ }
  throw new Error(`curriculum-report: ${path}, the folder's ${what}, is not a JSON array of dev questions (scripts/narrow-target.ts and scripts/build-world.ts write them)`);
}
// The folder's own target and held-out files where it names them (a ranked world has its own), else the built-in world's.
const world = settings.dev === undefined || settings.heldoutFile === undefined ? buildWorld() : null;
const target = settings.dev === undefined ? null : readRows(settings.dev, 'target set (settings.json "dev")');
const devIndex = new Map((target ?? world!.dev).map((d, i) => [d.question_text, i]));
const heldout = settings.heldoutFile === undefined ? world!.heldout : readRows(settings.heldoutFile, 'held-out set (settings.json "heldoutFile")');
const heldoutTexts = new Set(heldout.map((d) => d.question_text));
const repeats = new Map<string, { pool: number; after: number; heldout: number }>();
const devKinds = targetKindsOf(target);

// method → kind → phase → cell
const table = new Map<string, Map<string, Record<'early' | 'late' | 'all', Cell>>>();
for (const { method, rows } of await readRunQuestions(dir)) {
  const byKind = table.get(method) ?? new Map<string, Record<'early' | 'late' | 'all', Cell>>();
  table.set(method, byKind);
  for (const q of rows) {
    const kind = attemptKind(q);
    const devAt = q.valid && q.question !== null ? devIndex.get(q.question) : undefined;
    const isHeldout = q.valid && q.question !== null && heldoutTexts.has(q.question);
    if (devAt !== undefined || isHeldout) {
      const r = repeats.get(method) ?? { pool: 0, after: 0, heldout: 0 };
      repeats.set(method, r);
      if (isHeldout) r.heldout++;
      else if (devAt! < poolSize) r.pool++;
      else r.after++;
    }
    if (q.valid && q.degenerate === false && q.solver_trained === false) filtered = true;
    const cells = byKind.get(kind) ?? { early: cell(), late: cell(), all: cell() };
    byKind.set(kind, cells);
    const phase = phaseOf(q.iteration);
    for (const c of phase === null ? [cells.all] : [cells.all, cells[phase]]) {
      c.rows++;
      if (q.valid) c.valid++;
      if (q.valid && q.influence !== null) c.influence.push(q.influence);
      if (q.valid && q.degenerate === false) c.live++;
      if (q.solver_trained === true) c.trained++;
      if (q.valid) c.advantage.push(q.advantage);
      c.attempts.push(q.advantage);
      if (q.rejection === 'duplicate_choices') c.duplicate++;
      if (q.rejection === 'failed_check') c.wrongLabel++;
    }
  }
}

const rate = (n: number, of: number) => (of === 0 ? '–' : `${((100 * n) / of).toFixed(0)}%`);
const pct = (c: Cell) => (c.rows === 0 ? '–' : `${((100 * c.valid) / c.rows).toFixed(1)}%`);
const mean = (xs: number[]) => (xs.length === 0 ? '–' : (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(4));
console.log(`Iterations 0–${third - 1} are early, ${settings.iterations - third}–${settings.iterations - 1} late.`);
for (const [method, byKind] of [...table.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
  if (byKind.size === 0) continue; // base and dev_only generate nothing
  const total = { early: cell(), late: cell(), all: cell() };
  const trainedHead = filtered ? ' Solver trained on (of non-degenerate) |' : '';
  console.log(`\n### ${method}\n\n| question kind attempted | rows | validity early | validity late | share of valid, early | share of valid, late | influence of valid (all) | advantage of valid (all) | advantage of every attempt (all) | rejected: duplicate choices / wrong label (all) |${trainedHead}`);
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |${filtered ? ' --- |' : ''}`);
  const trainedCell = (c: Cell) => (filtered ? ` ${c.trained}/${c.live} |` : '');
  for (const cells of byKind.values()) {
    for (const p of ['early', 'late', 'all'] as const) {
      total[p].rows += cells[p].rows;
      total[p].valid += cells[p].valid;
      total[p].live += cells[p].live;
      total[p].trained += cells[p].trained;
    }
  }
  const share = (c: Cell, p: 'early' | 'late') => (total[p].valid === 0 ? '–' : `${((100 * c.valid) / total[p].valid).toFixed(0)}%`);
  for (const [kind, cells] of [...byKind.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    console.log(`| ${kind} | ${cells.all.rows} | ${pct(cells.early)} | ${pct(cells.late)} | ${share(cells.early, 'early')} | ${share(cells.late, 'late')} | ${mean(cells.all.influence)} | ${mean(cells.all.advantage)} | ${mean(cells.all.attempts)} | ${rate(cells.all.duplicate, cells.all.rows)} / ${rate(cells.all.wrongLabel, cells.all.rows)} |${trainedCell(cells.all)}`);
  }
  console.log(`| all | ${total.all.rows} | ${pct(total.early)} | ${pct(total.late)} | | | | | | |${trainedCell(total.all)}`);
  // What a Generator can choose in the mixed world (one document, several kinds): how much of what it
  // writes is of a kind the dev set tests.
  const devShare = (p: 'early' | 'late') => {
    const n = [...byKind.entries()].filter(([k]) => devKinds.has(k)).reduce((a, [, c]) => a + c[p].valid, 0);
    return total[p].valid === 0 ? '–' : `${((100 * n) / total[p].valid).toFixed(1)}% (${n}/${total[p].valid})`;
  };
  console.log(`\nValid questions of the target's kinds (${[...devKinds].sort().join(', ')}): early ${devShare('early')}, late ${devShare('late')}.`);
  const r = repeats.get(method) ?? { pool: 0, after: 0, heldout: 0 };
  console.log(`\nValid questions that repeat a dev question verbatim: ${r.pool + r.after} of ${total.all.valid} `
    + `(${r.pool} of the pool's ${poolSize}, ${r.after} after it); that repeat a held-out question: ${r.heldout}.`);
}
