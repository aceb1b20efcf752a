// The small-scale reproduction of the paper's comparison (issue 5, docs/experiment.md): base Solver,
// fixed Generator, INFUSER, R-Zero and SPICE rewards, several seeds each, on the built-in world, in one
// node process on the GLES adapter. Writes experiments/<name>/ (results.md, results.json,
// target-accuracy.svg, per-run records); a rerun with the same name skips finished runs.
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/experiment.ts [flags]
// Flags:
//   --preset full|ci       sizes (src/experiment/settings.ts; default full)
//   --name NAME            output folder experiments/NAME (default: the preset's name)
//   --seeds 1,2,3  --iterations N  --methods base,fixed,infuser,rzero,spice,dev_only[,fixed_top,fixed_random,infuser_top,fixed_nolookup,infuser_nolookup]
//   --set key=value (repeatable)
//   --heldout N            held-out questions each run's final Solver answers (the first N of --heldout-file)
//   --heldout-file PATH    dev-format questions kept out of every run (default public/world/heldout.json)
//   --dev-file PATH        the target (dev) set (default public/world/dev.json); scripts/narrow-target.ts
//                          writes a dev and held-out pair restricted to some kinds
//   --check-labels         only questions whose golden answer the world's label check finds right are valid
//   --model DIR            anchor folder for both roles (default public/anchors/tiny-world)
//   --pool PATH            document pool (default public/world/documents.json; the mixed world:
//                          public/world-mixed/documents.json, scripts/build-world.ts --mixed=1)
//   --adapter gles|default (default gles: Dawn's OpenGL ES backend on llvmpipe)
//   --processes N          seeds run in N child processes side by side (default: one per seed, at most 3).
//                          A run waits on the GPU more than it computes, so on a 2-core machine 3
//                          processes finish about 3× sooner than one.
//   --shard I/N            run only the seeds at positions ≡ I (mod N) in this process (what each child gets)
//   --measure-anchors      instead: measure the anchors' starting point (Generator validity and right
//                          labels on 64 documents × 2, --measure-documents N for more; Solver accuracy on 96 dev × 4, --dev-file's); --write-card appends it to
//                          <model>/MODEL_CARD.md
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { parseFlags, type Flags } from '../src/cli/args.ts';
import { DEFAULT_INPUTS, loadDev, loadPool, loadRoleModel } from '../src/cli/run-inputs.ts';
import { Engine } from '../src/engine/engine.ts';
import type { RunConfig } from '../src/infuser/config.ts';
import { DocumentSampler, docsShuffle } from '../src/infuser/document-sampler.ts';
import { createEngineRoles } from '../src/infuser/engine-roles.ts';
import { acquireFastGpu, type AdapterChoice } from '../src/world/fast-node-gpu.ts';
import { checkLabel } from '../src/world/question-check.ts';
import { runExperiment } from '../src/experiment/experiment.ts';
import { evaluateGenerator, evaluateSolver } from '../src/experiment/role-evaluation.ts';
import { methodConfig, presetSettings, settingsFromFlags } from '../src/experiment/settings.ts';
import { startingPointSection, withStartingPoint } from '../src/experiment/starting-point.ts';

const FLAGS = {
  preset: 'string', name: 'string', seeds: 'string', iterations: 'number', methods: 'string', set: 'list',
  model: 'string', adapter: 'string', 'measure-anchors': 'boolean', 'measure-documents': 'string', 'write-card': 'boolean', shard: 'string',
  processes: 'number', heldout: 'number', 'heldout-file': 'string', 'dev-file': 'string', 'check-labels': 'boolean', pool: 'string',
} as const;

