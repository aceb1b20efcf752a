import { describe, expect, it } from 'vitest';
import {
  CONFIG_KEYS, applyOverrides, buildConfig, configFromJson, configToJson, defaultConfig, freezeConfig,
  parseCliOverride, parseCliOverrides, ppoMiniBatchPrompts, SMALL_MODEL_LR_FACTOR,
} from './config.ts';

describe('defaults (§9.1, §4)', () => {
  it('holds the lab defaults of §9.1 and the §4 knobs', () => {
    const c = defaultConfig();
    expect(c['training.doc_batch_size']).toBe(16);
    expect(c['generator.rollout.n']).toBe(4);
    expect(c['solver.rollout.n']).toBe(4);
    expect(c['data.dev_pool_size']).toBe(64);
    expect(c['solver.rollout.temperature']).toBe(0.7);
    expect(c['generator.rollout.top_p']).toBe(1);
    expect(c['solver.actor.optim.lr']).toBe(2e-6);
    expect(c['generator.actor.optim.lr']).toBe(4e-6);
    expect(c['solver.actor.optim.betas']).toEqual([0.9, 0.999]);
    expect(c['solver.actor.optim.eps']).toBe(1e-8);
    expect(c['generator.actor.optim.weight_decay']).toBe(0.01);
    expect(c['solver.actor.grad_clip']).toBe(1);
    expect([c['solver.actor.clip_ratio_low'], c['solver.actor.clip_ratio_high'], c['solver.actor.clip_ratio_c']]).toEqual([0.2, 0.2, 3]);
    expect([c['solver.rollout.prompt_length'], c['solver.rollout.response_length']]).toEqual([1024, 512]);
    expect(c['generator.rollout.response_length']).toBe(768);
    expect(c['data.chunk_tokens']).toBe(512);
    expect(c['training.gen_invalid_penalty']).toBe(0);
    expect(c['training.reward_mode']).toBe('infuser');
    expect(c['influence.similarity_mode']).toBe('preconditioned_cosine');
    expect(c['influence.mode']).toBe('exact');
    expect(c['influence.projection.k']).toBe(4096);
    expect(c['influence.projection.calibrate_every']).toBe(10);
    expect(c['influence.projection.spearman_warn']).toBe(0.8);
    expect(c['algorithm.generator_normalization_mode']).toBe('hybrid_std');
    expect(c['algorithm.solver_normalization_mode']).toBe('none');
    expect(c['training.iterations']).toBe(100);
    expect(c['training.save_every_n_steps']).toBe(5);
    expect(c['validation.reject_duplicate_choices']).toBe(true);
  });

  it('mini-batch is B_doc/4 prompts: 4 at the default, 8 at B_doc 32', () => {
    expect(ppoMiniBatchPrompts(defaultConfig())).toBe(4);
    expect(ppoMiniBatchPrompts(buildConfig({ overrides: { 'training.doc_batch_size': 32 } }))).toBe(8);
  });

  it('returns a fresh copy each call', () => {
    const a = defaultConfig() as unknown as { 'solver.actor.optim.betas': number[] };
    a['solver.actor.optim.betas'][0] = 0.5;
    expect(defaultConfig()['solver.actor.optim.betas'][0]).toBe(0.9);
  });
});

describe('presets and override order', () => {
  it('small_model scales both learning rates by one factor, keeping the 1:2 ratio', () => {
    const c = buildConfig({ preset: 'small_model' });
    expect(c['solver.actor.optim.lr']).toBeCloseTo(2e-6 * SMALL_MODEL_LR_FACTOR, 18);
    expect(c['generator.actor.optim.lr']).toBeCloseTo(4e-6 * SMALL_MODEL_LR_FACTOR, 18);
    expect(c['generator.actor.optim.lr'] / c['solver.actor.optim.lr']).toBeCloseTo(2, 12);
  });

  it('overrides win over the preset', () => {
    const c = buildConfig({ preset: 'small_model', overrides: { 'solver.actor.optim.lr': 3e-6 } });
    expect(c['solver.actor.optim.lr']).toBe(3e-6);
    expect(c['generator.actor.optim.lr']).toBeCloseTo(4e-6 * SMALL_MODEL_LR_FACTOR, 18);
  });

  it('rejects an unknown preset by name', () => {
    expect(() => buildConfig({ preset: 'huge' as never })).toThrow(/Unknown preset "huge"/);
  });

  it('does not mutate its input', () => {
    const base = defaultConfig();
    applyOverrides(base, { 'training.seed': 7 });
    expect(base['training.seed']).toBe(42);
  });
});

