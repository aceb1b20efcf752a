// The methods the reproduction compares (issue 5, spec §7): the untrained Solver, a fixed Generator,
// INFUSER (influence reward + DuGRPO), and the two difficulty-style rewards; plus the optional
// `dev_only` ceiling, which trains the Solver on the dev pool itself and so says how far any curriculum
// could move it in the same number of iterations. Each trained method is one value of
// `training.reward_mode`; everything else in the run config is shared, so the comparison changes exactly
// one thing (§7: "every mode uses the same pipeline, sizes, seeds and metrics").
// Two diagnostic arms, outside the presets, ask whether the influence score picks better Solver data
// than chance, with the Generator held fixed: `fixed_top` trains the Solver on the top-influence half of
// each iteration's non-degenerate questions, `fixed_random` on a random half of the same size (the
// reference's `influence.solver_filter_mode` top_alpha / random_alpha, with α counting the
// non-degenerate questions: most valid ones are degenerate here, and the reference's base made α = 0.5
// drop almost nothing). `infuser_top` is INFUSER with that same filter on, paired with `fixed_top`: the
// two differ only in whether the Generator is trained, so the pair says what the Generator adds once the
// Solver already uses the ranking. `fixed_nolookup` tests one guess about what that ranking does on the
// mixed world (docs/experiment.md, item 16): the fixed Generator with every number lookup refused, no
// influence used; if it holds arithmetic as `fixed_top` does, the filter's gain there is that one rule.
// `infuser_nolookup` is INFUSER under the same rule, paired with it: what training the Generator adds
// once the harmful kind is gone (a refused question is invalid, so its Generator reward is the invalid one).
// `fixed_target` asks whether the kind mix can matter at all (item 35): the fixed Generator with every
// question outside the target's kinds refused, the curriculum a perfectly kind-steering Generator would
// hand over from the same documents.
import type { ConfigOverrides, RunConfig } from '../infuser/config.ts';
import type { QuestionType, Topic } from '../world/problems.ts';

/** The paper's comparison and the ceiling: what the presets run. */
export const METHODS = ['base', 'fixed', 'infuser', 'rzero', 'spice', 'dev_only'] as const;
/** Every method `--methods` accepts, in report order. */
export const ALL_METHODS = [...METHODS, 'fixed_top', 'fixed_random', 'infuser_top', 'fixed_nolookup', 'infuser_nolookup', 'fixed_target'] as const;
export type Method = (typeof ALL_METHODS)[number];

/** Methods whose Generator writes questions (validity, generated-question accuracy and mix apply). */
export const generates = (m: Method): boolean => m !== 'base' && m !== 'dev_only';

export interface MethodInfo {
  label: string;
  /** The reward mode a trained method runs with; null for `base` (no training at all). */
  rewardMode: RunConfig['training.reward_mode'] | null;
  /** One line for tables and docs. */
  description: string;
  /** Run-config settings of this method on top of the experiment's (after `training.reward_mode`). */
  overrides?: ConfigOverrides;
  /** The method that differs from this one in one setting only; the report pairs them by seed. */
  control?: Method;
  /** Question kinds (the world's kind check, src/world/question-check.ts) this arm counts as invalid, so no Solver trains on them. */
  refuses?: readonly (readonly [Topic, QuestionType])[];
  /** Keeps only questions of the dev set's kinds (its rows' topic and question_type); every other question is invalid. */
  keepsTargetKindsOnly?: boolean;
}

/** Share of non-degenerate questions the two filter arms keep. */
const FILTER_ALPHA = 0.5;
const filterArm = (mode: 'top_alpha' | 'random_alpha'): ConfigOverrides => ({
  'influence.solver_filter_mode': mode, 'influence.solver_filter_alpha': FILTER_ALPHA, 'influence.solver_filter_alpha_of': 'non_degenerate',
});

