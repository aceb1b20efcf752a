// Compares final Solvers of arms from one or more experiment folders on the held-out questions, seed by
// seed (issue 5, docs/experiment.md item 25; src/experiment/heldout-compare.ts). Fixed-generator and
// R-Zero runs do not read the target set, so their runs from an earlier folder pair with an INFUSER
// run on a narrower target, as long as every run answered the same held-out file.
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/heldout-compare.ts \
//     --arm=fixed=experiments/results-30:fixed --arm=INFUSER-arith=experiments/arith-30:infuser \
//     [--pair=INFUSER-arith:fixed ...] [--kinds=quantities/arithmetic,timeline/arithmetic] [--seeds=1,2,3] [--out=FILE.md]
// Without --pair every arm is paired against the first.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareHeldout, comparisonMarkdown, parseArmSpec, parsePair, type Arm } from '../src/experiment/heldout-compare.ts';
import type { HeldoutSummary } from '../src/experiment/iteration-summary.ts';
import { parseTargetKinds } from '../src/experiment/narrow-target.ts';

const values = (name: string) => process.argv.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
const one = (name: string) => values(name).at(-1);

const specs = values('arm').map(parseArmSpec);
if (specs.length === 0) throw new Error('heldout-compare: name at least one --arm=LABEL=FOLDER:METHOD');
const kindsFlag = one('kinds');
const kinds = kindsFlag === undefined ? null : parseTargetKinds(kindsFlag);
const seedsFlag = one('seeds');
const seeds = seedsFlag === undefined ? null : seedsFlag.split(',').map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n)) throw new Error(`heldout-compare: --seeds: "${s}" is not a whole number`);
  return n;
});

const arms: Arm[] = specs.map(({ label, folder, method }) => {
  const dir = join(folder, 'runs');
  const runs = readdirSync(dir)
    .filter((f) => f.startsWith(`${method}-seed`) && f.endsWith('.heldout.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as HeldoutSummary)
    .filter((h) => h.method === method && (seeds === null || seeds.includes(h.seed)));
  return { label, source: `${folder}: ${method}`, runs };
});
const pairs = values('pair').map(parsePair);
const comparison = compareHeldout(arms, kinds, pairs.length > 0 ? pairs : arms.slice(1).map((a) => [a.label, arms[0].label]));
const text = `# Held-out comparison\n\nArms: ${specs.map((s) => `${s.label} = ${s.folder} (${s.method})`).join('; ')}.\n\n${comparisonMarkdown(comparison)}`;
const out = one('out');
if (out !== undefined) writeFileSync(out, text);
console.log(text);