describe('validation names the key', () => {
  const bad: [string, unknown, RegExp][] = [
    ['training.seeed', 1, /Unknown config key "training.seeed".*"training.seed"/s],
    ['similarity_mode', 'dot', /Unknown config key "similarity_mode".*"influence.similarity_mode"/s],
    ['solver.rollout.n', 1, /"solver.rollout.n": 1 is out of range.*n = 1 is rejected/],
    ['generator.rollout.n', 9, /"generator.rollout.n": 9 is out of range/],
    ['training.doc_batch_size', 18, /"training.doc_batch_size": 18 must be a multiple of 4/],
    ['training.doc_batch_size', 36, /out of range/],
    ['training.doc_batch_size', '16', /"training.doc_batch_size" expects an integer, got string "16"/],
    ['training.iterations', 0, /"training.iterations": 0 is out of range/],
    ['training.iterations', 1001, /out of range/],
    ['training.iterations', 2.5, /expects an integer/],
    ['influence.projection.k', 128, /"influence.projection.k": 128 is out of range/],
    ['influence.projection.k', 16385, /out of range/],
    ['influence.similarity_mode', 'angle', /one of dot \| cosine \| preconditioned_dot \| preconditioned_cosine/],
    ['influence.use_momentum', 'yes', /expects true or false/],
    ['solver.actor.optim.betas', [0.9], /expects two numbers/],
    ['solver.actor.optim.betas', [0.9, 1], /must lie in \[0, 1\)/],
    ['solver.actor.optim.lr', 0, /> 0/],
    ['solver.rollout.temperature', Number.NaN, /expects a finite number/],
    ['solver.actor.clip_ratio_c', 1, /"solver.actor.clip_ratio_c": 1 is out of range/],
    ['data.dev_pool_size', 16, /out of range/],
  ];
  for (const [key, value, pattern] of bad) {
    it(`rejects ${key} = ${JSON.stringify(value)}`, () => {
      expect(() => applyOverrides(defaultConfig(), { [key]: value })).toThrow(pattern);
    });
  }

  it('accepts the edges of the allowed ranges', () => {
    const c = buildConfig({ overrides: {
      'training.doc_batch_size': 8, 'solver.rollout.n': 2, 'generator.rollout.n': 8, 'training.iterations': 1000,
      'influence.projection.k': 16384, 'data.dev_pool_size': 128,
    } });
    expect(c['training.doc_batch_size']).toBe(8);
    expect(c['influence.projection.k']).toBe(16384);
  });

  it('checks the dev subsample against the dev pool size', () => {
    expect(() => buildConfig({ overrides: { 'training.dev_rollout_subsample_size': 65 } }))
      .toThrow(/"training.dev_rollout_subsample_size": 65 exceeds "data.dev_pool_size" 64/);
    expect(buildConfig({ overrides: { 'training.dev_rollout_subsample_size': 32 } })['training.dev_rollout_subsample_size']).toBe(32);
  });

  it('checks the chunk size against the Generator prompt limit', () => {
    expect(() => buildConfig({ overrides: { 'data.chunk_tokens': 1024 } })).toThrow(/"data.chunk_tokens": 1024 must be below/);
  });
});

