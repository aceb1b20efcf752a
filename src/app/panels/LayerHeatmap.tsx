// Layer heatmap: for the picked questions (a selected heatmap cell, or ticked ones), each layer's share of
// the score's numerator ⟨γ_q, u⟩ (QuestionRow.layer_scores; a per-tensor reduction in influence.ts, §6.8).
// Layers down, questions across, same diverging scale and DOM axes as the influence heatmap.
import { useEffect, useRef } from 'react';
import { layerNames } from '../../infuser/run-records.ts';
import { drawGrid } from '../plot/canvas-grid.ts';
import { formatScore, scaleLimit } from '../plot/diverging-scale.ts';
import { selectActiveRun, selectQuestionsByKey, useRunsStore } from '../stores/runs.ts';
import { useUiStore } from '../stores/ui.ts';
import { Legend } from './Legend.tsx';

const CELL_W = 36;
const CELL_H = 14;

export function LayerHeatmap() {
  const run = useRunsStore(selectActiveRun);
  const picked = useUiStore((s) => s.pickedQuestions);
  const canvas = useRef<HTMLCanvasElement>(null);
  const questions = run === null ? [] : selectQuestionsByKey(run, picked).filter((q) => q.layer_scores !== null);
  const depth = questions.reduce((m, q) => Math.max(m, (q.layer_scores as number[]).length), 0);
  const names = depth >= 2 ? layerNames(depth - 2) : [];
  const maxAbs = questions.reduce((m, q) => Math.max(m, ...(q.layer_scores as number[]).map(Math.abs)), 0);
  const limit = scaleLimit(maxAbs);
  const columnKeys = questions.map((q) => `${q.iteration}:${q.slot}:${q.row}`).join(',');

  useEffect(() => {
    if (canvas.current === null || questions.length === 0) return;
    drawGrid(canvas.current, {
      rows: names.length, columns: questions.length, cellWidthPx: CELL_W, cellHeightPx: CELL_H, limit,
      valueAt: (r, c) => questions[c].layer_scores?.[r],
    });
    // columnKeys stands for `questions`, which is rebuilt on every render.
  }, [columnKeys, limit, run]);

  if (run === null) return null;
  return (
    <section className="panel" aria-labelledby="layers-heading">
      <h2 id="layers-heading">Influence by layer</h2>
      <p className="doc">Each layer&apos;s contribution to the numerator ⟨γ_q, u⟩ of the picked questions&apos; scores. Select a heatmap cell or tick questions.</p>
      {questions.length === 0 ? <p className="muted">No questions with per-layer scores picked.</p> : (
        <>
          <div className="heatmap-body">
            <ol className="row-labels" aria-hidden="true" style={{ gridAutoRows: `${CELL_H}px` }}>
              {names.map((n) => <li key={n}>{n}</li>)}
            </ol>
            <div>
              <div role="img" aria-label="Layer heatmap" aria-describedby="layers-desc" className="heatmap-plot"
                style={{ width: questions.length * CELL_W, height: names.length * CELL_H }}>
                <canvas ref={canvas} aria-hidden="true" />
              </div>
              <ol className="x-axis" aria-hidden="true" style={{ gridTemplateColumns: `repeat(${questions.length}, ${CELL_W}px)` }}>
                {questions.map((q) => <li key={`${q.iteration}:${q.slot}:${q.row}`}>{`${q.slot}.${q.row}`}</li>)}
              </ol>
              <p className="axis-title" aria-hidden="true">question (slot.row)</p>
            </div>
          </div>
          <Legend limit={limit} caption="per-layer ⟨γ_q, u⟩" />
          <p id="layers-desc" className="visually-hidden">{names.length} layers by {questions.length} questions; table follows.</p>
          <table className="visually-hidden" aria-label="Layer heatmap data">
            <thead><tr><th scope="col">Layer</th>{questions.map((q) => <th key={`${q.slot}.${q.row}.${q.iteration}`} scope="col">Question {q.slot}.{q.row} (iteration {q.iteration})</th>)}</tr></thead>
            <tbody>
              {names.map((n, r) => (
                <tr key={n}><th scope="row">{n}</th>{questions.map((q, c) => <td key={c}>{q.layer_scores?.[r] === undefined ? '—' : formatScore(q.layer_scores[r])}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
