// RunConfig: every setting of a run (spec §4–§7, §9.1, §9.4), its lab default, type and allowed range.
// Keys are the spec's dotted reference strings where the spec names one (`influence.similarity_mode`),
// lab-only keys use the same dotted style. Order of application is fixed: defaults → preset → overrides
// (CLI `--key=value`, UI form or a saved JSON). Callers: CLI, UI config store, reference export.
// The model's shape never lives here; it comes from the checkpoint.
import { SOLVER_FILTER_ALPHA_OF, SOLVER_FILTER_MODES } from './solver-filter.ts';

const ADVANTAGE_MODES = ['group_std', 'none', 'hybrid_std', 'batch_std'] as const;
const SIMILARITY_MODES = ['dot', 'cosine', 'preconditioned_dot', 'preconditioned_cosine'] as const;

interface IntSpec { kind: 'int'; default: number; min: number; max: number; multipleOf?: number; doc: string }
interface NumberSpec { kind: 'number'; default: number; min: number; max: number; minExclusive?: boolean; doc: string }
interface BoolSpec { kind: 'boolean'; default: boolean; doc: string }
interface EnumSpec<V extends readonly string[]> { kind: 'enum'; default: V[number]; values: V; doc: string }
interface PairSpec { kind: 'pair'; default: readonly [number, number]; min: number; maxExclusive: number; doc: string }
type SettingSpec = IntSpec | NumberSpec | BoolSpec | EnumSpec<readonly string[]> | PairSpec;

const int = (d: number, min: number, max: number, doc: string, multipleOf?: number): IntSpec =>
  ({ kind: 'int', default: d, min, max, doc, multipleOf });
const num = (d: number, min: number, max: number, doc: string, minExclusive = false): NumberSpec =>
  ({ kind: 'number', default: d, min, max, doc, minExclusive });
const bool = (d: boolean, doc: string): BoolSpec => ({ kind: 'boolean', default: d, doc });
const oneOf = <const V extends readonly string[]>(d: V[number], values: V, doc: string): EnumSpec<V> =>
  ({ kind: 'enum', default: d, values, doc });
const pair = (d: readonly [number, number], doc: string): PairSpec =>
  ({ kind: 'pair', default: d, min: 0, maxExclusive: 1, doc });

const ROLLOUT_N_DOC = 'samples per prompt; n = 1 is rejected (§9.1: rule (10) would turn raw rewards into advantages)';

