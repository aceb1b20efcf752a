// Which generated questions the Solver trains on in Stage 6 (reference `influence.solver_filter_mode`,
// `utils/solver_filter_utils.py` and `_build_solver_update_batch`). Degenerate questions are always
// dropped (§2.4 Stage 6); the default `none` keeps every other one (invariant §2.3.4). The other modes
// are the reference's ablations, offered here to ask whether influence ranks Solver data better than
// chance: `top_k` / `random_k` keep up to k questions per document, by influence or at random;
// `top_alpha` / `random_alpha` keep ⌈α · valid questions⌉ over the whole batch. The reference counts
// degenerate questions in that base, so where most are degenerate (a Solver that already answers most
// generated questions 4/4) no α above their share filters anything; the lab's `alpha_of:
// non_degenerate` counts only the questions Stage 6 could train on.
// Random choices come from the run seed's `solver_filter` stream (the reference uses Python's global
// `random`); ties in influence are broken by question id, as in the reference.
import { streamFor } from './rng.ts';

export const SOLVER_FILTER_MODES = ['none', 'top_k', 'random_k', 'top_alpha', 'random_alpha'] as const;
export type SolverFilterMode = (typeof SOLVER_FILTER_MODES)[number];
/** What α is a share of: every valid question (the reference) or the non-degenerate ones (lab). */
export const SOLVER_FILTER_ALPHA_OF = ['valid', 'non_degenerate'] as const;
export type SolverFilterAlphaOf = (typeof SOLVER_FILTER_ALPHA_OF)[number];

export interface SolverFilterSettings {
  mode: SolverFilterMode;
  /** Questions kept per document in the `_k` modes. */
  k: number;
  /** Share kept in the `_alpha` modes, in [0, 1], of the questions `alphaOf` names. */
  alpha: number;
  alphaOf: SolverFilterAlphaOf;
  seed: number;
  iteration: number;
}

/** One valid (answered) generated question as the filter sees it. */
export interface FilterCandidate {
  questionId: string;
  /** The document slot it was written for. */
  slot: number | string;
  degenerate: boolean;
  /** Influence score s_q; null where none was computed (degenerate questions). */
  influence: number | null;
}

/** Top modes rank by influence, so a run that uses one must compute it whatever its reward mode. */
export const filterNeedsInfluence = (mode: SolverFilterMode): boolean => mode === 'top_k' || mode === 'top_alpha';

/** The reference's name for a mode (`top_<k>`, `random_<k>`, or the mode itself), for export. */
export function referenceFilterMode(mode: SolverFilterMode, k: number): string {
  if (mode === 'top_k') return `top_${k}`;
  if (mode === 'random_k') return `random_${k}`;
  return mode;
}

/** Indices (into `questions`) the Solver trains on, in input order. */
export function selectSolverQuestions(questions: readonly FilterCandidate[], s: SolverFilterSettings): number[] {
  const live = questions.flatMap((q, i) => (q.degenerate ? [] : [i]));
  if (s.mode === 'none') return live;
  if (filterNeedsInfluence(s.mode)) {
    const missing = live.find((i) => questions[i].influence === null);
    if (missing !== undefined) {
      throw new Error(`solver filter ${s.mode}: question "${questions[missing].questionId}" has no influence score`);
    }
  }
  const byInfluence = (a: number, b: number): number => {
    const d = (questions[b].influence as number) - (questions[a].influence as number);
    if (d !== 0) return d;
    const ia = questions[a].questionId;
    const ib = questions[b].questionId;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  };
  const shuffled = (ids: number[], ...key: (number | string)[]): number[] => {
    const perm = streamFor(s.seed, 'solver_filter', s.iteration, ...key).permutation(ids.length);
    return perm.map((p) => ids[p]);
  };
  let kept: number[];
  if (s.mode === 'top_alpha' || s.mode === 'random_alpha') {
    const base = s.alphaOf === 'valid' ? questions.length : live.length;
    const target = Math.min(live.length, s.alpha <= 0 ? 0 : Math.ceil(s.alpha * base));
    const ranked = s.mode === 'top_alpha' ? [...live].sort(byInfluence) : shuffled(live, 'batch');
    kept = ranked.slice(0, target);
  } else {
    const bySlot = new Map<number | string, number[]>();
    for (const i of live) {
      const ids = bySlot.get(questions[i].slot) ?? [];
      ids.push(i);
      bySlot.set(questions[i].slot, ids);
    }
    kept = [];
    for (const [slot, ids] of bySlot) {
      const ranked = s.mode === 'top_k' ? [...ids].sort(byInfluence) : shuffled(ids, 'slot', slot);
      kept.push(...ranked.slice(0, s.k));
    }
  }
  return kept.sort((a, b) => a - b);
}
