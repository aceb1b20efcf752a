// The generated questions of the active run, newest first, as plain text (model output is untrusted).
import { useState } from 'react';
import { questionKey, selectActiveRun, useRunsStore } from '../stores/runs.ts';
import { QuestionCard } from './QuestionCard.tsx';

const PAGE = 20;

export function QuestionStream() {
  const run = useRunsStore(selectActiveRun);
  const [filter, setFilter] = useState<'all' | 'valid' | 'invalid'>('all');
  const [limit, setLimit] = useState(PAGE);
  if (run === null) return null;
  const rows = run.questions.filter((q) => filter === 'all' || q.valid === (filter === 'valid'));
  const newest = rows.slice(-limit).reverse();
  return (
    <section className="panel" aria-labelledby="stream-heading">
      <h2 id="stream-heading">Question stream</h2>
      <div className="row">
        <label className="inline">Show{' '}
          <select value={filter} onChange={(e) => setFilter(e.target.value as typeof filter)}>
            <option value="all">all questions</option>
            <option value="valid">valid only</option>
            <option value="invalid">rejected only</option>
          </select>
        </label>
        <span className="muted">{rows.length} of {run.questions.length} rows</span>
      </div>
      <div className="stream" role="feed" aria-label="Generated questions, newest first">
        {newest.map((q) => <QuestionCard key={questionKey(q)} q={q} />)}
      </div>
      {rows.length > limit && <button type="button" onClick={() => setLimit(limit + PAGE)}>Show {PAGE} more</button>}
    </section>
  );
}
