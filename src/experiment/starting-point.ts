// The anchors' starting point for their model card: Generator validity and Solver target accuracy as
// measured by role-evaluation.ts, rendered as one clearly headed markdown section. The training script
// owns the rest of MODEL_CARD.md, so the section is appended, or replaced in place when re-measured.
import { share, type Tally } from './role-evaluation.ts';

export const STARTING_POINT_HEADING = '## Starting point (measured by scripts/experiment.ts --measure-anchors)';

export interface StartingPoint {
  generator: Tally;
  solver: Tally;
  documents: number;
  generatorSamples: number;
  devQuestions: number;
  /** The dev file, named when it is not the built-in world's (a ranked world has its own). */
  devFile?: string;
  solverSamples: number;
  temperature: number;
  generatorMaxTokens: number;
  solverMaxTokens: number;
  seed: number;
  adapter: string;
}

/** The p-th percentile (nearest rank) of some lengths; 0 for none. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const pct = (t: { correct: number; total: number }) => `${(100 * share(t)).toFixed(1)}% (${t.correct}/${t.total})`;

function kindLines(byKind: Tally['byKind']): string {
  return Object.entries(byKind).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${pct(v)}`).join('; ');
}

function rejectionLine(t: Tally): string {
  const entries = Object.entries(t.rejections).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([reason, n]) => `${reason} ${n}`).join(', ');
}

function lengthLine(t: Tally, limit: number): string {
  return `reply length median ${percentile(t.lengths, 50)}, p90 ${percentile(t.lengths, 90)}, max ${percentile(t.lengths, 100)} tokens; `
    + `${t.truncated} of ${t.total} hit the ${limit}-token limit`;
}

/** The label-check lines, when the measurement ran the world's check (src/world/question-check.ts). */
function rightLabelLines(t: Tally): string {
  const r = t.rightLabels;
  if (!r) return '';
  const right = Object.values(r).reduce((a, k) => a + k.correct, 0);
  return `  - golden answer right (the world's label check, src/world/question-check.ts) in **${pct({ correct: right, total: t.correct })}** of the valid questions; by question kind (the document's, or in a mixed world the question's): ${kindLines(r)}\n`;
}

export function startingPointSection(s: StartingPoint): string {
  return `${STARTING_POINT_HEADING}

Sampling as in a run: temperature ${s.temperature}, top-p 1, run seed ${s.seed} (streams gen_sample / solver_sample, iteration 0), ${s.adapter}.

- Generator validity (compact prompt, ${s.documents} documents drawn by the run's document sampler × ${s.generatorSamples} samples; parse + validation of spec §3.2–3.3): **${pct(s.generator)}**
  - rejected: ${rejectionLine(s.generator)}
  - by document kind: ${kindLines(s.generator.byKind)}
${rightLabelLines(s.generator)}  - ${lengthLine(s.generator, s.generatorMaxTokens)}
- Solver target accuracy (\`dev_rollout/accuracy_strict\` on all ${s.devQuestions} dev questions${s.devFile ? ` of ${s.devFile}` : ''} × ${s.solverSamples} samples): **${pct(s.solver)}** (guessing among 4 choices scores 25%)
  - by dev kind: ${kindLines(s.solver.byKind)}
  - ${lengthLine(s.solver, s.solverMaxTokens)}
`;
}

/** The card with the section appended, or with an earlier copy of it (up to the next "## " heading) replaced. */
export function withStartingPoint(card: string, section: string): string {
  const at = card.indexOf(STARTING_POINT_HEADING);
  if (at < 0) return `${card.replace(/\n*$/, '\n')}\n${section}`;
  const rest = card.slice(at + STARTING_POINT_HEADING.length);
  const next = rest.search(/\n## /);
  const tail = next < 0 ? '' : rest.slice(next + 1);
  return `${card.slice(0, at)}${section}${tail ? `\n${tail}` : ''}`;
}
