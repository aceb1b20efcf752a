// Does the influence score prefer a sum whose right number is the largest choice? (issue 5,
// docs/experiment.md item 28.) In item 27's runs INFUSER ranked such sums higher, though the target's
// trip and war-end sums never have the right number largest. This probe writes each held-out sum twice,
// differing only in distractor values (orderTwins: the right number largest, and not), lets the untrained
// Solver answer both n times with the same sampling keys, and scores both answer groups against the
// pool's dev gradient exactly as Stage 4 does at iteration 0. It prints, per kind, the Solver's accuracy
// on each twin, how often it picks the largest number, and the paired influence difference.
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/order-probe.ts [--seed=1] [--answers=8] [--questions=120]
//     [--model=public/anchors/tiny-world-mixed-focus] [--heldout-file=public/world/heldout.json] [--dev-file=public/world/dev.json]
import { relative, resolve } from 'node:path';
import { parseFlags } from '../src/cli/args.ts';
import { DEFAULT_INPUTS, loadDev, loadRoleModel } from '../src/cli/run-inputs.ts';
import { Engine } from '../src/engine/engine.ts';
import { extractAnswer, scoreResponse } from '../src/infuser/answer-extraction.ts';
import type { DevQuestion } from '../src/data/dev-pool.ts';
import type { RunConfig } from '../src/infuser/config.ts';
import { createEngineRoles } from '../src/infuser/engine-roles.ts';
import { buildSolverMessages } from '../src/infuser/prompts.ts';
import { answerDevPool, answerGroup, influenceSettings, sampling } from '../src/infuser/iteration.ts';
import { isDegenerate } from '../src/infuser/rewards.ts';
import type { AnswerGroup } from '../src/infuser/roles.ts';
import { methodConfig, presetSettings } from '../src/experiment/settings.ts';
import { numericRank, orderTwins } from '../src/experiment/choice-rank.ts';
import { stat } from '../src/experiment/aggregate.ts';
import { acquireFastGpu } from '../src/world/fast-node-gpu.ts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const FLAGS = { seed: 'number', answers: 'number', model: 'string', questions: 'number', 'heldout-file': 'string', 'dev-file': 'string' } as const;

