// Do two-hop questions offer the one-hop trap? A two-hop question tests the second hop only when a
// choice is the answer the first hop gives (src/world/one-hop-trap.ts): the world's dev and held-out
// questions always offer it, a Generator's need not, and a Solver trained on trap-free questions is
// never rewarded for leaving the one-hop habit. For each input, per two-hop kind, the share of questions
// whose choices offer the trap as a distractor.
// Inputs: question files (a JSON array of rows with question_text, choices, ground_truth, as dev.json)
// and experiment folders (runs/*.questions.jsonl). For a folder, per run file: the questions the Solver
// trained on and all valid ones, the valid ones' share in the first and last third of the iterations, and
// the mean influence of scored two-hop questions with and without the trap, each centred on its
// iteration's mean over all scored questions (influence drifts over a run; kinds and traps need not).
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/trap-report.ts \
//     experiments/target-twohop-ranked/dev.json experiments/NAME [--out=FILE.md]
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPlainObject, parseJsonArrayFile, parseJsonFile, parseJsonlFile, type JsonRow } from '../src/data/input-files.ts';
import { oneHopTrap, TWO_HOP_KINDS, type TrapStatus, type TwoHopKind } from '../src/world/one-hop-trap.ts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALL = 'all two-hop';
type Row = TwoHopKind | typeof ALL;
const ROWS: Row[] = [...TWO_HOP_KINDS, ALL];
// A golden answer that is the one-hop answer rewards the one hop, so it is no trap; a question whose
// text lacks the one-hop fact offers none either, and still counts in the share.
const TRAP_NOTE = 'Trap offered: a choice other than the golden one is the one-hop answer (share of all the two-hop questions of the kind).';

/** One two-hop question: its kind, how its choices stand to the one-hop answer, and where it came from. */
interface Hop { kind: TwoHopKind; status: TrapStatus; iteration: number; influence: number | null; trained: boolean | undefined }

const fail = (where: string, why: string): never => {
  throw new Error(`${where}: ${why}`);
};

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    return fail(path, `cannot be read (${(e as Error).message})`);
  }
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((c) => typeof c === 'string');

/** "33% (4/12)", or "–" with nothing to count. */
const share = (k: number, n: number) => (n === 0 ? '–' : `${((100 * k) / n).toFixed(0)}% (${k}/${n})`);
const inKind = (hops: Hop[], row: Row) => (row === ALL ? hops : hops.filter((h) => h.kind === row));
const offered = (hops: Hop[]) => hops.filter((h) => h.status === 'offered').length;
const count = (hops: Hop[], s: TrapStatus) => hops.filter((h) => h.status === s).length;

// ---- question files (dev, held-out) -----------------------------------------------------------

function fileReport(path: string): string[] {
  const hops: Hop[] = [];
  let other = 0;
  for (const { line, value } of parseJsonArrayFile(readText(path), path)) {
    const where = `${path}:${line}`;
    if (!isPlainObject(value)) fail(where, 'a row must be a JSON object');
    const { question_text: text, choices, ground_truth: truth } = value as Record<string, unknown>;
    if (typeof text !== 'string' || !isStrings(choices)) fail(where, 'a row needs question_text (a string) and choices (strings)');
    const at = typeof truth === 'string' ? LETTERS.indexOf(truth) : -1;
    // A row without a usable label counts any choice as the trap.
    const golden = at >= 0 && at < (choices as string[]).length ? (choices as string[])[at] : null;
    const trap = oneHopTrap(text as string, choices as string[], golden);
    if (trap === null) other++;
    else hops.push({ ...trap, iteration: 0, influence: null, trained: undefined });
  }
  const out = [`## ${path}`, '', TRAP_NOTE, '', '| kind | questions | trap offered | one-hop answer is golden | one-hop fact unstated |', '| --- | --- | --- | --- | --- |'];
  for (const row of ROWS) {
    const hs = inKind(hops, row);
    out.push(`| ${row} | ${hs.length} | ${share(offered(hs), hs.length)} | ${count(hs, 'golden')} | ${count(hs, 'unstated')} |`);
  }
  if (other > 0) out.push('', `${other} rows of no two-hop form left out.`);
  return out;
}

// ---- experiment folders -----------------------------------------------------------------------

/** The two-hop questions of a run file, and each iteration's mean influence over all its scored questions. */
function readRun(file: string, rows: JsonRow[]): { hops: Hop[]; iterationMean: Map<number, number>; lastIteration: number } {
  const hops: Hop[] = [];
  const sums = new Map<number, [number, number]>();
  let lastIteration = -1;
  for (const { line, value } of rows) {
    const where = `${file}:${line}`;
    const q = value as Record<string, unknown>;
    if (typeof q.iteration !== 'number' || typeof q.valid !== 'boolean') fail(where, 'a question row needs iteration (a number) and valid (true or false)');
    const iteration = q.iteration as number;
    lastIteration = Math.max(lastIteration, iteration);
    if (!q.valid) continue;
    const { question, choices, answer, influence, solver_trained: trained } = q;
    if (typeof question !== 'string' || !isStrings(choices) || typeof answer !== 'string') {
      fail(where, 'a valid question row needs question (a string), choices (strings) and answer (a letter)');
    }
    if (influence !== null && influence !== undefined && typeof influence !== 'number') fail(where, 'influence must be a number or null');
    if (trained !== undefined && typeof trained !== 'boolean') fail(where, 'solver_trained must be true or false');
    const score = typeof influence === 'number' ? influence : null;
    if (score !== null) {
      const s = sums.get(iteration) ?? [0, 0];
      sums.set(iteration, [s[0] + score, s[1] + 1]);
    }
    const trap = oneHopTrap(question as string, choices as string[], (choices as string[])[LETTERS.indexOf(answer as string)] ?? null);
    if (trap !== null) hops.push({ ...trap, iteration, influence: score, trained: trained as boolean | undefined });
  }
  return { hops, iterationMean: new Map([...sums].map(([it, [s, n]]) => [it, s / n])), lastIteration };
}