/** Every setting, in display and save order. Ranges follow spec §9.1 where it gives one. */
export const CONFIG_SCHEMA = {
  'training.seed': int(42, 0, 4294967295, 'run seed, the only source of randomness (§9.5)'),
  'training.iterations': int(100, 1, 1000, 'outer iterations (reference max_ans_loop = max_gen_loop)'),
  'training.save_every_n_steps': int(5, 1, 1000, 'checkpoint cadence in iterations of CLI runs (the last is always saved); the browser keeps one live checkpoint, written after every iteration'),
  'training.doc_batch_size': int(16, 8, 32, 'B_doc, document slots per iteration (multiple of 4)', 4),
  'generator.rollout.n': int(4, 2, 8, `n_G, questions per document; ${ROLLOUT_N_DOC}`),
  'solver.rollout.n': int(4, 2, 8, `n_S, answers per question; ${ROLLOUT_N_DOC}`),
  'data.dev_pool_size': int(64, 32, 128, 'N_V, dev questions taken from the imported pool (first N, pool order)'),
  'training.dev_rollout_subsample_size': int(0, 0, 128, 'dev questions drawn per iteration; 0 = all (§2.4 Stage 1)'),
  'data.chunk_tokens': int(512, 64, 4096, 'max Generator-tokenizer tokens per .txt/.md chunk (§10.1)'),
  'generator.prompt_template': oneOf('compact', ['compact', 'reference'] as const,
    'Generator prompt (§3.1): reference = the paper\'s eight-step prompt, compact = three keys, for small models'),
  'generator.rollout.temperature': num(0.7, 0, 2, 'sampling temperature T, also divides training logits (3)', true),
  'generator.rollout.top_p': num(1, 0, 1, 'nucleus sampling mass; 1 = off', true),
  'generator.rollout.prompt_length': int(1024, 128, 8192, 'max Generator prompt tokens; longer documents are skipped'),
  'generator.rollout.response_length': int(768, 16, 8192, 'max Generator response tokens'),
  'solver.rollout.temperature': num(0.7, 0, 2, 'sampling temperature T, also divides training logits (3)', true),
  'solver.rollout.top_p': num(1, 0, 1, 'nucleus sampling mass; 1 = off', true),
  'solver.rollout.prompt_length': int(1024, 128, 8192, 'max Solver prompt tokens; longer questions are prompt_too_long'),
  'solver.rollout.response_length': int(512, 16, 8192, 'max Solver response tokens'),
  'generator.actor.optim.lr': num(4e-6, 0, 1e-2, 'Generator learning rate η (constant, no warm-up)', true),
  'generator.actor.optim.betas': pair([0.9, 0.999], 'Generator AdamW β₁, β₂ (9)'),
  'generator.actor.optim.eps': num(1e-8, 0, 1e-3, 'Generator AdamW ε_A (9)', true),
  'generator.actor.optim.weight_decay': num(0.01, 0, 1, 'Generator decoupled weight decay λ (9)'),
  'generator.actor.grad_clip': num(1, 0, 1e6, 'Generator gradient-norm clip (8)', true),
  'generator.actor.clip_ratio_low': num(0.2, 0, 1, 'Generator PPO clip ε low (6)'),
  'generator.actor.clip_ratio_high': num(0.2, 0, 10, 'Generator PPO clip ε high (6)'),
  'generator.actor.clip_ratio_c': num(3, 1, 100, 'Generator dual-clip c (6), must exceed 1', true),
  'generator.actor.kl_loss_coef': num(0, 0, 10,
    'Generator KL penalty β to its starting weights (verl use_kl_loss, low_var_kl); 0 = off, as in the spec (§4); > 0 keeps a frozen copy of the model'),
  'solver.actor.optim.lr': num(2e-6, 0, 1e-2, 'Solver learning rate η (constant, no warm-up)', true),
  'solver.actor.optim.betas': pair([0.9, 0.999], 'Solver AdamW β₁, β₂ (9); β₂ also enters the preconditioner (17)'),
  'solver.actor.optim.eps': num(1e-8, 0, 1e-3, 'Solver AdamW ε_A (9), also in the preconditioner (17)', true),
  'solver.actor.optim.weight_decay': num(0.01, 0, 1, 'Solver decoupled weight decay λ (9)'),
  'solver.actor.grad_clip': num(1, 0, 1e6, 'Solver gradient-norm clip (8)', true),
  'solver.actor.clip_ratio_low': num(0.2, 0, 1, 'Solver PPO clip ε low (6)'),
  'solver.actor.clip_ratio_high': num(0.2, 0, 10, 'Solver PPO clip ε high (6)'),
  'solver.actor.clip_ratio_c': num(3, 1, 100, 'Solver dual-clip c (6), must exceed 1', true),
  'solver.actor.kl_loss_coef': num(0, 0, 10,
    'Solver KL penalty β to its starting weights (verl use_kl_loss, low_var_kl); 0 = off, as in the spec (§4); > 0 keeps a frozen copy of the model'),
  'algorithm.generator_normalization_mode': oneOf('hybrid_std', ADVANTAGE_MODES, 'Generator advantages (§5); hybrid_std = DuGRPO'),
  'algorithm.solver_normalization_mode': oneOf('none', ADVANTAGE_MODES, 'Solver advantages (§5); none = Dr.GRPO'),
  'training.reward_mode': oneOf('infuser', ['infuser', 'fixed', 'rzero', 'spice', 'dev_only'] as const,
    'Generator reward (§7): influence, fixed generator, R-Zero difficulty, SPICE variance, or dev-only Solver'),
  'training.gen_invalid_penalty': num(0, -10, 10, 'reward of invalid Generator rows (§6.6); changes incentives'),
  'rzero.p_hat': oneOf('golden', ['golden', 'majority'] as const, 'R-Zero p̂ (19): share agreeing with the golden answer or the majority letter'),
  'spice.target_variance': num(0.25, 0, 0.25, 'SPICE target variance in (20)'),
  'spice.variance_scale': num(0.02, 0, 1, 'SPICE width in (20)', true),
  'influence.similarity_mode': oneOf('preconditioned_cosine', SIMILARITY_MODES, 'influence similarity (18)'),
  'influence.degenerate_reward': oneOf('zero', ['zero', 'below_live'] as const,
    'INFUSER reward of degenerate questions: zero (F-R2) or below_live (lab departure: under every scored question of the iteration, and invalid rows get that floor plus gen_invalid_penalty)'),
  'influence.use_momentum': bool(false, 'keep u as an EMA of the dev gradient across iterations (§6.2)'),
  'influence.momentum_beta': num(0.9, 0, 1, 'EMA weight of the previous u (§6.2)'),
  'influence.solver_filter_mode': oneOf('none', SOLVER_FILTER_MODES,
    'Solver data (reference ablation): none = every non-degenerate question (§2.3); top/random_k = k per document by influence or at random; top/random_alpha = a share of all'),
  'influence.solver_filter_k': int(1, 1, 8, 'questions kept per document by top_k / random_k'),
  'influence.solver_filter_alpha': num(1, 0, 1, 'share kept by top_alpha / random_alpha (⌈α·count⌉)'),
  'influence.solver_filter_alpha_of': oneOf('valid', SOLVER_FILTER_ALPHA_OF,
    'what α counts: every valid question (reference; degenerate ones included) or the non-degenerate ones (lab)'),
  'influence.mode': oneOf('exact', ['exact', 'projected'] as const, 'exact scores (§6) or random-projection scores (§9.4)'),
  'influence.projection.option': oneOf('P3', ['P1', 'P2', 'P3'] as const,
    'P1 precondition then project; P2 frozen v, question side; P3 frozen v, dev side (§9.4; P4, factored D, is not offered)'),
  'influence.projection.family': oneOf('factored', ['factored', 'sparse'] as const,
    'sparse: sparse JL of each question\'s full gradient; factored: per-matrix P_out ⊗ P_in sketches from one batched backward (P3 only)'),
  'influence.projection.k': int(4096, 256, 16384, 'projection width k (R3); factored: per-matrix k_o · k_i'),
  'influence.projection.redraw': oneOf('per_iteration', ['per_iteration', 'fixed'] as const, 'draw P per iteration or once per run (R2)'),
  'influence.projection.calibrate_every': int(10, 1, 1000, 'iterations between exact-vs-projected fidelity checks (R5)'),
  'influence.projection.spearman_warn': num(0.8, -1, 1, 'UI warns when influence_proj/spearman falls below this (R5)'),
  'validation.reject_duplicate_choices': bool(true, 'reject questions with duplicate choices (§3.3); false = reference parity'),
} as const satisfies Record<string, SettingSpec>;

