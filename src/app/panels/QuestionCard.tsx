// One generated question as text only (model output is untrusted): validity, Solver accuracy, influence,
// reward, whether the Solver filter left it out, choices with the correct letter, and the raw response
// folded away. Used by CellQuestions and QuestionStream.
import type { QuestionRow } from '../../infuser/run-records.ts';
import { formatScore } from '../plot/diverging-scale.ts';

const pct = (v: number | null): string => (v === null ? '—' : `${Math.round(v * 100)}%`);

export function QuestionCard({ q, picked, onTogglePicked }: { q: QuestionRow; picked?: boolean; onTogglePicked?: () => void }) {
  return (
    <article className={q.valid ? 'question' : 'question invalid'}>
      <header>
        <span className="muted">it {q.iteration} · slot {q.slot} · row {q.row} · <code>{q.doc_id}</code></span>
        <span className={q.valid ? 'badge ok' : 'badge bad'}>{q.valid ? 'valid' : `invalid: ${q.rejection ?? 'unknown'}`}</span>
        {q.valid && <span>solver {pct(q.solver_accuracy)}</span>}
        {q.valid && <span>influence {q.influence === null ? (q.degenerate ? '— (degenerate)' : '—') : formatScore(q.influence)}</span>}
        <span>reward {formatScore(q.reward)}</span>
        {q.valid && q.degenerate === false && q.solver_trained === false && (
          <span className="badge muted" title="influence.solver_filter_mode left this question out of the Solver update">filtered out</span>
        )}
        {onTogglePicked && q.layer_scores !== null && (
          <label className="inline">
            <input type="checkbox" checked={picked === true} onChange={onTogglePicked} /> in layer heatmap
          </label>
        )}
      </header>
      {q.question !== null && <p className="q-text">{q.question}</p>}
      {q.choices !== null && (
        <ol type="A" className="choices">
          {q.choices.map((choice, i) => (
            <li key={i} className={String.fromCharCode(65 + i) === q.answer ? 'correct' : ''}>{choice}</li>
          ))}
        </ol>
      )}
      <details>
        <summary>Generator response</summary>
        <pre className="response">{q.response}</pre>
      </details>
    </article>
  );
}