/** The run's iteration count: settings.json's where the folder has one, else the last iteration seen. */
function iterationsOf(dir: string, lastSeen: number): number {
  const path = join(dir, 'settings.json');
  if (!existsSync(path)) return lastSeen + 1;
  const settings = parseJsonFile(readText(path), path);
  const n = isPlainObject(settings) ? settings.iterations : undefined;
  return typeof n === 'number' ? n : fail(path, '"iterations" must be a number');
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (xs: number[]) => (xs.length === 0 ? '–' : mean(xs).toFixed(4));

function folderReport(dir: string): string[] {
  const runsDir = join(dir, 'runs');
  if (!existsSync(runsDir) || !statSync(runsDir).isDirectory()) fail(dir, 'an experiment folder needs a runs/ folder');
  const files = readdirSync(runsDir).filter((f) => f.endsWith('.questions.jsonl')).sort();
  if (files.length === 0) fail(runsDir, 'no *.questions.jsonl files');
  const out: string[] = [];
  for (const name of files) {
    const file = join(runsDir, name);
    const { hops, iterationMean, lastIteration } = readRun(file, parseJsonlFile(readText(file), file));
    if (out.length > 0) out.push('');
    out.push(`## ${file}`, '');
    if (lastIteration < 0) {
      out.push('No questions.');
      continue;
    }
    const iterations = iterationsOf(dir, lastIteration);
    const third = Math.max(1, Math.floor(iterations / 3));
    const early = (h: Hop) => h.iteration < third;
    const late = (h: Hop) => h.iteration >= iterations - third;
    const knowsTrained = hops.some((h) => h.trained !== undefined);
    out.push(`Valid two-hop questions, and those the Solver trained on. ${TRAP_NOTE}`, '');
    out.push(`| kind | trained on: trap offered | valid: trap offered | valid, iterations 0–${third - 1} | valid, iterations ${iterations - third}–${iterations - 1} | one-hop answer is golden: trained / valid | one-hop fact unstated: trained / valid |`);
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const row of ROWS) {
      const hs = inKind(hops, row);
      const trained = hs.filter((h) => h.trained === true);
      const [e, l] = [hs.filter(early), hs.filter(late)];
      out.push(`| ${row} | ${knowsTrained ? share(offered(trained), trained.length) : '– (not recorded)'} | ${share(offered(hs), hs.length)} | ` +
        `${share(offered(e), e.length)} | ${share(offered(l), l.length)} | ${count(trained, 'golden')} / ${count(hs, 'golden')} | ${count(trained, 'unstated')} / ${count(hs, 'unstated')} |`);
    }
    const scored = hops.filter((h) => h.influence !== null);
    out.push('');
    if (scored.length === 0) {
      out.push('No scored two-hop questions (no influence scores in this run).');
      continue;
    }
    // Centred on the iteration's mean over every scored question, so a kind or a trap share that moves
    // over the run does not borrow the drift of the scores.
    const centred = (hs: Hop[]) => hs.map((h) => h.influence! - iterationMean.get(h.iteration)!);
    out.push('Influence of valid scored two-hop questions, minus the mean of all scored questions of the same iteration.', '');
    out.push('| kind | with trap: n | with trap: centred influence | without trap: n | without trap: centred influence |', '| --- | --- | --- | --- | --- |');
    for (const row of ROWS) {
      const hs = inKind(scored, row);
      const [withTrap, without] = [hs.filter((h) => h.status === 'offered'), hs.filter((h) => h.status !== 'offered')];
      out.push(`| ${row} | ${withTrap.length} | ${fmt(centred(withTrap))} | ${without.length} | ${fmt(centred(without))} |`);
    }
  }
  return out;
}

// ---- main -------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const outArg = args.find((a) => a.startsWith('--out='));
const inputs = args.filter((a) => !a.startsWith('--'));
try {
  const unknown = args.find((a) => a.startsWith('--') && !a.startsWith('--out='));
  if (unknown !== undefined) fail(unknown, 'unknown option (only --out=FILE.md)');
  if (inputs.length === 0) fail('usage', 'give question files and/or experiment folders, e.g. experiments/target-twohop-ranked/dev.json experiments/NAME');
  const lines = ['# One-hop traps in two-hop questions', ''];
  for (const path of inputs) {
    if (!existsSync(path)) fail(path, 'no such file or folder');
    lines.push(...(statSync(path).isDirectory() ? folderReport(path) : fileReport(path)), '');
  }
  const text = `${lines.join('\n').trimEnd()}\n`;
  if (outArg === undefined) process.stdout.write(text);
  else writeFileSync(outArg.slice('--out='.length), text);
} catch (e) {
  // Every message names the input (and line) at fault, this script's own and the JSON readers' alike.
  console.error(`trap-report: ${(e as Error).message}`);
  process.exitCode = 1;
}
