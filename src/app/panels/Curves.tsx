// Line charts of the primary metrics per iteration (spec §8 "primary curves"), one small chart per metric
// key, the active run and any compared runs on the same axes. Points come from selectCurve in
// stores/runs.ts; each chart names its key. SVG, appended to as records arrive.
import { ANSWER_ROLLOUT, GEN_CRITIC, GEN_QUESTION_ROLLOUT, INFLUENCE_SIM, SOLVER_CRITIC } from '../../infuser/metrics.ts';
import { domainOf, formatTick, linePath, scale, ticks, type Domain } from '../plot/line-path.ts';
import { categoryColor } from '../plot/palette.ts';
import { formatScore } from '../plot/diverging-scale.ts';
import { selectCurve, useRunsStore, type RunEntry } from '../stores/runs.ts';

interface CurveSpec { title: string; key: string; fixed?: Domain }

const UNIT: Domain = { min: 0, max: 1 };

export const CURVES: CurveSpec[] = [
  { title: 'Target accuracy', key: `dev_rollout/${ANSWER_ROLLOUT.accuracyStrict}`, fixed: UNIT },
  { title: 'Question validity', key: GEN_QUESTION_ROLLOUT.fracValidQuestions, fixed: UNIT },
  { title: 'Solver accuracy on generated questions', key: `gen_answer_rollout/${ANSWER_ROLLOUT.accuracyStrict}`, fixed: UNIT },
  { title: 'Mean influence', key: `${INFLUENCE_SIM.score}/mean` },
  { title: 'Generator reward', key: `${GEN_CRITIC.score}/mean` },
  { title: 'Solver reward', key: `${SOLVER_CRITIC.score}/mean`, fixed: UNIT },
];

const W = 300;
const H = 150;
const M = { left: 42, right: 10, top: 8, bottom: 24 };

/** The runs drawn: the active one first, then compared ones, each with its colour index. */
function useShownRuns(): { run: RunEntry; color: string }[] {
  const order = useRunsStore((s) => s.order);
  const runs = useRunsStore((s) => s.runs);
  const activeId = useRunsStore((s) => s.activeId);
  const compareIds = useRunsStore((s) => s.compareIds);
  const ids = [...new Set([activeId, ...compareIds])].filter((id): id is string => id !== null && id in runs);
  return ids.map((id) => ({ run: runs[id], color: categoryColor(order.indexOf(id)) }));
}

export function Curves() {
  const shown = useShownRuns();
  if (shown.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="curves-heading">
      <h2 id="curves-heading">Curves per iteration</h2>
      <ul className="run-legend" aria-label="Runs on the curves">
        {shown.map(({ run, color }) => <li key={run.id}><span className="swatch" style={{ background: color }} />{run.name}</li>)}
      </ul>
      <div className="curves">
        {CURVES.map((spec) => <Chart key={spec.key} spec={spec} shown={shown} />)}
      </div>
    </section>
  );
}

function Chart({ spec, shown }: { spec: CurveSpec; shown: { run: RunEntry; color: string }[] }) {
  const series = shown.map(({ run, color }) => ({ run, color, points: selectCurve(run, spec.key) }));
  const xd = domainOf(series.map((s) => s.points.map((p) => p.x)));
  const yd = domainOf(series.map((s) => s.points.map((p) => p.y)), spec.fixed);
  const sx = scale(xd, M.left, W - M.right);
  const sy = scale(yd, H - M.bottom, M.top);
  const summary = series.map(({ run, points }) => {
    const last = points[points.length - 1];
    return last === undefined ? `${run.name}: no data` : `${run.name}: ${formatScore(last.y)} at iteration ${last.x} (${points.length} points)`;
  }).join('; ');
  const descId = `curve-${spec.key.replace(/\W+/g, '-')}`;
  return (
    <figure className="chart">
      <figcaption>{spec.title} <code>{spec.key}</code></figcaption>
      <svg role="img" aria-label={`${spec.title} curve`} aria-describedby={descId} viewBox={`0 0 ${W} ${H}`} width={W} height={H}>
        {ticks(yd).map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={sy(t)} y2={sy(t)} className="gridline" />
            <text x={M.left - 4} y={sy(t) + 3} textAnchor="end" className="tick">{formatTick(t)}</text>
          </g>
        ))}
        {ticks(xd, 5).filter(Number.isInteger).map((t) => (
          <text key={t} x={sx(t)} y={H - 8} textAnchor="middle" className="tick">{t}</text>
        ))}
        {series.map(({ run, color, points }) => (
          <g key={run.id} data-run-id={run.id}>
            <path d={linePath(points, sx, sy)} fill="none" stroke={color} strokeWidth={2} className="series" />
            {points.map((p) => <circle key={p.x} cx={sx(p.x)} cy={sy(p.y)} r={2.5} fill={color} />)}
          </g>
        ))}
      </svg>
      <p id={descId} className="visually-hidden">{summary}</p>
    </figure>
  );
}