/** "--shard 1/3" → run the seeds at positions ≡ 1 (mod 3); processes with different shards share one folder. */
function shardFrom(flags: Flags): { index: number; count: number } | undefined {
  if (flags.shard === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(String(flags.shard));
  if (m === null) throw new Error(`--shard must look like INDEX/COUNT (e.g. 0/3), got '${String(flags.shard)}'`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

const warn = (m: string) => process.stderr.write(`warning: ${m}\n`);
const stamp = () => new Date().toISOString().slice(11, 19);

async function measureAnchors(engine: Engine, modelDir: string, pool: string | undefined, devFile: string | undefined, adapter: string,
  writeCard: boolean, documentCount: number): Promise<void> {
  const seed = 1;
  const settings = presetSettings('full');
  settings.overrides = {
    ...settings.overrides, 'data.dev_pool_size': 96, 'generator.rollout.n': 2, 'solver.rollout.n': 4,
    'generator.rollout.response_length': 192, 'solver.rollout.response_length': 96,
  };
  const config: RunConfig = methodConfig(settings, 'fixed', seed);
  const { model } = await loadRoleModel(modelDir, '--generator');
  const { documents } = await loadPool(pool, model.tokenizer, config, warn);
  const { questions: dev } = await loadDev(devFile, 'auto', config, warn, undefined, '--dev-file');
  const picked = new DocumentSampler(documents.length, docsShuffle(seed)).nextBatch(documentCount).map((i) => documents[i]);
  const roles = createEngineRoles(engine, { generator: model, solver: model, config });
  console.log(`${stamp()} measuring Generator validity on ${picked.length} documents × 2`);
  const generator = await evaluateGenerator(roles.generator, picked, config, 0, (text, golden) => checkLabel(text, golden).verdict === 'right');
  console.log(`${stamp()} measuring Solver accuracy on ${dev.length} dev questions × 4`);
  const solver = await evaluateSolver(roles.solver, dev, config, 0);
  const section = startingPointSection({
    generator, solver, documents: picked.length, generatorSamples: 2, devQuestions: dev.length, solverSamples: 4, ...(devFile ? { devFile } : {}),
    temperature: config['solver.rollout.temperature'], generatorMaxTokens: 192, solverMaxTokens: 96, seed, adapter,
  });
  console.log(section);
  if (writeCard) {
    const path = join(modelDir, 'MODEL_CARD.md');
    writeFileSync(path, withStartingPoint(readFileSync(path, 'utf8'), section));
    console.log(`${stamp()} appended the starting point to ${path}`);
  }
}

const nameOf = (flags: Flags) => (flags.name as string | undefined) ?? ((flags.preset as string | undefined) ?? 'full');
const outDirOf = (flags: Flags) => resolve('experiments', nameOf(flags));

/** Re-runs this script once per shard with the same flags, prefixing each child's output lines. */
async function runShards(count: number): Promise<void> {
  const script = process.argv[1];
  const children = Array.from({ length: count }, (_, i) => new Promise<number>((done) => {
    const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2), '--shard', `${i}/${count}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (!line.startsWith('Warning: max')) console.log(`[shard ${i}] ${line}`);
      });
    }
    child.on('close', (code) => done(code ?? 1));
  }));
  const codes = await Promise.all(children);
  const failed = codes.flatMap((c, i) => (c === 0 ? [] : [i]));
  if (failed.length > 0) throw new Error(`shard(s) ${failed.join(', ')} of ${count} failed; rerun the same command to finish the missing runs`);
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), FLAGS, 'experiment');
  if (!flags['measure-anchors'] && flags.shard === undefined) {
    const seeds = settingsFromFlags(flags).seeds.length;
    const count = (flags.processes as number | undefined) ?? Math.min(3, seeds);
    if (!(Number.isInteger(count) && count >= 1)) throw new Error(`--processes must be an integer ≥ 1, got ${count}`);
    if (count > 1) {
      await runShards(Math.min(count, seeds));
      console.log(`${stamp()} experiment done: ${join(outDirOf(flags), 'results.md')}`);
      return;
    }
  }
  const modelDir = resolve((flags.model as string | undefined) ?? 'public/anchors/tiny-world');
  const choice = ((flags.adapter as string | undefined) ?? 'gles') as AdapterChoice;
  if (choice !== 'gles' && choice !== 'default') throw new Error(`--adapter must be gles or default, got '${String(choice)}'`);
  const settings = flags['measure-anchors'] ? null : settingsFromFlags(flags);
  const gpu = await acquireFastGpu(choice);
  const engine = new Engine(gpu);
  const adapter = gpu.adapter.description || gpu.adapter.device || 'unknown adapter';
  console.log(`${stamp()} adapter: ${adapter}`);
  const pool = flags.pool as string | undefined;
  if (settings === null) {
    const count = Number(flags['measure-documents'] ?? 64);
    if (!Number.isInteger(count) || count < 1) throw new Error(`experiment: --measure-documents must be a positive integer, got ${flags['measure-documents']}`);
    return measureAnchors(engine, modelDir, pool, flags['dev-file'] as string | undefined, adapter, flags['write-card'] === true, count);
  }
  const name = nameOf(flags);
  const outDir = outDirOf(flags);
  const config = methodConfig(settings, settings.methods[0], settings.seeds[0]);
  const { model } = await loadRoleModel(modelDir, '--generator');
  const { path: poolPath, documents } = await loadPool(pool, model.tokenizer, config, warn);
  const { path: devPath, questions: dev } = await loadDev(settings.dev, 'auto', config, warn, undefined, '--dev-file');
  const heldoutFile = settings.heldoutFile ?? DEFAULT_INPUTS.heldout;
  const { questions: heldout } = settings.heldout > 0 ? await loadDev(heldoutFile, 'auto', config, warn, settings.heldout, '--heldout-file') : { questions: [] };
  console.log(`${stamp()} ${settings.methods.length} methods × ${settings.seeds.length} seeds × ${settings.iterations} iterations -> ${outDir}`);
  await runExperiment(
    {
      settings, outDir, title: `INFUSER reproduction on the tiny world (${name})`,
      setupNotes: [`model: ${modelDir} (both roles); ${documents.length} documents (${poolPath}), ${dev.length} dev questions, `
        + `${heldout.length} held-out questions (${settings.heldout > 0 ? heldoutFile : 'none'}); dev: ${devPath}; adapter: ${adapter}`],
      log: (line) => console.log(`${stamp()} ${line}`),
      shard: shardFrom(flags),
    },
    { engine, model, documents, dev, heldout },
  );
  console.log(`${stamp()} experiment done: ${join(outDir, 'results.md')}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`experiment: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