describe('CLI overrides', () => {
  it('reads each value by the key type', () => {
    expect(parseCliOverride('--training.seed=123')).toEqual({ key: 'training.seed', value: 123 });
    expect(parseCliOverride('--solver.actor.optim.lr=1e-5')).toEqual({ key: 'solver.actor.optim.lr', value: 1e-5 });
    expect(parseCliOverride('--influence.use_momentum=true')).toEqual({ key: 'influence.use_momentum', value: true });
    expect(parseCliOverride('--influence.mode=projected')).toEqual({ key: 'influence.mode', value: 'projected' });
    expect(parseCliOverride('--solver.actor.optim.betas=0.8,0.99')).toEqual({ key: 'solver.actor.optim.betas', value: [0.8, 0.99] });
    expect(parseCliOverride('--solver.actor.optim.betas=[0.8, 0.99]').value).toEqual([0.8, 0.99]);
  });

  it('rejects malformed arguments, unknown keys and wrong types by key', () => {
    expect(() => parseCliOverride('training.seed=1')).toThrow(/must look like --key=value/);
    expect(() => parseCliOverride('--training.seed')).toThrow(/must look like --key=value/);
    expect(() => parseCliOverride('--nope=1')).toThrow(/Unknown config key "nope"/);
    expect(() => parseCliOverride('--training.seed=1.5')).toThrow(/"training.seed" expects an integer, got "1.5"/);
    expect(() => parseCliOverride('--solver.actor.optim.lr=')).toThrow(/"solver.actor.optim.lr" expects a number/);
    expect(() => parseCliOverride('--influence.use_momentum=1')).toThrow(/expects true or false/);
    expect(() => parseCliOverride('--solver.rollout.n=1')).toThrow(/n = 1 is rejected/);
    expect(() => parseCliOverride('--influence.projection.option=P5')).toThrow(/one of P1 \| P2 \| P3,/);
    expect(() => buildConfig({ overrides: { 'influence.projection.option': 'P1', 'influence.projection.family': 'factored' } }))
      .toThrow(/factored" family sketches option P3 only/);
    // P1 alone (or a config saved before the family setting) means the sparse family
    expect(buildConfig({ overrides: { 'influence.projection.option': 'P1' } })['influence.projection.family']).toBe('sparse');
    expect(configFromJson('{"influence.projection.option": "P2"}')['influence.projection.family']).toBe('sparse');
    expect(defaultConfig()['influence.projection.family']).toBe('factored');
    // Sparse projected scores are always the preconditioned cosine; another similarity is refused, not ignored.
    const sparse = { 'influence.mode': 'projected', 'influence.projection.family': 'sparse', 'influence.projection.option': 'P2' } as const;
    expect(() => buildConfig({ overrides: { ...sparse, 'influence.similarity_mode': 'dot' } }))
      .toThrow(/"influence.similarity_mode": dot is not what projected scores of the "sparse" family measure/);
    expect(buildConfig({ overrides: sparse })['influence.similarity_mode']).toBe('preconditioned_cosine');
    expect(buildConfig({ overrides: { ...sparse, 'influence.mode': 'exact', 'influence.similarity_mode': 'dot' } })['influence.similarity_mode']).toBe('dot');
    expect(buildConfig({ overrides: { 'influence.mode': 'projected', 'influence.similarity_mode': 'cosine' } })['influence.similarity_mode']).toBe('cosine');
  });

  it('later arguments win and feed buildConfig', () => {
    const overrides = parseCliOverrides(['--training.seed=1', '--training.seed=2', '--training.reward_mode=spice']);
    const c = buildConfig({ overrides });
    expect(c['training.seed']).toBe(2);
    expect(c['training.reward_mode']).toBe('spice');
  });
});

describe('JSON and freezing', () => {
  it('round-trips every key', () => {
    const c = buildConfig({ preset: 'small_model', overrides: { 'influence.mode': 'projected', 'solver.actor.optim.betas': [0.8, 0.95] } });
    const back = configFromJson(configToJson(c));
    expect(back).toEqual(c);
    expect(Object.keys(JSON.parse(configToJson(c)))).toEqual(CONFIG_KEYS);
  });

  it('fills missing keys with defaults and names the source on errors', () => {
    expect(configFromJson('{"training.seed": 5}')['solver.rollout.n']).toBe(4);
    expect(() => configFromJson('{"bogus": 1}', 'run/config.json')).toThrow(/run\/config.json: Unknown config key "bogus"/);
    expect(() => configFromJson('[1]', 'x.json')).toThrow(/x.json: expected a JSON object/);
    expect(() => configFromJson('{', 'x.json')).toThrow(/x.json: not valid JSON/);
  });

  it('freezes deeply', () => {
    const c = freezeConfig(defaultConfig());
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c['solver.actor.optim.betas'])).toBe(true);
    expect(() => { (c as Record<string, unknown>)['training.seed'] = 1; }).toThrow(TypeError);
    expect(applyOverrides(c, { 'training.seed': 9 })['training.seed']).toBe(9);
  });
});