type Schema = typeof CONFIG_SCHEMA;
export type ConfigKey = keyof Schema;
type ValueOf<S> = S extends IntSpec | NumberSpec ? number
  : S extends BoolSpec ? boolean
  : S extends EnumSpec<infer V> ? V[number]
  : S extends PairSpec ? readonly [number, number]
  : never;

/** One typed value per key of CONFIG_SCHEMA. */
export type RunConfig = { readonly [K in ConfigKey]: ValueOf<Schema[K]> };
export type ConfigValue = RunConfig[ConfigKey];
export type ConfigOverrides = Partial<Record<string, unknown>>;

export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];

/** The lab defaults of spec §9.1 and §4. */
export function defaultConfig(): RunConfig {
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const spec: SettingSpec = CONFIG_SCHEMA[key];
    out[key] = spec.kind === 'pair' ? [...spec.default] : spec.default;
  }
  return out as RunConfig;
}

/** Uncalibrated: small models (≤ 1.5B) move little at 2e-6 within 100 iterations (§9.1 "to be calibrated"). */
export const SMALL_MODEL_LR_FACTOR = 5;

const scaled = (lr: number): number => Number((lr * SMALL_MODEL_LR_FACTOR).toPrecision(12));

/** Named presets, applied on top of the defaults and before user overrides. */
export const PRESETS = {
  small_model: {
    'solver.actor.optim.lr': scaled(CONFIG_SCHEMA['solver.actor.optim.lr'].default),
    'generator.actor.optim.lr': scaled(CONFIG_SCHEMA['generator.actor.optim.lr'].default),
  },
} as const satisfies Record<string, Partial<RunConfig>>;
export type PresetName = keyof typeof PRESETS;

