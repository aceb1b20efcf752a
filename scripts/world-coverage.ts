// How much room the built-in world leaves between training data, documents and dev questions (issue 5,
// docs/experiment.md): for each kind the dev set tests, how many distinct problems the fact base allows,
// how many dev and held-out questions the documents state, and how many of the kind's problems the
// anchors' SFT data shows (never a dev or held-out question: the line after the table checks it).
// With --solver DIR it also measures what the SFT leak fixed after commit 59699b7 cost: in the scale-1
// world (--scale=1 --heldout=0) the documents that state only dev questions made 38 of their 39 dev
// questions Generator targets, and the Solver (sharing those weights) answers them, sampled (16 per
// question) and greedily, beside the clean dev questions of the same kinds.
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/world-coverage.ts [--seed=5] [--scale=10] [--heldout=480] [--draws=4000] [--solver public/anchors/tiny-world]
import { resolve } from 'node:path';
import { parseFlags } from '../src/cli/args.ts';
import { loadRoleModel } from '../src/cli/run-inputs.ts';
import { Engine } from '../src/engine/engine.ts';
import { scoreResponse } from '../src/infuser/answer-extraction.ts';
import { createEngineRoles } from '../src/infuser/engine-roles.ts';
import { buildSolverMessages } from '../src/infuser/prompts.ts';
import { methodConfig, presetSettings } from '../src/experiment/settings.ts';
import { acquireFastGpu } from '../src/world/fast-node-gpu.ts';
import { buildWorld, DEFAULT_WORLD, DEV_KINDS } from '../src/world/documents.ts';
import { worldStream } from '../src/world/facts.ts';
import { drawProblem, questionText } from '../src/world/problems.ts';
import { buildSftExamples } from '../src/world/sft.ts';

const FLAGS = { seed: 'number', scale: 'number', heldout: 'number', draws: 'number', solver: 'string' } as const;
const flags = parseFlags(process.argv.slice(2), FLAGS, 'world-coverage');
const seed = (flags.seed as number | undefined) ?? DEFAULT_WORLD.seed;
const draws = (flags.draws as number | undefined) ?? 4000;

const scale = (flags.scale as number | undefined) ?? DEFAULT_WORLD.scale;
const world = buildWorld({ seed, scale, heldoutQuestions: (flags.heldout as number | undefined) ?? DEFAULT_WORLD.heldoutQuestions });
const dev = new Map(world.dev.map((d) => [d.question_text, d]));
const heldout = new Set(world.heldout.map((d) => d.question_text));
const stated = new Set(world.documents.flatMap((d) => d.problems.map(questionText)));
const sft = buildSftExamples(world);
const trained = { generator: new Set<string>(), solver: new Set<string>() };
for (const e of sft) trained[e.role].add(e.question);
const onlyDev = world.documents.filter((d) => d.problems.every((p) => dev.has(questionText(p))));

console.log(`World seed ${seed}, scale ${scale}: ${world.documents.length} documents, ${world.dev.length} dev and ${world.heldout.length} held-out questions, `
  + `${sft.length} SFT examples; distinct problems counted over ${draws} draws per kind.`);
const onlyEval = world.documents.filter((d) => d.problems.every((p) => dev.has(questionText(p)) || heldout.has(questionText(p))));
console.log(`${onlyEval.length} documents state only dev or held-out questions (the SFT passes over them).\n`);
console.log('| dev kind | distinct problems | dev questions | stated in documents | held-out questions | stated in documents | SFT Generator targets | SFT Solver prompts | in none of these |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [topic, type] of DEV_KINDS) {
  const texts = new Set<string>();
  for (let i = 0; i < draws; i++) texts.add(questionText(drawProblem(world.facts, topic, type, worldStream(seed, 'coverage', i))));
  const devOfKind = world.dev.filter((d) => d.topic === topic && d.question_type === type);
  const count = (set: Set<string>) => [...texts].filter((t) => set.has(t)).length;
  const heldOfKind = world.heldout.filter((d) => d.topic === topic && d.question_type === type);
  const free = [...texts].filter((t) => !dev.has(t) && !heldout.has(t) && !stated.has(t) && !trained.generator.has(t) && !trained.solver.has(t)).length;
  console.log(`| ${topic}/${type} | ${texts.size} | ${devOfKind.length} | ${devOfKind.filter((d) => stated.has(d.question_text)).length} `
    + `| ${heldOfKind.length} | ${heldOfKind.filter((d) => stated.has(d.question_text)).length} `
    + `| ${count(trained.generator)} | ${count(trained.solver)} | ${free} |`);
}
const leaked = sft.filter((e) => dev.has(e.question) || heldout.has(e.question)).length;
console.log(`\nSFT examples whose question is a dev or held-out question: ${leaked}.`);

if (flags.solver !== undefined) {
  const exposed = new Set(onlyDev.flatMap((d) => d.problems.map(questionText)));
  const config = methodConfig(presetSettings('full'), 'fixed', 1);
  const engine = new Engine(await acquireFastGpu('gles'));
  const { model } = await loadRoleModel(resolve(String(flags.solver)), '--solver');
  const { solver } = createEngineRoles(engine, { generator: model, solver: model, config });
  const n = 16;
  const sampling = { temperature: config['solver.rollout.temperature'], topP: config['solver.rollout.top_p'], maxNewTokens: config['solver.rollout.response_length'] };
  const cells = new Map<string, { questions: number; sampled: number; greedy: number }>();
  for (const [i, q] of world.dev.entries()) {
    const promptIds = await solver.encodeChat(buildSolverMessages(q.question_text, q.choices));
    const sampled = await solver.sample({ promptIds, n, stream: 'solver_sample', keys: [0, 'coverage', i], sampling });
    const [greedy] = await solver.sample({ promptIds, n: 1, stream: 'solver_sample', keys: [0, 'coverage-greedy', i], sampling: { ...sampling, temperature: 0 } });
    const key = `${q.topic}/${q.question_type} | ${exposed.has(q.question_text) ? 'exposed' : 'clean'}`;
    const c = cells.get(key) ?? { questions: 0, sampled: 0, greedy: 0 };
    cells.set(key, c);
    c.questions++;
    c.sampled += sampled.filter((a) => scoreResponse(a.text, q.ground_truth) === 1).length / n;
    c.greedy += scoreResponse(greedy.text, q.ground_truth) === 1 ? 1 : 0;
  }
  console.log(`\nSolver ${String(flags.solver)} on the dev questions the old SFT could target (exposed) and the rest (clean):\n`);
  console.log('| dev kind | set | questions | sampled accuracy | greedy accuracy |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [key, c] of [...cells.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    console.log(`| ${key} | ${c.questions} | ${(c.sampled / c.questions).toFixed(3)} | ${(c.greedy / c.questions).toFixed(3)} |`);
  }
  process.exit(0);
}
