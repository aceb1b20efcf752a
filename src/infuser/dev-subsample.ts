// Stage 1's optional dev subsample (spec §2.4, `training.dev_rollout_subsample_size`): which dev
// questions the Solver answers at an iteration, and so which feed the dev metrics, the dev gradient and,
// under `dev_only`, the Solver's own training data.
import type { RunConfig } from './config.ts';
import { streamFor } from './rng.ts';

/**
 * The dev-pool indices Stage 1 answers at iteration k: all of the first data.dev_pool_size, or, with
 * training.dev_rollout_subsample_size = m > 0, m of them drawn without replacement (stream
 * `dev_subsample`, keyed by k) and kept in pool order (§2.4 Stage 1).
 */
export function devIndices(config: RunConfig, poolSize: number, k: number): number[] {
  const n = Math.min(poolSize, config['data.dev_pool_size']);
  const m = config['training.dev_rollout_subsample_size'];
  const all = Array.from({ length: n }, (_, i) => i);
  if (m === 0 || m >= n) return all;
  return streamFor(config['training.seed'], 'dev_subsample', k).permutation(n).slice(0, m).sort((a, b) => a - b);
}
