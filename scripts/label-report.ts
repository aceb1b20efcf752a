// How often the Generator's golden answers are right, from an experiment's question files (issue 5,
// docs/experiment.md): every valid generated question is run through the world's label check
// (src/world/question-check.ts) and counted by method and by the kind of its document, with how often
// the Solver's answers agreed with the label and, for INFUSER runs, the mean influence score. Where a
// run filtered the Solver's data (influence.solver_filter_mode), a third table splits its non-degenerate
// questions into those the Solver trained on and those the filter left out: does the filter pick the
// right labels?
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/label-report.ts experiments/NAME
import type { QuestionRow } from '../src/infuser/run-records.ts';
import { readRunQuestions } from '../src/experiment/experiment.ts';
import { rowKind } from '../src/experiment/iteration-summary.ts';
import { labelVerdictOf } from '../src/experiment/iteration-summary.ts';
import type { LabelVerdict } from '../src/world/question-check.ts';

const VERDICTS: LabelVerdict[] = ['right', 'wrong', 'unanswerable', 'unknown'];

interface Cell { n: number; agree: number; influence: number[] }
type Table = Map<string, Map<LabelVerdict, Cell>>;

function add(t: Table, key: string, v: LabelVerdict, q: QuestionRow): void {
  const row = t.get(key) ?? new Map<LabelVerdict, Cell>();
  t.set(key, row);
  const c = row.get(v) ?? { n: 0, agree: 0, influence: [] };
  row.set(v, c);
  c.n++;
  c.agree += q.solver_accuracy ?? 0;
  if (q.influence !== null) c.influence.push(q.influence);
}

function print(title: string, t: Table): void {
  console.log(`\n| ${title} | valid | ${VERDICTS.join(' | ')} | Solver agrees with right / wrong labels | influence right / wrong |`);
  console.log(`|${' --- |'.repeat(VERDICTS.length + 4)}`);
  const mean = (xs: number[]) => (xs.length === 0 ? '–' : (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(4));
  for (const [key, row] of [...t.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const n = [...row.values()].reduce((s, c) => s + c.n, 0);
    const pct = (v: LabelVerdict) => `${((100 * (row.get(v)?.n ?? 0)) / n).toFixed(0)}%`;
    const agree = (v: LabelVerdict) => (row.get(v) ? `${((100 * row.get(v)!.agree) / row.get(v)!.n).toFixed(0)}%` : '–');
    const inf = (v: LabelVerdict) => mean(row.get(v)?.influence ?? []);
    console.log(`| ${key} | ${n} | ${VERDICTS.map(pct).join(' | ')} | ${agree('right')} / ${agree('wrong')} | ${inf('right')} / ${inf('wrong')} |`);
  }
}

const dir = process.argv[2];
if (dir === undefined) throw new Error('label-report: give an experiment folder, e.g. experiments/full');
const byMethod: Table = new Map();
const byKind: Table = new Map();
const byFilter: Table = new Map();
for (const { method, rows } of await readRunQuestions(dir)) {
  for (const q of rows) {
    if (!q.valid || q.question === null || q.choices === null || q.answer === null) continue;
    const verdict = labelVerdictOf(q);
    add(byMethod, method, verdict, q);
    add(byKind, rowKind(q), verdict, q);
    if (q.degenerate === false && q.solver_trained !== undefined) {
      add(byFilter, `${method}, ${q.solver_trained ? 'trained on' : 'left out'}`, verdict, q);
    }
  }
}
print('method', byMethod);
print('document kind (all methods)', byKind);
const filtered = [...byFilter.keys()].some((k) => k.endsWith('left out'));
if (filtered) print('non-degenerate questions, by Solver filter', byFilter);
