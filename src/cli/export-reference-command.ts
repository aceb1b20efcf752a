// `infuser-lab export-reference`: turns a headless run folder into what the reference's multi-GPU stack
// reads (spec §10.2): documents.json, dev.json, run_config.json and the Hydra file infuser_lab.yaml.
// Reads only the run folder (config.json, data/, metrics.jsonl, run-state.json); the mapping itself
// is data/reference-export.ts, shared with the browser's zip export.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { exportForReference } from '../data/reference-export.ts';
import { INFLUENCE_PROJ } from '../infuser/metrics.ts';
import { parseFlags } from './args.ts';
import type { Command } from './command.ts';
import { folderKind, labVersion, lastMetrics, parseRunState, readSavedRun, RUN_FILES } from './run-folder.ts';

const FLAGS = { run: 'string', out: 'string', 'model-id': 'string', 'scale-out': 'boolean' } as const;

export const EXPORT_REFERENCE_HELP = `infuser-lab export-reference --run DIR --out DIR2 [--model-id ID] [--scale-out]

Writes what continuing a lab run on the reference's multi-GPU stack (FFishy-git/INFUSER,
verl_inf_evolve) needs, into DIR2 (which must be new or empty):
  documents.json     the run's document pool, in the reference's format (content first)
  dev.json           the run's dev questions, ground truth as an uppercase letter
  run_config.json    {lab_version, seed, lab_settings, reference_overrides, unmapped, fidelity}:
                     the run's settings mapped onto the reference's dotted keys (spec §10.2), and
                     the lab-only settings with what the reference does instead
  infuser_lab.yaml   the same overrides as a Hydra experiment file (# @package _global_), to place
                     in verl_inf_evolve/config/experiment_<family>/

  --run DIR          a folder written by infuser-lab run
  --out DIR2         where to write the four files
  --model-id ID      written to generator.model.path and solver.model.path (default: the model
                     folder the run started from; edit it for your cluster)
  --scale-out        rewrite sizes to the reference's (128 documents x 8 x 8, 4096/8192 tokens),
                     keeping every algorithm choice
The run's weights stay in DIR/checkpoints/latest/{generator,solver} (Hugging Face folders).
`;

const PROJ_KEYS: ReadonlySet<string> = new Set(Object.values(INFLUENCE_PROJ));

/** The last R5 fidelity figures (influence_proj/*, written on calibration iterations only), or null. */
async function fidelityFigures(runDir: string): Promise<Record<string, number> | null> {
  const record = await lastMetrics(runDir, (m) => Object.keys(m).some((k) => PROJ_KEYS.has(k)));
  return record === null ? null : Object.fromEntries(Object.entries(record).filter(([k]) => PROJ_KEYS.has(k)));
}

/** Reads the run folder and writes the export; checks everything before writing anything. */
export async function exportReference(runDir: string, outDir: string, options: { modelId?: string; scaleOut?: boolean } = {}): Promise<string[]> {
  if ((await folderKind(runDir)) !== 'run') {
    throw new Error(`--run ${runDir}: not a run folder (config.json and checkpoints/ are missing)`);
  }
  const kind = await folderKind(outDir);
  if (kind !== 'absent' && kind !== 'empty') throw new Error(`--out ${outDir} exists and is not an empty folder; choose a new one`);
  const saved = await readSavedRun(runDir);
  const statePath = join(runDir, RUN_FILES.runState);
  const state = parseRunState(await readFile(statePath, 'utf8'), statePath);
  const files = exportForReference({
    config: saved.config,
    documents: saved.documents,
    devPool: saved.dev,
    labVersion: state.labVersion || labVersion(),
    modelId: options.modelId ?? state.models.generator,
    fidelity: await fidelityFigures(runDir),
    scaleOut: options.scaleOut ?? false,
  });
  await mkdir(outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(outDir, name), text);
  return Object.keys(files);
}

export const exportReferenceCommand: Command = {
  name: 'export-reference',
  summary: 'write a run\'s pool, dev set and settings for the reference\'s multi-GPU stack',
  help: EXPORT_REFERENCE_HELP,
  async run(argv) {
    const flags = parseFlags(argv, FLAGS, 'export-reference');
    if (flags.run === undefined || flags.out === undefined) {
      throw new Error('--run DIR and --out DIR2 are required (see infuser-lab export-reference --help)');
    }
    const outDir = resolve(flags.out as string);
    const written = await exportReference(resolve(flags.run as string), outDir, {
      modelId: flags['model-id'] as string | undefined,
      scaleOut: flags['scale-out'] === true,
    });
    process.stderr.write(`wrote ${written.join(', ')} to ${outDir}\n`);
    return 0;
  },
};
