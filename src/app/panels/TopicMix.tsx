// The mix of topics (or question types) among each iteration's generated questions, as 100% stacked
// bars: how the Generator's curriculum drifts. Data from selectTopicMix in stores/runs.ts.
import { categoryColor } from '../plot/palette.ts';
import { selectActiveRun, selectTopicMix, useRunsStore } from '../stores/runs.ts';
import { useUiStore } from '../stores/ui.ts';

const BAR_H = 140;

export function TopicMix() {
  const run = useRunsStore(selectActiveRun);
  const dimension = useUiStore((s) => s.mixDimension);
  const setDimension = useUiStore((s) => s.setMixDimension);
  if (run === null) return null;
  const mix = selectTopicMix(run, dimension);
  const barW = Math.max(10, Math.min(36, Math.floor(600 / Math.max(1, mix.iterations.length))));
  const summary = mix.iterations.map((it, c) => {
    const total = mix.counts[c].reduce((a, b) => a + b, 0);
    const top = mix.categories[mix.counts[c].indexOf(Math.max(...mix.counts[c]))];
    return `iteration ${it}: ${total} questions, most ${top}`;
  }).join('; ');
  return (
    <section className="panel" aria-labelledby="mix-heading">
      <h2 id="mix-heading">{dimension === 'topic' ? 'Topic' : 'Question-type'} mix per iteration</h2>
      <div className="row" role="radiogroup" aria-label="Mix by">
        {(['topic', 'question_type'] as const).map((d) => (
          <label key={d} className="inline">
            <input type="radio" name="mix-dimension" checked={dimension === d} onChange={() => setDimension(d)} /> {d.replace('_', ' ')}
          </label>
        ))}
      </div>
      <svg role="img" aria-label={`${dimension.replace('_', ' ')} mix`} aria-describedby="mix-desc"
        width={mix.iterations.length * barW + 40} height={BAR_H + 22}>
        {mix.iterations.map((it, c) => {
          const total = mix.counts[c].reduce((a, b) => a + b, 0) || 1;
          let y = BAR_H;
          return (
            <g key={it}>
              {mix.counts[c].map((n, k) => {
                const h = (n / total) * BAR_H;
                y -= h;
                return n === 0 ? null : <rect key={k} x={c * barW} y={y} width={barW - 2} height={h} fill={categoryColor(k)} />;
              })}
              {c % Math.ceil(28 / barW) === 0 && <text x={c * barW + barW / 2} y={BAR_H + 14} textAnchor="middle" className="tick">{it}</text>}
            </g>
          );
        })}
      </svg>
      <p id="mix-desc" className="visually-hidden">{summary}</p>
      <ul className="run-legend" aria-label={`${dimension.replace('_', ' ')} colours`}>
        {mix.categories.map((cat, k) => <li key={cat}><span className="swatch" style={{ background: categoryColor(k) }} />{cat}</li>)}
      </ul>
    </section>
  );
}
