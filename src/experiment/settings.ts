// What one experiment runs: methods × seeds × iterations on one shared run config. The presets are the
// two sizes issue 5 asks for: `full` (the reproduction, sized to finish in about an hour on a 2-core
// machine with the GLES adapter; docs/experiment.md gives the timing behind each number) and `ci`
// (1 seed, 2 iterations, the smallest settings the config allows).
import type { Flags } from '../cli/args.ts';
import { buildConfig, freezeConfig, parseCliOverride, type ConfigOverrides, type RunConfig } from '../infuser/config.ts';
import { METHOD_INFO, METHODS, parseMethods, type Method } from './methods.ts';

export interface ExperimentSettings {
  methods: Method[];
  seeds: number[];
  iterations: number;
  /** Run-config overrides shared by every method and seed (sizes, lengths, learning rates). */
  overrides: ConfigOverrides;
  /** Held-out questions (public/world/heldout.json) that every run's final Solver answers (0: none). */
  heldout: number;
  /**
   * Only generated questions whose golden answer the world's label check finds right are valid (the
   * rest are `failed_check`): an oracle the paper does not have, to measure what wrong labels cost.
   */
  checkLabels: boolean;
  /**
   * Document pool and anchor folder when not the built-in ones (scripts/experiment.ts --pool, --model), so
   * that a folder never mixes runs on other inputs; absent for the defaults, as in folders written before.
   */
  pool?: string;
  model?: string;
  /** Dev and held-out files when not the built-in ones (--dev-file, --heldout-file; a narrower target, item 22). */
  dev?: string;
  heldoutFile?: string;
}

/**
 * Learning rates for the tiny anchors (0.52M parameters; set for the previous 0.82M ones, not retuned). Adam moves each weight by about η per step whatever
 * the gradient's scale, and a run here takes only a few dozen optimizer steps, so the paper's 2e-6 / 4e-6
 * (an 8B model over 100 iterations of 16–32 steps) would leave a tiny model where it started: a probe at
 * 1e-4 gave a per-update ppo_kl of ~2e-4. The anchors were pretrained at 3e-3 decaying to 3e-4;
 * 2e-4 / 4e-4 keeps the paper's 1:2 Solver:Generator ratio and stays at or below the rate the anchors
 * finished pretraining with. Measured since (docs/experiment.md): a Solver at 1e-3 collapses, and over
 * 30 iterations a Generator at 4e-4 loses a quarter of its validity, 1e-4 barely learns, and 2e-4 keeps
 * validity while still moving. The preset's 8 iterations are too short for the erosion, so 4e-4 stays;
 * 30-iteration runs pass generator.actor.optim.lr=2e-4.
 */
export const TINY_MODEL_LR = { solver: 2e-4, generator: 4e-4 } as const;

/** Sizes shared by both presets: the smallest batches §9.1 allows, lengths that fit the anchors' replies. */
const SMALL_BATCHES: ConfigOverrides = {
  'training.doc_batch_size': 8,
  'data.dev_pool_size': 32,
  'solver.actor.optim.lr': TINY_MODEL_LR.solver,
  'generator.actor.optim.lr': TINY_MODEL_LR.generator,
};

export const EXPERIMENT_PRESETS = {
  full: {
    methods: [...METHODS],
    seeds: [1, 2, 3],
    iterations: 8,
    // Half of public/world/heldout.json (40 per dev kind), which no anchor or run trains on: the untrained
    // Solver's sampled accuracy on 64 questions varied ±0.035 across seeds, so a difference of a few
    // points needs hundreds (~2 min per run here; pass --heldout 480 for all of them).
    heldout: 240,
    checkLabels: false,
    overrides: {
      ...SMALL_BATCHES,
      // Every trained row costs one forward + backward pass per update and per influence gradient
      // (~0.3–1 s here), so the work of Stages 3–6 grows with the valid questions; at the anchors' 51%
      // validity n_G = 4 gives about 16 valid questions per iteration, and n_S = 4 keeps spread in
      // each question's answers (degenerate with p⁴ + (1−p)⁴ rather than p² + (1−p)²).
      'generator.rollout.n': 4,
      'solver.rollout.n': 4,
      // The anchors' Generator replies: median 54, p90 71 tokens; Solver replies: median 30, p90 36
      // (MODEL_CARD.md starting point); fewer than one Generator reply in ten is longer than 80 and cut.
      'generator.rollout.response_length': 80,
      'solver.rollout.response_length': 48,
    },
  },
  ci: {
    methods: [...METHODS],
    seeds: [1],
    iterations: 2,
    heldout: 8,
    checkLabels: false,
    overrides: {
      ...SMALL_BATCHES,
      'generator.rollout.n': 2,
      'solver.rollout.n': 2,
      'generator.rollout.response_length': 80,
      'solver.rollout.response_length': 48,
    },
  },
} as const satisfies Record<string, ExperimentSettings>;
export type ExperimentPreset = keyof typeof EXPERIMENT_PRESETS;

