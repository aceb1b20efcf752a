// How far projected influence can be trusted in a run (spec §9.4 R5): every
// `influence.projection.calibrate_every` iterations the run scores the same questions exactly and
// projected and logs their rank agreement; the lab page warns when a check falls under
// `influence.projection.spearman_warn`, since the heatmap and the Generator's rewards use the projected scores.
import { INFLUENCE_PROJ, TRAIN, type MetricRecord } from '../infuser/metrics.ts';

export interface FidelityCheck {
  iteration: number;
  spearman: number;
  /** Mean per-document Spearman; absent where no slot had ≥ 3 scored questions. */
  spearmanWithinDoc: number | null;
  signAgreement: number | null;
}

export interface ProjectionFidelity {
  /** Every calibration the run logged, in iteration order. */
  checks: FidelityCheck[];
  threshold: number;
  /** The checks under the threshold. */
  low: FidelityCheck[];
}

const finite = (v: number | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function projectionFidelity(metrics: readonly MetricRecord[], threshold: number): ProjectionFidelity {
  const checks = metrics.flatMap((m): FidelityCheck[] => {
    const spearman = finite(m[INFLUENCE_PROJ.spearman]);
    if (spearman === null) return [];
    return [{
      iteration: m[TRAIN.ansLoop],
      spearman,
      spearmanWithinDoc: finite(m[INFLUENCE_PROJ.spearmanWithinDoc]),
      signAgreement: finite(m[INFLUENCE_PROJ.signAgreement]),
    }];
  }).sort((a, b) => a.iteration - b.iteration);
  return { checks, threshold, low: checks.filter((c) => c.spearman < threshold) };
}
