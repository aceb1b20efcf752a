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
// In a mixed world (documents of question_type 'mixed', kinds read from the questions) a document holds
// several kinds, so the nesting turns round: between iterations, between documents within an iteration,
// between kinds within a document, within a document's kind; the within-document part is the last two.
// The nested split gives a lone question's deviation to its group: an iteration has 8 documents over 15
// kinds, so most kinds hold one document and many documents one live question, and the between-kind and
// between-document parts also hold question-to-question noise. The second table avoids that: over every
// pair of live questions of one iteration, half the mean squared difference and the median absolute
// difference of their influence, by whether they share a document and a kind. Where a kind (or a
// document) carries signal, its pairs differ less than the others.
// Run:
//   node --import ./scripts/register-hooks.mjs --import tsx scripts/influence-variance.ts experiments/NAME
import { readRunQuestions } from '../src/experiment/experiment.ts';
import { rowKind } from '../src/experiment/iteration-summary.ts';

interface Live { iteration: string; slot: string; kind: string; influence: number }
const LEVELS = ['between iterations', 'between kinds within an iteration', 'between documents of a kind', 'within a document'] as const;
const MIXED_LEVELS = ['between iterations', 'between documents within an iteration', 'between kinds within a document', 'within a document\'s kind'] as const;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Sums of squares of the nested decomposition: part d is between the means of depth-(d+1) groups within depth-d groups; the last part is within the deepest groups. */
function nestedSumsOfSquares(rows: Live[], groupOf: (r: Live) => string[]): number[] {
  const depth = groupOf(rows[0]).length;
  const meansAt = (d: number) => {
    const groups = new Map<string, number[]>();
    for (const r of rows) {
      const key = groupOf(r).slice(0, d).join('\u0000');
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
      const outer = levelMeans[d].get(groupOf(r).slice(0, d).join('\u0000'))!;
      const inner = d === depth ? r.influence : levelMeans[d + 1].get(groupOf(r).slice(0, d + 1).join('\u0000'))!;
      ss[d] += (inner - outer) ** 2;
    }
  }
  return ss;
}

const dir = process.argv[2];
if (dir === undefined) throw new Error('influence-variance: give an experiment folder, e.g. experiments/infuser-30-momentum');
const byMethod = new Map<string, Live[]>();
const runs = await readRunQuestions(dir);
const mixed = runs.some((r) => r.rows.some((q) => q.question_type === 'mixed'));
const levels = mixed ? MIXED_LEVELS : LEVELS;
for (const { method, seed, rows } of runs) {
  const lives = byMethod.get(method) ?? [];
  byMethod.set(method, lives);
  for (const q of rows) {
    if (!q.valid || q.degenerate !== false || q.influence === null) continue;
    lives.push({ iteration: `${seed}:${q.iteration}`, slot: `${q.slot}`, kind: rowKind(q), influence: q.influence });
  }
}
for (const [method, lives] of byMethod) if (lives.length === 0) byMethod.delete(method);
// Each level nested in the one before: iteration, kind, document slot (mixed: iteration, slot, kind).
const groupOf = (r: Live) => (mixed ? [r.iteration, r.slot, r.kind] : [r.iteration, r.kind, r.slot]);
if (byMethod.size === 0) throw new Error(`influence-variance: ${dir} has no live questions with an influence score`);

console.log('| method | live questions | ' + levels.join(' | ') +
  ' | live questions with a live sibling | within a document, of the spread inside an iteration |');
console.log('| --- | --- | ' + levels.map(() => '---').join(' | ') + ' | --- | --- |');
for (const [method, rows] of [...byMethod].sort((a, b) => a[0].localeCompare(b[0]))) {
  const ss = nestedSumsOfSquares(rows, groupOf);
  const total = ss.reduce((a, b) => a + b, 0);
  const docOf = (r: Live) => `${r.iteration}\u0000${r.slot}`;
  const perDoc = new Map<string, number>();
  for (const r of rows) perDoc.set(docOf(r), (perDoc.get(docOf(r)) ?? 0) + 1);
  const withSibling = rows.filter((r) => perDoc.get(docOf(r))! > 1).length;
  const withinDocument = mixed ? ss[2] + ss[3] : ss[3];
  const share = (x: number) => `${((100 * x) / total).toFixed(1)}%`;
  console.log(`| ${method} | ${rows.length} | ${ss.map(share).join(' | ')} | ${((100 * withSibling) / rows.length).toFixed(0)}% | ` +
    `${((100 * withinDocument) / (total - ss[0])).toFixed(0)}% |`);
}

const PAIRS = ['same document, same kind', 'same document, other kind', 'other document, same kind', 'other document, other kind'] as const;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log('\nPairs of live questions of one iteration: ½·mean (a − b)² / median |a − b| (pairs), ×10⁻⁴ and ×10⁻²\n');
console.log('| method | ' + PAIRS.join(' | ') + ' |');
console.log('| --- | ' + PAIRS.map(() => '---').join(' | ') + ' |');
for (const [method, rows] of [...byMethod].sort((a, b) => a[0].localeCompare(b[0]))) {
  const diffs = new Map<string, number[]>(PAIRS.map((p) => [p, []]));
  const byIteration = new Map<string, Live[]>();
  for (const r of rows) {
    const qs = byIteration.get(r.iteration) ?? [];
    qs.push(r);
    byIteration.set(r.iteration, qs);
  }
  for (const qs of byIteration.values()) {
    for (let i = 0; i < qs.length; i++) {
      for (let j = i + 1; j < qs.length; j++) {
        const key = `${qs[i].slot === qs[j].slot ? 'same' : 'other'} document, ${qs[i].kind === qs[j].kind ? 'same' : 'other'} kind`;
        diffs.get(key)!.push(qs[i].influence - qs[j].influence);
      }
    }
  }
  const cell = (d: number[]) => (d.length === 0 ? '–'
    : `${((1e4 * d.reduce((a, x) => a + x * x, 0)) / (2 * d.length)).toFixed(1)} / ${(1e2 * median(d.map(Math.abs))).toFixed(2)} (${d.length})`);
  console.log(`| ${method} | ${PAIRS.map((p) => cell(diffs.get(p)!)).join(' | ')} |`);
}
