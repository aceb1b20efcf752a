// Advantage modes of spec §5: one scalar reward per row plus a group key in, one advantage per row out.
// Called by Stage 5 (Generator, default `hybrid_std` = DuGRPO) and Stage 6 (Solver, default `none` =
// Dr.GRPO), and by influence.ts for the mode-`none` advantages of (15) and (16). Also holds the Stage-5
// slot filter. Pure float64; groups are numbered by first appearance, so results never depend on key order.

export type AdvantageMode = 'group_std' | 'none' | 'hybrid_std' | 'batch_std';

export const ADVANTAGE_MODES: readonly AdvantageMode[] = ['group_std', 'none', 'hybrid_std', 'batch_std'];

/** ε of (11), (13), (14). */
export const ADVANTAGE_EPSILON = 1e-6;

/** The lab's robustness threshold: a std at or below this counts as zero (σ̄ of (13), Stage-5 filter). */
export const ZERO_STD_THRESHOLD = 1e-12;

export type GroupKey = string | number;

/** One group's statistics under (10). */
export interface GroupStats {
  key: GroupKey;
  rows: number[]; // row indices, ascending
  mean: number; // μ_g (0 for a singleton)
  std: number; // σ_g, unbiased (1 for a singleton)
}

function checkRewards(rewards: ArrayLike<number>, where: string): void {
  for (let i = 0; i < rewards.length; i++) {
    if (!Number.isFinite(rewards[i])) {
      throw new Error(`${where}: reward at row ${i} is ${rewards[i]}; rewards must be finite numbers`);
    }
  }
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Sum of squared deviations from the mean (two-pass, so constant inputs give exactly 0). */
function sumSquaredDeviations(values: ArrayLike<number>): number {
  const mu = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] - mu) ** 2;
  return sum;
}

/** Population standard deviation (divisor n); 0 for an empty or one-element input. */
export function populationStd(values: ArrayLike<number>): number {
  if (values.length < 2) return 0;
  return Math.sqrt(sumSquaredDeviations(values) / values.length);
}

/** Unbiased standard deviation (divisor n − 1); 0 for fewer than two values. */
export function unbiasedStd(values: ArrayLike<number>): number {
  if (values.length < 2) return 0;
  return Math.sqrt(sumSquaredDeviations(values) / (values.length - 1));
}

/** Groups rows by key in order of first appearance, with μ_g and σ_g of (10). */
export function groupStats(rewards: ArrayLike<number>, keys: ArrayLike<GroupKey>): GroupStats[] {
  if (rewards.length !== keys.length) {
    throw new Error(`advantages.ts: ${rewards.length} rewards but ${keys.length} group keys; pass one key per row`);
  }
  checkRewards(rewards, 'advantages.ts groupStats');
  const byKey = new Map<GroupKey, number[]>();
  for (let i = 0; i < keys.length; i++) {
    const rows = byKey.get(keys[i]);
    if (rows) rows.push(i);
    else byKey.set(keys[i], [i]);
  }
  const groups: GroupStats[] = [];
  for (const [key, rows] of byKey) {
    const values = rows.map((i) => rewards[i]);
    // (10): a singleton keeps its raw reward (μ = 0, σ = 1), as the reference does.
    const isSingleton = rows.length === 1;
    groups.push({ key, rows, mean: isSingleton ? 0 : mean(values), std: isSingleton ? 1 : unbiasedStd(values) });
  }
  return groups;
}

/** σ̄ of (13): mean of the group stds above 1e-12, or 0 if there are none. */
export function meanNonzeroGroupStd(groups: readonly GroupStats[]): number {
  let sum = 0;
  let count = 0;
  for (const g of groups) {
    if (g.std > ZERO_STD_THRESHOLD) {
      sum += g.std;
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}

/** σ_batch of (14): unbiased std of all centred values r_j − μ_g(j); 0 for a single row. */
export function batchCentredStd(rewards: ArrayLike<number>, groups: readonly GroupStats[]): number {
  const centred: number[] = [];
  for (const g of groups) for (const i of g.rows) centred.push(rewards[i] - g.mean);
  return unbiasedStd(centred);
}

/** Advantages of spec §5, eqs. (11)–(14), over the whole update batch (never a PPO mini-batch). */
export function computeAdvantages(
  rewards: ArrayLike<number>,
  keys: ArrayLike<GroupKey>,
  mode: AdvantageMode,
): Float64Array {
  if (!ADVANTAGE_MODES.includes(mode)) {
    throw new Error(`advantages.ts: unknown advantage mode "${mode}"; use one of ${ADVANTAGE_MODES.join(', ')}`);
  }
  const groups = groupStats(rewards, keys);
  const out = new Float64Array(rewards.length);
  const sigmaBar = mode === 'hybrid_std' ? meanNonzeroGroupStd(groups) : 0;
  const sigmaBatch = mode === 'batch_std' ? batchCentredStd(rewards, groups) : 0;
  for (const g of groups) {
    let scale = 1;
    if (mode === 'group_std') scale = g.std + ADVANTAGE_EPSILON; // (11)
    else if (mode === 'hybrid_std') scale = g.std + sigmaBar + ADVANTAGE_EPSILON; // (13)
    else if (mode === 'batch_std') scale = sigmaBatch + ADVANTAGE_EPSILON; // (14)
    for (const i of g.rows) out[i] = (rewards[i] - g.mean) / scale; // (12) when scale = 1
  }
  return out;
}

/** Stage-5 slot filter (§2.4 step 2): a slot survives only if its rewards' population std exceeds 1e-12. */
export function isSlotKept(slotRewards: ArrayLike<number>): boolean {
  checkRewards(slotRewards, 'advantages.ts isSlotKept');
  return populationStd(slotRewards) > ZERO_STD_THRESHOLD;
}

/** Result of filtering one iteration's slots. */
export interface SlotFilterResult {
  keptSlots: number[]; // slot indices, ascending
  droppedSlots: number[];
}

/** Applies the Stage-5 filter to every slot's n_G rewards. */
export function filterSlots(rewardsPerSlot: readonly ArrayLike<number>[]): SlotFilterResult {
  const keptSlots: number[] = [];
  const droppedSlots: number[] = [];
  rewardsPerSlot.forEach((rewards, slot) => (isSlotKept(rewards) ? keptSlots : droppedSlots).push(slot));
  return { keptSlots, droppedSlots };
}