/** The kinds `fixed_nolookup` refuses: every lookup whose answer is a number. */
const NUMBER_LOOKUPS: MethodInfo['refuses'] = [['quantities', 'lookup'], ['timeline', 'lookup'], ['travel', 'lookup']];

export const METHOD_INFO: Record<Method, MethodInfo> = {
  base: {
    label: 'base solver',
    rewardMode: null,
    description: 'no training; the starting Solver evaluated at every iteration index (Stage-1 sampling keys)',
  },
  fixed: {
    label: 'fixed generator',
    rewardMode: 'fixed',
    description: 'the Generator keeps its base weights; the Solver trains on its questions',
  },
  infuser: {
    label: 'INFUSER',
    rewardMode: 'infuser',
    description: 'Generator reward = preconditioned-cosine influence (18d), DuGRPO advantages',
  },
  rzero: {
    label: 'R-Zero difficulty',
    rewardMode: 'rzero',
    description: 'Generator reward = 1 − 2|p̂ − ½| (19), DuGRPO advantages',
  },
  spice: {
    label: 'SPICE variance',
    rewardMode: 'spice',
    description: 'Generator reward = exp(−(var − 0.25)² / 0.02) (20), DuGRPO advantages',
  },
  dev_only: {
    label: 'dev-trained Solver (ceiling)',
    rewardMode: 'dev_only',
    description: 'no Generator; the Solver trains on its own dev-pool rollouts (Dr.GRPO, §7 dev_only), the most any curriculum could give on the pool',
  },
  fixed_top: {
    label: 'fixed, top-influence half',
    rewardMode: 'fixed',
    description: `fixed Generator; the Solver trains on the ${FILTER_ALPHA * 100}% of non-degenerate questions with the highest influence (top_alpha)`,
    overrides: filterArm('top_alpha'),
    control: 'fixed_random',
  },
  fixed_random: {
    label: 'fixed, random half',
    rewardMode: 'fixed',
    description: `fixed Generator; the Solver trains on a random ${FILTER_ALPHA * 100}% of non-degenerate questions (random_alpha), the control for fixed_top`,
    overrides: filterArm('random_alpha'),
  },
  infuser_top: {
    label: 'INFUSER, top-influence half',
    rewardMode: 'infuser',
    description: `INFUSER; the Solver trains on the ${FILTER_ALPHA * 100}% of non-degenerate questions with the highest influence (top_alpha); control fixed_top`,
    overrides: filterArm('top_alpha'),
    control: 'fixed_top',
  },
  fixed_nolookup: {
    label: 'fixed, number lookups refused',
    rewardMode: 'fixed',
    description: 'fixed Generator; questions that look up a number (quantities, timeline, travel lookups) are invalid, so the Solver never trains on them (no influence used)',
    control: 'fixed',
    refuses: NUMBER_LOOKUPS,
  },
  infuser_nolookup: {
    label: 'INFUSER, number lookups refused',
    rewardMode: 'infuser',
    description: 'INFUSER; questions that look up a number are invalid (fixed_nolookup\'s rule); control fixed_nolookup',
    control: 'fixed_nolookup',
    refuses: NUMBER_LOOKUPS,
  },
  fixed_target: {
    label: 'fixed, target kinds only',
    rewardMode: 'fixed',
    description: 'fixed Generator; only questions of the dev set\'s kinds are valid (the world\'s kind check), the curriculum a perfectly kind-steering Generator would give from the same documents',
    control: 'fixed',
    keepsTargetKindsOnly: true,
  },
};

/** Parses a comma-separated method list; unknown names are errors listing the known ones. */
export function parseMethods(text: string): Method[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new Error(`--methods: empty list; choose from ${ALL_METHODS.join(', ')}`);
  for (const name of names) {
    if (!(ALL_METHODS as readonly string[]).includes(name)) {
      throw new Error(`--methods: unknown method "${name}"; choose from ${ALL_METHODS.join(', ')}`);
    }
  }
  return [...new Set(names)] as Method[];
}
