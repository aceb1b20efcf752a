// The results table in markdown: per-iteration mean ± std for every method, a final-iteration summary,
// the final Solvers on the held-out dev questions, and the topic / question-type mix of valid generated
// questions at the first and the last iteration.
import type { ExperimentResults, Mix, Stat } from './aggregate.ts';
import { METHOD_INFO } from './methods.ts';

const DASH = '–';

/** "0.512 ± 0.031"; a dash for no value. */
export function formatStat(s: Stat | null, digits = 3): string {
  return s === null ? DASH : `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}`;
}

function signed(s: Stat | null): string {
  if (s === null || s.n === 0) return DASH;
  const sign = s.mean >= 0 ? '+' : '−';
  return `${sign}${Math.abs(s.mean).toFixed(3)} ± ${s.std.toFixed(3)}`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function shares(record: Record<string, number>): string {
  const entries = Object.entries(record).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? DASH : entries.map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`).join(', ');
}

function mixCell(m: Mix, pick: (m: Mix) => Record<string, number>): string {
  return m.count === 0 ? DASH : `${shares(pick(m))} (n=${m.count})`;
}

const pct = (x: number | null) => (x === null ? DASH : `${(100 * x).toFixed(1)}%`);

export interface ReportHeader {
  title: string;
  /** Lines describing the setup (sizes, seeds, learning rates, model). */
  setup: string[];
}

export function resultsMarkdown(r: ExperimentResults, header: ReportHeader): string {
  const out: string[] = [`# ${header.title}`, '', ...header.setup.map((l) => `- ${l}`), ''];
  out.push('Mean ± sample std over seeds. Target accuracy = `dev_rollout/accuracy_strict`; validity = '
    + '`gen_question_rollout/frac_valid_questions`; gen. accuracy = `gen_answer_rollout/accuracy_strict`; '
    + `dev-kind share = share of valid generated questions whose (topic, type) the dev set tests (${r.dev_kinds.join(', ')}); `
    + 'right labels = share of valid generated questions whose golden answer follows from the facts the question states '
    + '(the world\'s label check, src/world/question-check.ts).', '');
  out.push('## Final iteration', '');
  out.push(table(
    ['method', 'iteration', 'target accuracy', 'gain over iteration 0', 'vs fixed (paired)', 'validity (run mean)', 'gen. accuracy (run mean)',
      'right labels (run mean)', 'seeds'],
    r.finals.map((f) => [
      METHOD_INFO[f.method].label, String(f.iteration), formatStat(f.target_accuracy), signed(f.target_gain), signed(f.vs_fixed),
      formatStat(f.frac_valid_questions), formatStat(f.gen_accuracy), formatStat(f.right_labels), String(f.target_accuracy.n),
    ]),
  ), '');
  if (r.heldout.length > 0) {
    const kinds = [...new Set(r.heldout.flatMap((h) => Object.keys(h.by_kind)))].sort();
    out.push('## Held-out dev questions, after the last update', '');
    out.push('The final Solver of every run answers the held-out questions (the setup names the file; public/world/heldout.json for the built-in world), which no run trains on or '
      + 'measures during the iterations: sampled as in Stage 1 (keys shared by every method of a seed) and greedily '
      + '(one temperature-0 answer, a function of the weights alone, so paired differences carry no sampling noise). '
      + 'Paired = minus the other method on the same seed. Per-kind columns pool the sampled answers of all seeds.', '');
    out.push(table(
      ['method', 'sampled', 'vs base (paired)', 'vs fixed (paired)', 'greedy', 'vs base (paired)', 'vs fixed (paired)', 'seeds', ...kinds],
      r.heldout.map((h) => [
        METHOD_INFO[h.method].label, formatStat(h.accuracy), signed(h.vs_base), signed(h.vs_fixed),
        formatStat(h.greedy.accuracy), signed(h.greedy.vs_base), signed(h.greedy.vs_fixed), String(h.accuracy.n),
        ...kinds.map((k) => pct(h.by_kind[k] ?? null)),
      ]),
    ), '');
    const controlled = r.heldout.filter((h) => h.vs_control !== null);
    if (controlled.length > 0) {
      out.push('Against a control that differs in one setting (paired by seed):', '');
      out.push(table(
        ['method', 'control', 'sampled, vs control', 'greedy, vs control'],
        controlled.map((h) => [
          METHOD_INFO[h.method].label, METHOD_INFO[h.vs_control!.method].label, signed(h.vs_control!.sampled), signed(h.vs_control!.greedy),
        ]),
      ), '');
    }
  }
  out.push('## Every iteration', '');
  out.push(table(
    ['method', 'iteration', 'target accuracy', 'validity', 'gen. accuracy', 'dev-kind share', 'right labels', 'seeds'],
    r.iterations.map((it) => [
      METHOD_INFO[it.method].label, String(it.iteration), formatStat(it.target_accuracy), formatStat(it.frac_valid_questions),
      formatStat(it.gen_accuracy), formatStat(it.dev_kind_share), formatStat(it.right_labels), String(it.target_accuracy.n),
    ]),
  ), '');
  out.push('## Question mix drift (valid generated questions, pooled over seeds)', '');
  out.push(table(
    ['method', 'dev-kind share first → last', 'topics, first iteration', 'topics, last iteration', 'types, first iteration', 'types, last iteration'],
    r.mix.map((m) => [
      METHOD_INFO[m.method].label, `${pct(m.first.dev_kind_share)} → ${pct(m.last.dev_kind_share)}`,
      mixCell(m.first, (x) => x.topics), mixCell(m.last, (x) => x.topics), mixCell(m.first, (x) => x.types), mixCell(m.last, (x) => x.types),
    ]),
  ), '');
  return out.join('\n');
}
