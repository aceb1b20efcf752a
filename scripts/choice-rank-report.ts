// Where the right number stands among the choices (largest, second, …) in the held-out questions and in
// the questions each method's Solver trained on, how often each final Solver picks the largest number on
// held-out questions, and, for methods that score questions by influence, the mean influence percentile
// of the trained questions by the right number's place (issue 5, docs/experiment.md item 27: a curriculum
// whose right answer is mostly the largest teaches a shortcut the target punishes). The target pool is
// the first folder's (settings.json `dev`, else public/world/dev.json), the held-out set its `heldoutFile`
// (else public/world/heldout.json; --heldout-file overrides). Several folders are
// pooled per method (e.g. a base folder beside the trained runs); a method's seed in two folders is refused.
// Needs held-out predictions (experiments from 2026-12-07 on) for the picks.
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/choice-rank-report.ts experiments/A [experiments/B …] [--heldout-file=public/world/heldout.json]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeRanks, tallyCurriculumRanks, tallyHeldoutRanks, type CurriculumRankTally, type PickRankTally, type RankTally } from '../src/experiment/choice-rank.ts';
import { readRunQuestions } from '../src/experiment/experiment.ts';
import type { HeldoutQuestionRow } from '../src/experiment/heldout-picks.ts';
import type { HeldoutSummary } from '../src/experiment/iteration-summary.ts';
import type { ExperimentSettings } from '../src/experiment/settings.ts';

const folders = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (folders.length === 0) throw new Error('choice-rank-report: name one or more experiment folders, e.g. experiments/focus-30-all');
// The target pool the runs scored and dev_only trained on: the first data.dev_pool_size questions of the first folder's dev file.
const settings = JSON.parse(readFileSync(join(folders[0], 'settings.json'), 'utf8')) as ExperimentSettings;
const heldoutFile = process.argv.find((a) => a.startsWith('--heldout-file='))?.slice('--heldout-file='.length) ?? settings.heldoutFile ?? 'public/world/heldout.json';
const questions = JSON.parse(readFileSync(heldoutFile, 'utf8')) as HeldoutQuestionRow[];
const devFile = settings.dev ?? 'public/world/dev.json';
const poolSize = Number(settings.overrides['data.dev_pool_size'] ?? 32);
const pool = (JSON.parse(readFileSync(devFile, 'utf8')) as HeldoutQuestionRow[]).slice(0, poolSize);
const poolRanks = tallyHeldoutRanks(pool, pool.map(() => []));

const seeds = new Map<string, string[]>();
const claim = (method: string, seed: string, where: string) => {
  const list = seeds.get(method) ?? [];
  if (list.includes(seed)) throw new Error(`choice-rank-report: ${method} seed ${seed} is in two of the folders (again in ${where})`);
  seeds.set(method, [...list, seed]);
};

const greedy = new Map<string, Record<string, PickRankTally>>();
const sampled = new Map<string, Record<string, PickRankTally>>();
const curriculum = new Map<string, Record<string, CurriculumRankTally>>();
let heldoutRanks: Record<string, PickRankTally> | null = null;
let skipped = 0;
for (const folder of folders) {
  const runsDir = join(folder, 'runs');
  for (const f of readdirSync(runsDir).filter((f) => f.endsWith('.heldout.json')).sort()) {
    const h = JSON.parse(readFileSync(join(runsDir, f), 'utf8')) as HeldoutSummary;
    claim(h.method, String(h.seed), join(runsDir, f));
    if (h.predictions === undefined || h.greedy.predictions === undefined) { skipped++; continue; }
    const g = tallyHeldoutRanks(questions, h.greedy.predictions);
    heldoutRanks ??= g;
    greedy.set(h.method, mergeRanks(greedy.get(h.method) ?? {}, g));
    sampled.set(h.method, mergeRanks(sampled.get(h.method) ?? {}, tallyHeldoutRanks(questions, h.predictions)));
  }
  for (const run of await readRunQuestions(folder)) {
    if (run.rows.every((q) => !q.valid)) continue; // base and dev_only write no questions
    curriculum.set(run.method, mergeRanks(curriculum.get(run.method) ?? {}, tallyCurriculumRanks(run.rows)));
  }
}
if (heldoutRanks === null) throw new Error(`choice-rank-report: no run in ${folders.join(', ')} records held-out predictions (${skipped} without)`);

