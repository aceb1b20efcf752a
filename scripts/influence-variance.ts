// Where the influence score varies, from an experiment's question files (issue 5, docs/experiment.md):
// the Solver-data filter ranks an iteration's live questions (valid, not degenerate) across all its
// documents, while DuGRPO normalises the Generator's rewards within each document's group (spec (13)),
// so the Generator is only told how a document's questions differ from each other. This splits the
// variance of the influence of live questions, per method, into nested parts:
//   - between iterations (the scale of u and the preconditioner drifts; neither the filter nor DuGRPO
//     compares across iterations),
//   - between document kinds within an iteration (in the built-in world a document fixes its kind),
//   - between documents of one kind within an iteration,
//   - within a document (the part a per-document normalisation can pass on as a contrast between
//     live questions),
// and counts how many live questions share their document with another live one. The last column is the
// within-document part as a share of the spread inside an iteration, where the filter ranks.
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/influence-variance.ts experiments/NAME
import { readRunQuestions } from '../src/experiment/experiment.ts';
import { rowKind } from '../src/experiment/iteration-summary.ts';

interface Live { group: string[]; influence: number }
const LEVELS = ['between iterations', 'between kinds within an iteration', 'between documents of a kind', 'within a document'] as const;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Sums of squares of the nested decomposition: part d is between the means of depth-(d+1) groups within depth-d groups; the last part is within the deepest groups. */
function nestedSumsOfSquares(rows: Live[]): number[] {
  const depth = rows[0].group.length;
  const meansAt = (d: number) => {
    const groups = new Map<string, number[]>();
    for (const r of rows) {
      const key = r.group.slice(0, d).join('\u0000');
      const g = groups.get(key) ?? [];
      g.push(r.influence);
      groups.set(key, g);
    }
    return new Map([...groups].map(([k, v]) => [k, mean(v)]));
  };
  const levelMeans = Array.from({ length: depth + 1 }, (_, d) => meansAt(d));
  const ss = new Array<number>(depth + 1).fill(0);
  for (const r of rows) {
    for (let d = 0; d <= depth; d++) {
      const outer = levelMeans[d].get(r.group.slice(0, d).join('\u0000'))!;
      const inner = d === depth ? r.influence : levelMeans[d + 1].get(r.group.slice(0, d + 1).join('\u0000'))!;
      ss[d] += (inner - outer) ** 2;
    }
  }
  return ss;
}

const dir = process.argv[2];
if (dir === undefined) throw new Error('influence-variance: give an experiment folder, e.g. experiments/infuser-30-momentum');
const byMethod = new Map<string, Live[]>();
for (const { method, seed, rows } of await readRunQuestions(dir)) {
  const lives = byMethod.get(method) ?? [];
  byMethod.set(method, lives);
  for (const q of rows) {
    if (!q.valid || q.degenerate !== false || q.influence === null) continue;
    // iteration, kind, document slot: each level nested in the one before
    lives.push({ group: [`${seed}:${q.iteration}`, rowKind(q), `${q.slot}`], influence: q.influence });
  }
}
for (const [method, lives] of byMethod) if (lives.length === 0) byMethod.delete(method);
if (byMethod.size === 0) throw new Error(`influence-variance: ${dir} has no live questions with an influence score`);

console.log('| method | live questions | ' + LEVELS.join(' | ') +
  ' | live questions with a live sibling | within a document, of the spread inside an iteration |');
console.log('| --- | --- | ' + LEVELS.map(() => '---').join(' | ') + ' | --- | --- |');
for (const [method, rows] of [...byMethod].sort((a, b) => a[0].localeCompare(b[0]))) {
  const ss = nestedSumsOfSquares(rows);
  const total = ss.reduce((a, b) => a + b, 0);
  const perDoc = new Map<string, number>();
  for (const r of rows) perDoc.set(r.group.join('\u0000'), (perDoc.get(r.group.join('\u0000')) ?? 0) + 1);
  const withSibling = rows.filter((r) => perDoc.get(r.group.join('\u0000'))! > 1).length;
  const share = (x: number) => `${((100 * x) / total).toFixed(1)}%`;
  console.log(`| ${method} | ${rows.length} | ${ss.map(share).join(' | ')} | ${((100 * withSibling) / rows.length).toFixed(0)}% | ` +
    `${((100 * ss[3]) / (total - ss[0])).toFixed(0)}% |`);
}
