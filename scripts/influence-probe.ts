// Can the influence score tell a rightly labelled question from a wrongly labelled one, at the anchors'
// scale? (issue 5, docs/experiment.md.) The held-out questions (public/world/heldout.json) are real world
// questions with right labels. The Solver answers each one n times; the same answers are then scored
// twice, against the right letter and against a wrong one (the wrong letter its answers pick most, as a
// Generator's mistake would), and both answer groups get an influence score against the pool's dev
// gradient, exactly as Stage 4 computes it. A useful score ranks the right twin above the wrong one.
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/influence-probe.ts [--seed=1] [--answers=8] [--heldout=64] [--model=DIR]
import { resolve } from 'node:path';
import { parseFlags } from '../src/cli/args.ts';
import { DEFAULT_INPUTS, loadDev, loadRoleModel } from '../src/cli/run-inputs.ts';
import { Engine } from '../src/engine/engine.ts';
import { scoreResponse, extractAnswer } from '../src/infuser/answer-extraction.ts';
import type { DevQuestion } from '../src/data/dev-pool.ts';
import type { RunConfig } from '../src/infuser/config.ts';
import { createEngineRoles } from '../src/infuser/engine-roles.ts';
import { buildSolverMessages } from '../src/infuser/prompts.ts';
import { answerDevPool, answerGroup, influenceSettings, sampling } from '../src/infuser/iteration.ts';
import { isDegenerate } from '../src/infuser/rewards.ts';
import type { AnswerGroup } from '../src/infuser/roles.ts';
import { methodConfig, presetSettings } from '../src/experiment/settings.ts';
import { acquireFastGpu } from '../src/world/fast-node-gpu.ts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const FLAGS = { seed: 'number', answers: 'number', model: 'string', heldout: 'number' } as const;

const stats = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { m, sd, se: sd / Math.sqrt(xs.length) };
};

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), FLAGS, 'influence-probe');
  const seed = (flags.seed as number | undefined) ?? 1;
  const n = (flags.answers as number | undefined) ?? 8;
  const settings = presetSettings('full');
  const config: RunConfig = methodConfig(settings, 'infuser', seed);
  const heldout = (flags.heldout as number | undefined) ?? 64;
  const engine = new Engine(await acquireFastGpu('gles'));
  const { model } = await loadRoleModel(resolve((flags.model as string | undefined) ?? 'public/anchors/tiny-world'), '--solver');
  const warn = (m: string) => process.stderr.write(`warning: ${m}\n`);
  const { questions: dev } = await loadDev(undefined, 'auto', config, warn);
  const { questions: held } = await loadDev(DEFAULT_INPUTS.heldout, 'auto', config, warn, heldout, '--heldout');
  const { solver } = createEngineRoles(engine, { generator: model, solver: model, config });
  const answer = async (q: DevQuestion, i: number, count: number, tag: string) => {
    const promptIds = await solver.encodeChat(buildSolverMessages(q.question_text, q.choices));
    const answers = await solver.sample({ promptIds, n: count, stream: 'solver_sample', keys: [0, tag, i], sampling: sampling(config, 'solver') });
    return { q, promptIds, answers };
  };
  // The dev reference: Stage 1 of iteration 0.
  const devGroups = (await answerDevPool(solver, dev, config, 0)).filter((q) => !isDegenerate(q.scores)).map(answerGroup);
  const right: AnswerGroup[] = [];
  const wrong: AnswerGroup[] = [];
  const kinds: string[] = [];
  let skipped = 0;
  for (let i = 0; i < held.length; i++) {
    const { q, promptIds, answers } = await answer(held[i], i, n, 'probe');
    const good = LETTERS[q.correct_index];
    const picks = answers.map((a) => extractAnswer(a.text)).filter((x): x is string => x !== null && x !== good);
    const counts = new Map<string, number>();
    for (const p of picks) counts.set(p, (counts.get(p) ?? 0) + 1);
    const bad = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const rightScores = answers.map((a) => scoreResponse(a.text, good));
    const wrongScores = bad === undefined ? null : answers.map((a) => scoreResponse(a.text, bad));
    if (wrongScores === null || isDegenerate(rightScores) || isDegenerate(wrongScores)) {
      skipped++;
      continue;
    }
    right.push(answerGroup({ promptIds, answers, scores: rightScores }));
    wrong.push(answerGroup({ promptIds, answers, scores: wrongScores }));
    kinds.push(`${String(q.extra.topic)}/${String(q.extra.question_type)}`);
  }
  console.log(`seed ${seed}: ${devGroups.length} non-degenerate dev groups; ${right.length} question pairs (${skipped} skipped: degenerate or no wrong pick); ${n} answers each`);
  // Iteration 0's settings, without the projected mode's calibration pass.
  const report = await solver.influence(devGroups, [...right, ...wrong], { ...influenceSettings(config, 0), calibrate: false });
  const scores = report.questions.map((q) => q.score);
  const r = scores.slice(0, right.length);
  const w = scores.slice(right.length);
  const d = r.map((x, i) => x - w[i]);
  const [sr, sw, sd] = [stats(r), stats(w), stats(d)];
  console.log(`right labels: mean ${sr.m.toFixed(4)} ± ${sr.se.toFixed(4)} (se); wrong labels: mean ${sw.m.toFixed(4)} ± ${sw.se.toFixed(4)}`);
  console.log(`paired right − wrong: ${sd.m.toFixed(4)} ± ${sd.se.toFixed(4)} (se), t = ${(sd.m / sd.se).toFixed(2)}; right ranked above wrong in ${d.filter((x) => x > 0).length} of ${d.length}`);
  console.log(`influence mode ${config['influence.mode']}, similarity ${config['influence.similarity_mode']}, ref norm ${report.refNorm.toExponential(3)}`);
  console.log(JSON.stringify({ seed, right: r, wrong: w, kinds }));
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(`influence-probe: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