/** Defaults → preset → overrides, validated. */
export function buildConfig(options: { preset?: PresetName | null; overrides?: ConfigOverrides } = {}): RunConfig {
  let config = defaultConfig();
  if (options.preset != null) {
    const preset = PRESETS[options.preset];
    if (preset === undefined) {
      throw new Error(`Unknown preset "${String(options.preset)}"; known presets: ${Object.keys(PRESETS).join(', ')}`);
    }
    config = applyOverrides(config, preset);
  }
  return applyOverrides(config, options.overrides ?? {});
}

/** Returns a new config with the overrides applied; unknown keys, wrong types and out-of-range values throw. */
export function applyOverrides(config: RunConfig, overrides: ConfigOverrides): RunConfig {
  const out: Record<string, unknown> = { ...config };
  for (const [key, value] of Object.entries(overrides)) {
    const spec = specFor(key);
    checkValue(key, spec, value);
    out[key] = spec.kind === 'pair' ? [...(value as number[])] : value;
  }
  // P1/P2 need per-question gradients: choosing one without a family (or a config saved before the
  // family setting existed) means the sparse family
  const option = overrides['influence.projection.option' as keyof ConfigOverrides];
  if ((option === 'P1' || option === 'P2') && !('influence.projection.family' in overrides)) out['influence.projection.family'] = 'sparse';
  const result = out as RunConfig;
  checkCrossFields(result);
  return result;
}

function specFor(key: string): SettingSpec {
  if (!Object.hasOwn(CONFIG_SCHEMA, key)) {
    const leaf = key.split('.').pop() ?? key;
    const near = CONFIG_KEYS.filter((k) => k.endsWith(`.${leaf}`) || editDistance(k, key) <= 2);
    const hint = near.length > 0 ? ` Did you mean ${near.map((k) => `"${k}"`).join(' or ')}?` : '';
    throw new Error(`Unknown config key "${key}".${hint}`);
  }
  return CONFIG_SCHEMA[key as ConfigKey];
}

/** Levenshtein distance, for "did you mean" hints on mistyped keys. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function describe(value: unknown): string {
  return Array.isArray(value) ? `array ${JSON.stringify(value)}` : `${typeof value} ${JSON.stringify(value)}`;
}

function checkNumber(key: string, spec: IntSpec | NumberSpec, value: number): void {
  const low = spec.kind === 'number' && spec.minExclusive ? value <= spec.min : value < spec.min;
  if (low || value > spec.max) {
    const lowText = spec.kind === 'number' && spec.minExclusive ? `> ${spec.min}` : `≥ ${spec.min}`;
    throw new Error(`Config key "${key}": ${value} is out of range (allowed ${lowText} and ≤ ${spec.max}; ${spec.doc})`);
  }
  if (spec.kind === 'int' && spec.multipleOf !== undefined && value % spec.multipleOf !== 0) {
    throw new Error(`Config key "${key}": ${value} must be a multiple of ${spec.multipleOf} (${spec.doc})`);
  }
}

function checkValue(key: string, spec: SettingSpec, value: unknown): void {
  const wrongType = (expected: string): Error =>
    new Error(`Config key "${key}" expects ${expected}, got ${describe(value)}`);
  switch (spec.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType('an integer');
      return checkNumber(key, spec, value);
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType('a finite number');
      return checkNumber(key, spec, value);
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType('true or false');
      return;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) throw wrongType(`one of ${spec.values.join(' | ')}`);
      return;
    case 'pair': {
      const isPair = Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number' && Number.isFinite(v));
      if (!isPair) throw wrongType('two numbers [β₁, β₂]');
      if (!(value as number[]).every((v) => v >= spec.min && v < spec.maxExclusive)) {
        throw new Error(`Config key "${key}": ${JSON.stringify(value)} must lie in [${spec.min}, ${spec.maxExclusive})`);
      }
    }
  }
}

function checkCrossFields(c: RunConfig): void {
  if (c['training.dev_rollout_subsample_size'] > c['data.dev_pool_size']) {
    throw new Error(`Config key "training.dev_rollout_subsample_size": ${c['training.dev_rollout_subsample_size']} exceeds `
      + `"data.dev_pool_size" ${c['data.dev_pool_size']} (0 = use all)`);
  }
  if (c['data.chunk_tokens'] >= c['generator.rollout.prompt_length']) {
    throw new Error(`Config key "data.chunk_tokens": ${c['data.chunk_tokens']} must be below `
      + `"generator.rollout.prompt_length" ${c['generator.rollout.prompt_length']}, or every document prompt is too long`);
  }
  if (c['influence.solver_filter_mode'] !== 'none' && c['training.reward_mode'] === 'dev_only') {
    throw new Error(`Config key "influence.solver_filter_mode": ${c['influence.solver_filter_mode']} filters generated questions, `
      + 'and "training.reward_mode" dev_only generates none (set the filter to none)');
  }
  if (c['influence.projection.family'] === 'factored' && c['influence.projection.option'] !== 'P3') {
    throw new Error(`Config key "influence.projection.option": ${c['influence.projection.option']} needs per-question gradients; `
      + `the "factored" family sketches option P3 only (set "influence.projection.family" to "sparse" for P1/P2)`);
  }
  // The sparse family scores the cosine of the option-preconditioned sketches (§9.4), whatever mode is set.
  if (c['influence.mode'] === 'projected' && c['influence.projection.family'] === 'sparse'
    && c['influence.similarity_mode'] !== 'preconditioned_cosine') {
    throw new Error(`Config key "influence.similarity_mode": ${c['influence.similarity_mode']} is not what projected scores of the `
      + `"sparse" family measure (the cosine of option ${c['influence.projection.option']}'s preconditioned sketches); set it to `
      + 'preconditioned_cosine, use "influence.projection.family" factored (P3), or "influence.mode" exact');
  }
}

/** PPO mini-batch in prompts for both roles: a quarter of the document batch (§9.1). */
export function ppoMiniBatchPrompts(config: RunConfig): number {
  return config['training.doc_batch_size'] / 4;
}