/** Mean and standard error (0 and 0 for none). */
const meanSe = (xs: number[]) => {
  const s = stat(xs);
  return s === null ? { m: 0, se: 0 } : { m: s.mean, se: s.std / Math.sqrt(s.n) };
};
const signed = (x: number, digits = 4) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(digits)}`;
const pct = (a: number, b: number) => `${b === 0 ? '–' : ((100 * a) / b).toFixed(1)}% (${a}/${b})`;

interface Twin { accuracy: number; answered: number; largestWrong: number; wrong: number; group: AnswerGroup | null }

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), FLAGS, 'order-probe');
  const seed = (flags.seed as number | undefined) ?? 1;
  const n = (flags.answers as number | undefined) ?? 8;
  const settings = presetSettings('full');
  // Item 26/27's run settings that bear on Stage 1 and Stage 4.
  settings.overrides = { ...settings.overrides, 'solver.rollout.n': 8, 'influence.use_momentum': true };
  const config: RunConfig = methodConfig(settings, 'infuser', seed);
  const warn = (m: string) => process.stderr.write(`warning: ${m}\n`);
  const modelDir = resolve((flags.model as string | undefined) ?? 'public/anchors/tiny-world-mixed-focus');
  const { model } = await loadRoleModel(modelDir, '--solver');
  const { questions: dev } = await loadDev(flags['dev-file'] as string | undefined, 'auto', config, warn, undefined, '--dev-file');
  const heldoutFile = (flags['heldout-file'] as string | undefined) ?? DEFAULT_INPUTS.heldout;
  // All of the file: loadDev's note that it holds fewer than asked is expected here.
  const { questions: all } = await loadDev(heldoutFile, 'auto', config, (m) => { if (!m.includes('fewer than')) warn(m); }, Number.MAX_SAFE_INTEGER, '--heldout-file');
  const limit = (flags.questions as number | undefined) ?? 120;
  const sums = all.filter((q) => q.extra.question_type === 'arithmetic' && orderTwins(q.choices, q.correct_index) !== null).slice(0, limit);
  const engine = new Engine(await acquireFastGpu('gles'));
  const { solver } = createEngineRoles(engine, { generator: model, solver: model, config });
  // The dev reference: Stage 1 of iteration 0.
  const devGroups = (await answerDevPool(solver, dev, config, 0)).filter((q) => !isDegenerate(q.scores)).map(answerGroup);
  const twin = async (q: DevQuestion, choices: string[], i: number): Promise<Twin> => {
    // The same keys for both twins: their answers differ only through the prompt.
    const promptIds = await solver.encodeChat(buildSolverMessages(q.question_text, choices));
    const answers = await solver.sample({ promptIds, n, stream: 'solver_sample', keys: [0, 'order', i], sampling: sampling(config, 'solver') });
    const good = LETTERS[q.correct_index];
    const scores = answers.map((a) => scoreResponse(a.text, good));
    const top = choices.findIndex((_, j) => numericRank(choices, j) === 0);
    const picks = answers.map((a) => extractAnswer(a.text));
    const wrong = picks.filter((p) => p !== null && p !== good);
    return {
      accuracy: scores.filter((s) => s !== null && s > 0).length, answered: answers.length, wrong: wrong.length,
      largestWrong: wrong.filter((p) => p === LETTERS[top]).length,
      group: isDegenerate(scores) ? null : answerGroup({ promptIds, answers, scores }),
    };
  };
  const rows: { kind: string; largest: Twin; other: Twin }[] = [];
  for (const [i, q] of sums.entries()) {
    const t = orderTwins(q.choices, q.correct_index)!;
    rows.push({ kind: `${String(q.extra.topic)}/arithmetic`, largest: await twin(q, t.largest, i), other: await twin(q, t.notLargest, i) });
  }
  const paired = rows.filter((r) => r.largest.group !== null && r.other.group !== null);
  const report = await solver.influence(devGroups, paired.flatMap((r) => [r.largest.group!, r.other.group!]), { ...influenceSettings(config, 0), calibrate: false });
  const score = new Map(paired.map((r, j) => [r, [report.questions[2 * j].score, report.questions[2 * j + 1].score] as const]));
  console.log(`# Influence by the right number's place: one sum, two distractor orders\n`);
  const shown = (path: string) => relative(process.cwd(), path) || path;
  console.log(`Model ${shown(modelDir)}; ${sums.length} held-out sums of ${shown(heldoutFile)}; dev pool: the first ${config['data.dev_pool_size']} of ${shown((flags['dev-file'] as string | undefined) ?? DEFAULT_INPUTS.dev)} `
    + `(${devGroups.length} non-degenerate groups); ${n} answers per twin, seed ${seed}, the same sampling keys for both twins; `
    + `influence at iteration 0 (${config['influence.mode']}, ${config['influence.similarity_mode']}, momentum ${config['influence.use_momentum']}). `
    + `"largest": the right number is the largest choice; "other": it is not. Wrong picks of the largest: of the wrong answers, those naming the largest number.\n`);
  console.log('| kind | sums | accuracy, largest | accuracy, other | wrong picks of the largest, other | pairs scored | influence, largest | influence, other | largest − other | largest higher |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const kind of [...[...new Set(rows.map((r) => r.kind))].sort(), 'all']) {
    const rs = rows.filter((r) => kind === 'all' || r.kind === kind);
    const sum = (f: (r: (typeof rs)[number]) => number) => rs.reduce((a, r) => a + f(r), 0);
    const ps = rs.filter((r) => score.has(r)).map((r) => score.get(r)!);
    const [l, o, d] = [meanSe(ps.map((p) => p[0])), meanSe(ps.map((p) => p[1])), meanSe(ps.map((p) => p[0] - p[1]))];
    console.log(`| ${kind} | ${rs.length} | ${pct(sum((r) => r.largest.accuracy), sum((r) => r.largest.answered))} | ${pct(sum((r) => r.other.accuracy), sum((r) => r.other.answered))} `
      + `| ${pct(sum((r) => r.other.largestWrong), sum((r) => r.other.wrong))} | ${ps.length} | ${signed(l.m)} | ${signed(o.m)} `
      + `| ${signed(d.m)} ± ${d.se.toFixed(4)} (se${ps.length > 1 && d.se > 0 ? `; t ${signed(d.m / d.se, 2)}` : ''}) | ${ps.filter((p) => p[0] > p[1]).length} of ${ps.length} |`);
  }
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(`order-probe: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
