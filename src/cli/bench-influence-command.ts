// `infuser-lab bench-influence`: projected vs exact influence on the built-in world (influence-bench.ts).
import { buildConfig } from '../infuser/config.ts';
import { roleFromModel } from '../infuser/engine-roles.ts';
import { BENCH_VARIANTS, runInfluenceBench, type BenchQuestion, type BenchVariant, type InfluenceBenchRow } from '../infuser/influence-bench.ts';
import type { EngineSolverRole } from '../infuser/influence-role.ts';
import { loadModel } from '../model/load-model.ts';
import { formatBytes } from '../model/model-memory.ts';
import { buildWorld, shuffledChoices } from '../world/documents.ts';
import { questionText } from '../world/problems.ts';
import { worldStream } from '../world/facts.ts';
import { parseFlags } from './args.ts';
import type { Command } from './command.ts';
import { modelFolder, printJson, withEngine } from './model-flags.ts';

const DEFAULT_MODEL = 'public/anchors/tiny-world';

function worldQuestions(seed: number, count: number): { questions: BenchQuestion[]; dev: ReturnType<typeof buildWorld>['dev'] } {
  const world = buildWorld();
  const devTexts = new Set(world.dev.map((d) => d.question_text));
  const questions: BenchQuestion[] = [];
  for (let i = 0; questions.length < count && i < world.documents.length; i++) {
    const doc = world.documents[(i * 7919) % world.documents.length];
    const p = doc.problems.find((q) => !devTexts.has(questionText(q)));
    if (!p) continue;
    const { choices, letter } = shuffledChoices(p, worldStream(seed, 'bench-influence', i));
    questions.push({ questionText: questionText(p), choices, letter });
  }
  return { questions, dev: world.dev };
}

function line(r: InfluenceBenchRow): string {
  const name = r.mode === 'exact' ? 'exact' : `projected (${r.option}, k=${r.k})`;
  const f = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));
  return `${name.padEnd(34)} ${String(r.questions).padStart(3)} q  ${f(r.seconds, 2).padStart(8)} s  speedup ${f(r.speedup, 2).padStart(6)}  spearman ${f(r.spearman).padStart(6)}  pearson ${f(r.pearson).padStart(6)}  peak ${formatBytes(r.peakLiveBytes)}`;
}

export const benchInfluenceCommand: Command = {
  name: 'bench-influence',
  summary: 'benchmark projected vs exact influence scores on the built-in world',
  help: `infuser-lab bench-influence [--model DIR] [--questions 32] [--dev 64] [--n 4] [--ks 1024,4096,16384]
                             [--options P1,P2,P3,P3-factored] [--warm-steps 1] [--seed 1]

The Solver (default: the built-in anchors in ${DEFAULT_MODEL}) answers built-in dev questions and world
questions n times each; after one Solver step (so the Adam second moment is set), the same questions
are scored exactly (spec §6) and with each projection option and width k (spec §9.4; P1–P3 with the
sparse family, P3-factored with per-matrix P_out ⊗ P_in sketches; --warm-steps sets how many Solver
steps precede scoring, i.e. the age t of the Adam second moment). Prints one JSON
object per row and a table: seconds to score the questions (the shared dev-gradient pass excluded),
speed-up over exact, Spearman and Pearson correlation with the exact scores, peak GPU bytes held by tensors.
`,
  async run(argv) {
    const f = parseFlags(argv, { model: 'string', questions: 'number', dev: 'number', n: 'number', ks: 'string', options: 'string', seed: 'number', 'warm-steps': 'number' }, 'bench-influence');
    const seed = (f.seed as number | undefined) ?? 1;
    const target = (f.questions as number | undefined) ?? 32;
    const ks = String(f.ks ?? '1024,4096,16384').split(',').map(Number);
    const options = String(f.options ?? 'P1,P2,P3,P3-factored').split(',') as BenchVariant[];
    const unknown = options.find((o) => !BENCH_VARIANTS.includes(o));
    if (unknown) throw new Error(`bench-influence: unknown --options entry "${unknown}"; use ${BENCH_VARIANTS.join(', ')}`);
    const { questions, dev } = worldQuestions(seed, target * 4);
    return withEngine(async (e) => {
      const { model, tokenizer } = await loadModel(e, await modelFolder((f.model as string | undefined) ?? DEFAULT_MODEL), { requireTokenizer: true });
      const solver = roleFromModel(e, model, tokenizer!, buildConfig({ overrides: { 'training.seed': seed } }), 'solver') as EngineSolverRole;
      const devQuestions = dev.slice(0, (f.dev as number | undefined) ?? 64).map((d, i) => ({
        question_id: d.question_id, question_text: d.question_text, choices: d.choices, correct_index: 'ABCDEFGH'.indexOf(d.ground_truth), extra: { i },
      }));
      const rows = await runInfluenceBench(solver, {
        questions, dev: devQuestions, nS: (f.n as number | undefined) ?? 4, target, ks, options, seed,
        warmSteps: (f['warm-steps'] as number | undefined) ?? 1,
        onLog: (l) => process.stderr.write(`${l}\n`),
      });
      rows.forEach((r) => printJson(r));
      process.stdout.write(`\n${rows.map(line).join('\n')}\n`);
      solver.dispose();
      return 0;
    });
  },
};
