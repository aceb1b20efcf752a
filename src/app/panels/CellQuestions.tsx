// The questions behind the hovered (else the selected) heatmap cell, each with its validity, Solver
// accuracy and influence score; ticking a question adds it to the layer heatmap.
import { questionKey, type InfluenceGrid, type RunEntry } from '../stores/runs.ts';
import { useUiStore } from '../stores/ui.ts';
import { QuestionCard } from './QuestionCard.tsx';

export function CellQuestions({ run, grid }: { run: RunEntry; grid: InfluenceGrid }) {
  const hovered = useUiStore((s) => s.hovered);
  const selected = useUiStore((s) => s.selected);
  const picked = useUiStore((s) => s.pickedQuestions);
  const togglePicked = useUiStore((s) => s.togglePicked);
  const ref = [hovered, selected].find((c) => c !== null && c.runId === run.id) ?? null;
  if (ref === null) return <p className="muted">No cell selected.</p>;
  const r = grid.rows.indexOf(ref.row);
  const c = grid.iterations.indexOf(ref.iteration);
  const cell = r < 0 || c < 0 ? null : grid.cells[r][c];
  const label = `${grid.rowKind === 'topics' ? 'Topic' : 'Document'} ${ref.row}, iteration ${ref.iteration}`;
  return (
    <section className="cell-questions" aria-label="Questions of the cell">
      <h3>{label}{ref === hovered ? ' (hovered)' : ''}</h3>
      {cell === null ? <p className="muted">Not sampled in this iteration.</p> : cell.questions.map((q) => (
        <QuestionCard key={questionKey(q)} q={q} picked={picked.includes(questionKey(q))} onTogglePicked={() => togglePicked(questionKey(q))} />
      ))}
    </section>
  );
}