const pct = (a: number, b: number) => (b === 0 ? '–' : `${((100 * a) / b).toFixed(0)}%`);
const places = (t: RankTally) => [0, 1, 2, 3].map((r) => pct(t.rightRank[r] ?? 0, t.questions)).join(' | ');
const kinds = Object.keys(heldoutRanks).sort();

console.log(`# Choice ranks: ${folders.join(', ')}\n`);
console.log(`Runs: ${[...seeds].map(([m, s]) => `${m} (seeds ${s.join(', ')})`).join('; ')}${skipped > 0 ? `; ${skipped} run(s) without recorded predictions skipped` : ''}. Held-out file: ${heldoutFile}. Only questions whose four choices are distinct numbers count.`);

console.log('\n## The right number\'s place among the choices\n');
console.log('| kind | questions | count | largest | second | third | smallest |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const kind of kinds) {
  const h = heldoutRanks[kind];
  console.log(`| ${kind} | held-out | ${h.questions} | ${places(h)} |`);
  if (poolRanks[kind]) console.log(`| ${kind} | target pool (first ${poolSize} of ${devFile}) | ${poolRanks[kind].questions} | ${places(poolRanks[kind])} |`);
  for (const [method, t] of [...curriculum].sort((a, b) => a[0].localeCompare(b[0]))) {
    const c = t[kind];
    if (c) console.log(`| ${kind} | trained on, ${method} | ${c.questions} | ${places(c)} |`);
  }
}

console.log('\n## Final Solvers on the held-out numeric questions\n');
console.log('| kind | method | answers (greedy / sampled) | right, greedy | picks the largest, greedy | right, sampled | picks the largest, sampled |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const kind of kinds) {
  for (const [method, g] of greedy) {
    const a = g[kind], b = sampled.get(method)![kind];
    if (a && b) console.log(`| ${kind} | ${method} | ${a.answers} / ${b.answers} | ${pct(a.right, a.answers)} | ${pct(a.largest, a.answers)} | ${pct(b.right, b.answers)} | ${pct(b.largest, b.answers)} |`);
  }
}

console.log('\n## Sampled accuracy on the held-out numeric questions, by the right number\'s place\n');
console.log('A Solver that reads the place instead of adding is right more often at one place than at the others.\n');
console.log('| kind | method | right largest | second | third | smallest |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const kind of kinds) {
  for (const [method, b] of sampled) {
    const s = b[kind];
    if (s) console.log(`| ${kind} | ${method} | ${[0, 1, 2, 3].map((r) => pct(s.rightByPlace[r] ?? 0, s.answersByPlace[r] ?? 0)).join(' | ')} |`);
  }
}

const scoredMethods = [...curriculum].filter(([, t]) => Object.values(t).some((c) => c.scored.some((n) => n > 0)));
if (scoredMethods.length > 0) {
  console.log('\n## Influence percentile within the iteration of the trained questions, by the right number\'s place\n');
  console.log('| kind | method | right is largest: questions, mean percentile | not largest: questions, mean percentile |');
  console.log('| --- | --- | --- | --- |');
  const mean = (sum: number, n: number) => (n === 0 ? '–' : (sum / n).toFixed(2));
  for (const [method, t] of scoredMethods) {
    for (const kind of Object.keys(t).sort()) {
      const c = t[kind];
      const restN = c.scored.slice(1).reduce((a, b) => a + b, 0);
      const restP = c.influencePercentile.slice(1).reduce((a, b) => a + b, 0);
      console.log(`| ${kind} | ${method} | ${c.scored[0] ?? 0}, ${mean(c.influencePercentile[0] ?? 0, c.scored[0] ?? 0)} | ${restN}, ${mean(restP, restN)} |`);
    }
  }
}