/** A mutable copy of a preset. */
export function presetSettings(name: ExperimentPreset): ExperimentSettings {
  const p = EXPERIMENT_PRESETS[name];
  if (p === undefined) {
    throw new Error(`Unknown experiment preset "${String(name)}"; known: ${Object.keys(EXPERIMENT_PRESETS).join(', ')}`);
  }
  return { methods: [...p.methods], seeds: [...p.seeds], iterations: p.iterations, heldout: p.heldout, checkLabels: p.checkLabels,
    overrides: { ...p.overrides },
  };
}

/** The frozen run config of one (method, seed); `base` carries the shared config with reward mode `fixed`. */
export function methodConfig(settings: ExperimentSettings, method: Method, seed: number): RunConfig {
  return freezeConfig(buildConfig({
    overrides: {
      ...settings.overrides,
      'training.seed': seed,
      'training.iterations': settings.iterations,
      'training.reward_mode': METHOD_INFO[method].rewardMode ?? 'fixed',
      ...METHOD_INFO[method].overrides,
    },
  }));
}

/** Throws on settings no run could use: empty lists, duplicate seeds, bad iteration counts or config keys. */
export function checkSettings(s: ExperimentSettings): void {
  if (s.methods.length === 0) throw new Error('experiment settings: no methods');
  if (s.seeds.length === 0) throw new Error('experiment settings: no seeds');
  if (new Set(s.seeds).size !== s.seeds.length) throw new Error(`experiment settings: duplicate seeds in ${s.seeds.join(',')}`);
  if (!(Number.isInteger(s.iterations) && s.iterations >= 1)) {
    throw new Error(`experiment settings: iterations must be an integer ≥ 1, got ${s.iterations}`);
  }
  if (!(Number.isInteger(s.heldout) && s.heldout >= 0)) {
    throw new Error(`experiment settings: heldout must be an integer ≥ 0, got ${s.heldout}`);
  }
  for (const seed of s.seeds) methodConfig(s, s.methods[0], seed);
}

/** The settings scripts/experiment.ts flags ask for: the preset, then --seeds, --methods, --set and the input files. */
export function settingsFromFlags(flags: Flags): ExperimentSettings {
  const s = presetSettings((flags.preset ?? 'full') as ExperimentPreset);
  if (flags.seeds !== undefined) {
    s.seeds = String(flags.seeds).split(',').map((x) => {
      if (!/^\d+$/.test(x.trim())) throw new Error(`--seeds: "${x}" is not a non-negative integer`);
      return Number(x);
    });
  }
  if (flags.iterations !== undefined) s.iterations = flags.iterations as number;
  if (flags.methods !== undefined) s.methods = parseMethods(String(flags.methods));
  if (flags.heldout !== undefined) s.heldout = flags.heldout as number;
  if (flags['check-labels'] === true) s.checkLabels = true;
  if (flags.pool !== undefined) s.pool = String(flags.pool);
  if (flags.model !== undefined) s.model = String(flags.model);
  if (flags['dev-file'] !== undefined) s.dev = String(flags['dev-file']);
  if (flags['heldout-file'] !== undefined) s.heldoutFile = String(flags['heldout-file']);
  for (const item of (flags.set as string[] | undefined) ?? []) {
    const { key, value } = parseCliOverride(`--${item}`);
    const own = OWN_KEYS[key as keyof typeof OWN_KEYS];
    if (own !== undefined) throw new Error(`--set ${key}: every run sets this key itself; use ${own}`);
    const setBy = s.methods.filter((m) => METHOD_INFO[m].overrides !== undefined && key in METHOD_INFO[m].overrides!);
    if (setBy.length > 0) throw new Error(`--set ${key}: method ${setBy.join(', ')} sets this key itself (${METHOD_INFO[setBy[0]].description})`);
    s.overrides[key] = value;
  }
  checkSettings(s);
  return s;
}

/** Run-config keys methodConfig writes for every run, with the flag that sets them; a --set of them would be overwritten. */
const OWN_KEYS = { 'training.seed': '--seeds', 'training.iterations': '--iterations', 'training.reward_mode': '--methods' } as const;