/** Parses one `--key=value` argument; the value is read according to the key's type. */
export function parseCliOverride(arg: string): { key: ConfigKey; value: ConfigValue } {
  const match = /^--([^=]+)=(.*)$/s.exec(arg);
  if (match === null) throw new Error(`Config override "${arg}" must look like --key=value`);
  const [, key, raw] = match;
  const spec = specFor(key);
  const value = parseRaw(key, spec, raw.trim());
  checkValue(key, spec, value);
  return { key: key as ConfigKey, value: value as ConfigValue };
}

/** Parses many `--key=value` arguments into one overrides object (later ones win). */
export function parseCliOverrides(args: readonly string[]): ConfigOverrides {
  const out: ConfigOverrides = {};
  for (const arg of args) {
    const { key, value } = parseCliOverride(arg);
    out[key] = value;
  }
  return out;
}

function parseRaw(key: string, spec: SettingSpec, raw: string): unknown {
  const bad = (expected: string): Error => new Error(`Config key "${key}" expects ${expected}, got "${raw}"`);
  switch (spec.kind) {
    case 'int':
      if (!/^[+-]?\d+$/.test(raw)) throw bad('an integer');
      return Number(raw);
    case 'number': {
      const value = raw === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value)) throw bad('a number');
      return value;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw bad('true or false');
      return raw === 'true';
    case 'enum':
      return raw;
    case 'pair': {
      const parts = raw.replace(/^\[|\]$/g, '').split(',').map((s) => s.trim());
      const values = parts.map((s) => (s === '' ? Number.NaN : Number(s)));
      if (values.length !== 2 || values.some((v) => !Number.isFinite(v))) throw bad('two numbers, e.g. 0.9,0.999');
      return values;
    }
  }
}

/** Serialises every setting, in schema order, as pretty JSON. */
export function configToJson(config: RunConfig): string {
  const ordered: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) ordered[key] = config[key];
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Reads a saved config: missing keys take defaults, unknown keys and bad values are errors naming `source`. */
export function configFromJson(text: string, source = 'config.json'): RunConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${source}: expected a JSON object of "key": value settings`);
  }
  try {
    return applyOverrides(defaultConfig(), parsed as ConfigOverrides);
  } catch (error) {
    throw new Error(`${source}: ${(error as Error).message}`);
  }
}

/** Deep-freezes a config at run start; later writes throw in strict mode. */
export function freezeConfig(config: RunConfig): RunConfig {
  for (const value of Object.values(config)) {
    if (Array.isArray(value)) Object.freeze(value);
  }
  return Object.freeze(config);
}
