// Which choice each method's final Solver picks on the held-out questions (issue 5, docs/experiment.md
// item 21): per kind, pooled over seeds, the share right and, of the wrong picks, the share that name
// something the question states (an operand, the start year, the parent, the first town), against the
// share of such choices among the wrong ones (src/experiment/heldout-picks.ts). Needs runs whose
// heldout.json records predictions (experiments from 2026-12-07 on).
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/heldout-picks.ts experiments/NAME [--heldout-file=public/world/heldout.json]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergePicks, tallyPicks, type HeldoutQuestionRow, type PickTally } from '../src/experiment/heldout-picks.ts';
import type { HeldoutSummary } from '../src/experiment/iteration-summary.ts';
import type { ExperimentSettings } from '../src/experiment/settings.ts';

const folder = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!folder) throw new Error('heldout-picks: name an experiment folder, e.g. experiments/results-30');
const settings = JSON.parse(readFileSync(join(folder, 'settings.json'), 'utf8')) as ExperimentSettings;
// The folder's held-out file (a ranked world has its own), unless --heldout-file names another.
const heldoutFile = process.argv.find((a) => a.startsWith('--heldout-file='))?.slice('--heldout-file='.length) ?? settings.heldoutFile ?? 'public/world/heldout.json';
const questions = JSON.parse(readFileSync(heldoutFile, 'utf8')) as HeldoutQuestionRow[];

const runsDir = join(folder, 'runs');
const files = readdirSync(runsDir).filter((f) => f.endsWith('.heldout.json')).sort();
const sampled = new Map<string, Record<string, PickTally>>();
const greedy = new Map<string, Record<string, PickTally>>();
const seeds = new Map<string, number[]>();
let skipped = 0;
for (const f of files) {
  const h = JSON.parse(readFileSync(join(runsDir, f), 'utf8')) as HeldoutSummary;
  if (h.predictions === undefined || h.greedy.predictions === undefined) { skipped++; continue; }
  sampled.set(h.method, mergePicks(sampled.get(h.method) ?? {}, tallyPicks(questions, h.predictions)));
  greedy.set(h.method, mergePicks(greedy.get(h.method) ?? {}, tallyPicks(questions, h.greedy.predictions)));
  seeds.set(h.method, [...(seeds.get(h.method) ?? []), h.seed]);
}
if (sampled.size === 0) throw new Error(`heldout-picks: no run in ${runsDir} records held-out predictions (${skipped} without)`);

const pct = (a: number, b: number) => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)}%`);

function print(title: string, table: Map<string, Record<string, PickTally>>): void {
  console.log(`\n### ${title}\n`);
  console.log('| kind | method | answers | right | wrong: stated / other / nothing boxed | stated, of the wrong picks | stated, of the wrong choices (chance) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const kinds = [...new Set([...table.values()].flatMap((t) => Object.keys(t)))].sort();
  for (const kind of kinds) {
    for (const [method, t] of table) {
      const c = t[kind];
      if (!c) continue;
      const wrong = c.stated + c.other;
      console.log(`| ${kind} | ${method} | ${c.answers} | ${pct(c.right, c.answers)} | ${c.stated} / ${c.other} / ${c.none} | ${pct(c.stated, wrong)} | ${pct(c.statedChoices, c.wrongChoices)} |`);
    }
  }
}

console.log(`# Held-out picks: ${folder}\n`);
console.log(`Runs: ${[...seeds].map(([m, s]) => `${m} (seeds ${s.join(', ')})`).join('; ')}${skipped > 0 ? `; ${skipped} run(s) without recorded predictions skipped` : ''}. Held-out file: ${heldoutFile}.`);
print('Sampled answers', sampled);
print('Greedy answers', greedy);
