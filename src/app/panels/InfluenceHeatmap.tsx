// Influence heatmap: documents (or topics) × iterations, cell = mean influence score of that row's
// questions (key `influence_sim/score`, produced by src/infuser/influence.ts). Canvas raster with a fixed
// diverging scale; axes, tooltip and the accessible table are DOM. Hop 1 of the style guide's trace:
// the data comes from selectInfluenceGrid in stores/runs.ts. Arrow keys move the selected cell.
import { useEffect, useMemo, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import { INFLUENCE_SIM } from '../../infuser/metrics.ts';
import { drawGrid } from '../plot/canvas-grid.ts';
import { formatScore, scaleLimit } from '../plot/diverging-scale.ts';
import { projectionFidelity } from '../projection-fidelity.ts';
import { questionKey, selectActiveRun, selectInfluenceGrid, useRunsStore, type GridCell, type InfluenceGrid, type RunEntry } from '../stores/runs.ts';
import { sameCell, useUiStore, type CellRef } from '../stores/ui.ts';
import { CellQuestions } from './CellQuestions.tsx';
import { Legend } from './Legend.tsx';

const CELL_H = 16;
const cellWidth = (columns: number): number => Math.max(16, Math.min(44, Math.floor(640 / Math.max(1, columns))));

function locate(grid: InfluenceGrid, ref: CellRef | null): { r: number; c: number } | null {
  if (ref === null) return null;
  const r = grid.rows.indexOf(ref.row);
  const c = grid.iterations.indexOf(ref.iteration);
  return r < 0 || c < 0 ? null : { r, c };
}

function describeCell(grid: InfluenceGrid, r: number, c: number): string {
  const cell = grid.cells[r][c];
  const where = `${grid.rowKind === 'topics' ? 'topic' : 'document'} ${grid.rows[r]}, iteration ${grid.iterations[c]}`;
  if (cell === null) return `${where}: not sampled`;
  const score = cell.mean === null ? 'no score' : `mean influence ${formatScore(cell.mean)}`;
  return `${where}: ${score} (${cell.scored} of ${cell.questions.length} questions scored)`;
}

export function InfluenceHeatmap() {
  const run = useRunsStore(selectActiveRun);
  const rowMode = useUiStore((s) => s.heatmapRows);
  if (run === null) return null;
  const grid = selectInfluenceGrid(run, rowMode);
  const projected = run.config['influence.mode'] === 'projected';
  return (
    <section className="panel" aria-labelledby="heatmap-heading">
      <h2 id="heatmap-heading">Influence by {grid.rowKind === 'topics' ? 'topic' : 'document'} and iteration</h2>
      <p className="doc">
        Cell = mean <code>{INFLUENCE_SIM.score}</code> of that {grid.rowKind === 'topics' ? 'topic' : 'document'}&apos;s questions
        ({run.config['influence.similarity_mode']}{projected ? `, projected (${run.config['influence.projection.option']}${run.config['influence.projection.family'] === 'factored' ? ' factored' : ''}, k=${run.config['influence.projection.k']})` : ''}).
        Hover or select a cell to see its questions.
      </p>
      {projected && <ProjectionFidelityNote run={run} />}
      <RowModeSwitch />
      <HeatmapGrid runId={run.id} grid={grid} />
      <CellQuestions run={run} grid={grid} />
    </section>
  );
}

/** R5: how well the projected scores rank like the exact ones at the run's calibration iterations. */
function ProjectionFidelityNote({ run }: { run: RunEntry }) {
  const every = run.config['influence.projection.calibrate_every'];
  const f = projectionFidelity(run.metrics, run.config['influence.projection.spearman_warn']);
  if (f.checks.length === 0) {
    return <p className="doc">Projection fidelity: no check against exact scores yet (iteration 0, then every {every}).</p>;
  }
  const last = f.checks[f.checks.length - 1];
  if (f.low.length === 0) {
    return (
      <p className="doc" data-testid="projection-fidelity">
        Projection fidelity: Spearman {formatScore(last.spearman)} between projected and exact scores at iteration {last.iteration}
        {f.checks.length > 1 ? ` (${f.checks.length} checks, lowest ${formatScore(Math.min(...f.checks.map((c) => c.spearman)))})` : ''};
        warning under {formatScore(f.threshold)}.
      </p>
    );
  }
  const worst = f.low.reduce((a, b) => (b.spearman < a.spearman ? b : a));
  return (
    <p className="message warn" role="alert" data-testid="projection-fidelity">
      Projected influence ranks questions unlike exact influence: Spearman {formatScore(worst.spearman)} at iteration {worst.iteration},
      under <code>influence.projection.spearman_warn</code> = {formatScore(f.threshold)}
      {f.low.length > 1 ? ` (${f.low.length} of ${f.checks.length} checks under it: iterations ${f.low.map((c) => c.iteration).join(', ')})` : ''}.
      This heatmap and the Generator&apos;s rewards use the projected scores; raise <code>influence.projection.k</code> or
      set <code>influence.mode</code> to exact.
    </p>
  );
}

function RowModeSwitch() {
  const rowMode = useUiStore((s) => s.heatmapRows);
  const setRows = useUiStore((s) => s.setHeatmapRows);
  return (
    <div className="row" role="radiogroup" aria-label="Heatmap rows">
      {(['auto', 'documents', 'topics'] as const).map((mode) => (
        <label key={mode} className="inline">
          <input type="radio" name="heatmap-rows" checked={rowMode === mode} onChange={() => setRows(mode)} /> {mode}
        </label>
      ))}
    </div>
  );
}

function HeatmapGrid({ runId, grid }: { runId: string; grid: InfluenceGrid }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const hovered = useUiStore((s) => s.hovered);
  const selected = useUiStore((s) => s.selected);
  const { setHovered, select } = useUiStore.getState();
  const limit = scaleLimit(grid.maxAbs);
  const cellW = cellWidth(grid.iterations.length);
  useEffect(() => {
    if (canvas.current === null) return;
    drawGrid(canvas.current, {
      rows: grid.rows.length, columns: grid.iterations.length, cellWidthPx: cellW, cellHeightPx: CELL_H, limit,
      valueAt: (r, c) => (grid.cells[r][c] === null ? undefined : (grid.cells[r][c] as GridCell).mean),
    });
  }, [grid, limit, cellW]);

  const refAt = (r: number, c: number): CellRef => ({ runId, row: grid.rows[r], iteration: grid.iterations[c] });
  const choose = (r: number, c: number) => select(refAt(r, c), (grid.cells[r][c]?.questions ?? []).map(questionKey));
  const cellFromMouse = (e: MouseEvent): { r: number; c: number } | null => {
    const box = e.currentTarget.getBoundingClientRect();
    const r = Math.floor((e.clientY - box.top) / CELL_H);
    const c = Math.floor((e.clientX - box.left) / cellW);
    return r >= 0 && r < grid.rows.length && c >= 0 && c < grid.iterations.length ? { r, c } : null;
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const at = locate(grid, selected?.runId === runId ? selected : null) ?? { r: 0, c: 0 };
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    let { r, c } = at;
    if (e.key in moves) {
      r = Math.max(0, Math.min(grid.rows.length - 1, r + moves[e.key][0]));
      c = Math.max(0, Math.min(grid.iterations.length - 1, c + moves[e.key][1]));
    } else if (e.key === 'Home') c = 0;
    else if (e.key === 'End') c = grid.iterations.length - 1;
    else if (e.key === 'Escape') { select(null, []); e.preventDefault(); return; }
    else if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    choose(r, c);
  };

  const hoverAt = locate(grid, hovered?.runId === runId ? hovered : null);
  const selectedAt = locate(grid, selected?.runId === runId ? selected : null);
  const descId = `heatmap-desc-${runId}`;
  const summary = useMemo(() => `${grid.rows.length} ${grid.rowKind} by ${grid.iterations.length} iterations; `
    + `blue is positive influence, red negative, scale ±${formatScore(limit)}. `
    + 'Arrow keys move the selected cell; the data is also in the table that follows.', [grid, limit]);
  const outline = (at: { r: number; c: number }, className: string) => (
    <div className={className} style={{ left: at.c * cellW - 1, top: at.r * CELL_H - 1, width: cellW + 1, height: CELL_H + 1 }} />
  );
  return (
    <div className="heatmap">
      <div className="heatmap-body">
        <ol className="row-labels" aria-hidden="true" style={{ gridAutoRows: `${CELL_H}px` }}>
          {grid.rows.map((row, r) => <li key={row} className={selectedAt?.r === r ? 'on' : ''} title={row}>{row}</li>)}
        </ol>
        <div>
          <div
            role="img" aria-label="Influence heatmap" aria-describedby={descId} tabIndex={0} className="heatmap-plot"
            style={{ width: grid.iterations.length * cellW, height: grid.rows.length * CELL_H }}
            onKeyDown={onKeyDown}
            onMouseMove={(e) => { const at = cellFromMouse(e); const ref = at && grid.cells[at.r][at.c] ? refAt(at.r, at.c) : null; if (!sameCell(ref, hovered) && (ref || hovered)) setHovered(ref); }}
            onMouseLeave={() => setHovered(null)}
            onClick={(e) => { const at = cellFromMouse(e); if (at) choose(at.r, at.c); }}
          >
            <canvas ref={canvas} aria-hidden="true" />
            {selectedAt && outline(selectedAt, 'cell-outline selected')}
            {hoverAt && outline(hoverAt, 'cell-outline')}
            {hoverAt && (
              <div className="tooltip" style={{ left: (hoverAt.c + 1) * cellW + 6, top: hoverAt.r * CELL_H }}>
                {describeCell(grid, hoverAt.r, hoverAt.c)}
              </div>
            )}
          </div>
          <ol className="x-axis" aria-hidden="true" style={{ gridTemplateColumns: `repeat(${grid.iterations.length}, ${cellW}px)` }}>
            {grid.iterations.map((it, c) => <li key={it}>{c % Math.ceil(28 / cellW) === 0 ? it : ''}</li>)}
          </ol>
          <p className="axis-title" aria-hidden="true">iteration</p>
        </div>
      </div>
      <Legend limit={limit} caption={`mean ${INFLUENCE_SIM.score}`} />
      <p id={descId} className="visually-hidden">{summary}</p>
      <p className="visually-hidden" aria-live="polite">{selectedAt ? describeCell(grid, selectedAt.r, selectedAt.c) : ''}</p>
      <HeatmapTable grid={grid} />
    </div>
  );
}

/** The grid as a table for screen readers and tests (visually hidden). */
function HeatmapTable({ grid }: { grid: InfluenceGrid }) {
  return (
    <table className="visually-hidden" aria-label="Influence heatmap data">
      <thead>
        <tr><th scope="col">{grid.rowKind === 'topics' ? 'Topic' : 'Document'}</th>{grid.iterations.map((it) => <th key={it} scope="col">Iteration {it}</th>)}</tr>
      </thead>
      <tbody>
        {grid.rows.map((row, r) => (
          <tr key={row}>
            <th scope="row">{row}</th>
            {grid.cells[r].map((cell, c) => (
              <td key={grid.iterations[c]}>{cell === null ? '—' : cell.mean === null ? 'no score' : formatScore(cell.mean)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
