// Merges the runs of several experiment folders of one experiment (same settings but methods and seeds)
// into a new folder, and writes its results table, JSON and plot as scripts/experiment.ts would have
// (src/experiment/merge-experiments.ts says what must agree). A run found in two folders must be the
// same file in both. iterations.jsonl, a progress log, is not merged.
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/merge-experiments.ts --out=experiments/results-30-all experiments/results-30 experiments/results-30-more
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadDev } from '../src/cli/run-inputs.ts';
import { finishedRuns, targetOf, writeResults } from '../src/experiment/experiment.ts';
import { mergeSettings, planCopies, type SourceFolder } from '../src/experiment/merge-experiments.ts';
import { checkSettings, methodConfig, type ExperimentSettings } from '../src/experiment/settings.ts';

async function main(): Promise<void> {
  const out = process.argv.findLast((a) => a.startsWith('--out='))?.slice('--out='.length);
  if (!out) throw new Error('merge-experiments: --out=DIR (a new folder) is required');
  const dirs = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`merge-experiments: ${out} exists and is not empty; name a new folder`);
  const sources: SourceFolder[] = dirs.map((dir) => {
    const path = join(dir, 'settings.json');
    if (!existsSync(path)) throw new Error(`merge-experiments: ${dir} is not an experiment folder (no settings.json)`);
    return { dir, settings: JSON.parse(readFileSync(path, 'utf8')) as ExperimentSettings };
  });
  const settings = mergeSettings(sources);
  checkSettings(settings);
  const copies = planCopies(
    sources.map((s) => ({ dir: s.dir, files: readdirSync(join(s.dir, 'runs')) })),
    (file, a, b) => readFileSync(join(a, 'runs', file)).equals(readFileSync(join(b, 'runs', file))),
  );
  mkdirSync(join(out, 'runs'), { recursive: true });
  for (const c of copies) copyFileSync(join(c.from, 'runs', c.file), join(out, 'runs', c.file));
  writeFileSync(join(out, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);

  const config = methodConfig(settings, settings.methods[0], settings.seeds[0]);
  const { path: devPath, questions: dev } = await loadDev(settings.dev, 'auto', config, (m) => console.warn(m), undefined, '--dev-file');
  const { devKinds, chance } = targetOf(dev);
  const finished = await finishedRuns(out, settings);
  await writeResults({
    settings, outDir: resolve(out), title: `INFUSER reproduction on the tiny world (${basename(resolve(out))})`,
    setupNotes: [`merged from ${dirs.join(', ')} (scripts/merge-experiments.ts); model: ${settings.model ?? 'public/anchors/tiny-world'}; pool: ${settings.pool ?? 'public/world/documents.json'}; dev: ${devPath}`],
  }, finished, devKinds, chance);
  const runs = copies.filter((c) => /-seed\d+\.json$/.test(c.file)).length;
  console.log(`merge-experiments: ${runs} runs (${finished.heldout.length} with held-out answers) from ${dirs.length} folders -> ${join(out, 'results.md')}`);
}

main().catch((e: unknown) => {
  console.error(`merge-experiments: ${(e as Error).message}`);
  process.exit(1);
});
