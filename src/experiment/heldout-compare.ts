// Final Solvers of several arms on the held-out questions, compared seed by seed: each arm is one
// method's runs in one experiment folder, so arms from different experiments (another target set,
// more seeds run later) line up on the questions they share. A paired difference on the same seed
// cancels the seed's shared draws (held-out sampling keys, document order), which is why the issue-5
// items report it rather than a difference of means. Optionally restricted to some kinds: accuracy is
// then pooled over the answers to those kinds' questions.
import { stat, type Stat } from './aggregate.ts';
import type { HeldoutSummary, HeldoutTally } from './iteration-summary.ts';
import { ALL_METHODS, type Method } from './methods.ts';

export interface Arm {
  /** How tables name the arm ("INFUSER, arithmetic target"). */
  label: string;
  /** Where the runs came from, for error messages ("experiments/arith-30: infuser"). */
  source: string;
  runs: readonly HeldoutSummary[];
}

export interface ArmAccuracy {
  label: string;
  /** Per seed, ascending: sampled and greedy accuracy on the chosen kinds. */
  seeds: { seed: number; sampled: number; greedy: number }[];
  sampled: Stat;
  greedy: Stat;
}

export interface PairedDifference {
  a: string;
  b: string;
  /** Seeds both arms ran, ascending, with a − b. */
  seeds: { seed: number; sampled: number; greedy: number }[];
  sampled: Stat | null;
  greedy: Stat | null;
  /** Seeds where a is ahead (sampled). */
  ahead: number;
}

export interface HeldoutComparison {
  /** The kinds compared; null for every kind. */
  kinds: string[] | null;
  questions: number;
  arms: ArmAccuracy[];
  pairs: PairedDifference[];
  /** Per kind, per arm label: answers right / answers, pooled over the arm's seeds (sampled). */
  byKind: Record<string, Record<string, { correct: number; total: number }>>;
}

/** Parses an arm "LABEL=FOLDER:METHOD" ("INFUSER-arith=experiments/arith-30:infuser"). */
export function parseArmSpec(spec: string): { label: string; folder: string; method: Method } {
  const m = /^([^=:]+)=(.+):([a-z_]+)$/.exec(spec.trim());
  if (!m) throw new Error(`held-out compare: arm "${spec}" is not LABEL=FOLDER:METHOD (a label without "=" or ":")`);
  const method = m[3] as Method;
  if (!ALL_METHODS.includes(method)) throw new Error(`held-out compare: arm "${spec}" names method "${m[3]}"; methods are ${ALL_METHODS.join(', ')}`);
  return { label: m[1].trim(), folder: m[2], method };
}

/** Parses a pair "A:B" of arm labels. */
export function parsePair(spec: string): [string, string] {
  const parts = spec.split(':').map((x) => x.trim());
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`held-out compare: pair "${spec}" is not LABEL_A:LABEL_B`);
  return [parts[0], parts[1]];
}

function pooled(t: HeldoutTally, kinds: readonly string[] | null, where: string): number {
  if (kinds === null) return t.accuracy;
  let correct = 0;
  let total = 0;
  for (const k of kinds) {
    const c = t.by_kind[k];
    if (!c) throw new Error(`held-out compare: ${where} has no answers of kind ${k} (it has ${Object.keys(t.by_kind).sort().join(', ')})`);
    correct += c.correct;
    total += c.total;
  }
  return total === 0 ? 0 : correct / total;
}

/**
 * Compares `arms` on `kinds` (null: all), and pairs every (a, b) in `pairs` by seed. Throws when an arm
 * has two runs of one seed, when arms answered different numbers of held-out questions, or when a
 * pair names no arm.
 */
export function compareHeldout(arms: readonly Arm[], kinds: readonly string[] | null, pairs: readonly [string, string][]): HeldoutComparison {
  if (arms.length === 0) throw new Error('held-out compare: no arms given');
  let questions = -1;
  let questionsAt = '';
  const accs: ArmAccuracy[] = [];
  const byKind: HeldoutComparison['byKind'] = {};
  for (const arm of arms) {
    if (arm.runs.length === 0) throw new Error(`held-out compare: ${arm.source} has no held-out runs`);
    const seeds = new Map<number, { seed: number; sampled: number; greedy: number }>();
    for (const h of arm.runs) {
      const where = `${arm.source} seed ${h.seed}`;
      if (seeds.has(h.seed)) throw new Error(`held-out compare: ${arm.source} has two runs of seed ${h.seed}`);
      if (questions === -1) { questions = h.greedy.total; questionsAt = where; }
      if (h.greedy.total !== questions) {
        throw new Error(`held-out compare: ${where} answered ${h.greedy.total} held-out questions, ${questionsAt} ${questions}; compare runs of one held-out set`);
      }
      seeds.set(h.seed, { seed: h.seed, sampled: pooled(h, kinds, where), greedy: pooled(h.greedy, kinds, `${where} (greedy)`) });
      for (const [k, c] of Object.entries(h.by_kind)) {
        if (kinds !== null && !kinds.includes(k)) continue;
        const cell = ((byKind[k] ??= {})[arm.label] ??= { correct: 0, total: 0 });
        cell.correct += c.correct;
        cell.total += c.total;
      }
    }
    const rows = [...seeds.values()].sort((x, y) => x.seed - y.seed);
    accs.push({ label: arm.label, seeds: rows, sampled: stat(rows.map((r) => r.sampled))!, greedy: stat(rows.map((r) => r.greedy))! });
  }
  const find = (label: string) => {
    const hit = accs.find((a) => a.label === label);
    if (!hit) throw new Error(`held-out compare: pair names "${label}", not one of the arms (${accs.map((a) => a.label).join(', ')})`);
    return hit;
  };
  const diffs = pairs.map(([a, b]): PairedDifference => {
    const A = find(a);
    const B = new Map(find(b).seeds.map((r) => [r.seed, r]));
    const seeds = A.seeds.filter((r) => B.has(r.seed)).map((r) => ({ seed: r.seed, sampled: r.sampled - B.get(r.seed)!.sampled, greedy: r.greedy - B.get(r.seed)!.greedy }));
    return { a, b, seeds, sampled: stat(seeds.map((s) => s.sampled)), greedy: stat(seeds.map((s) => s.greedy)), ahead: seeds.filter((s) => s.sampled > 0).length };
  });
  return { kinds: kinds === null ? null : [...kinds], questions, arms: accs, pairs: diffs, byKind };
}

const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
const pm = (s: Stat | null, sign = false) => (s === null ? '–' : `${sign ? signed(s.mean) : f3(s.mean)} ± ${f3(s.std)}`);

/** The comparison as markdown: per-arm accuracy by seed, the paired differences, and pooled accuracy per kind. */
export function comparisonMarkdown(c: HeldoutComparison): string {
  const out: string[] = [];
  out.push(`Held-out questions per run: ${c.questions}; kinds compared: ${c.kinds === null ? 'all' : c.kinds.join(', ')}. Mean ± sample std over seeds.`, '');
  out.push('| arm | sampled | per seed | greedy | per seed (greedy) |', '| --- | --- | --- | --- | --- |');
  for (const a of c.arms) {
    out.push(`| ${a.label} | ${pm(a.sampled)} | ${a.seeds.map((s) => `${s.seed}: ${f3(s.sampled)}`).join(', ')} | ${pm(a.greedy)} | ${a.seeds.map((s) => f3(s.greedy)).join(', ')} |`);
  }
  if (c.pairs.length > 0) {
    out.push('', '| paired (same seed) | seeds | sampled | per seed | ahead | greedy |', '| --- | --- | --- | --- | --- | --- |');
    for (const p of c.pairs) {
      out.push(`| ${p.a} − ${p.b} | ${p.seeds.map((s) => s.seed).join(', ') || 'none shared'} | ${pm(p.sampled, true)} | ${p.seeds.map((s) => signed(s.sampled)).join(', ')} | ${p.ahead} of ${p.seeds.length} | ${pm(p.greedy, true)} |`);
    }
  }
  const labels = c.arms.map((a) => a.label);
  out.push('', `| kind (sampled, pooled over seeds) | ${labels.join(' | ')} |`, `| --- | ${labels.map(() => '---').join(' | ')} |`);
  for (const k of Object.keys(c.byKind).sort()) {
    out.push(`| ${k} | ${labels.map((l) => { const x = c.byKind[k][l]; return x && x.total > 0 ? `${((100 * x.correct) / x.total).toFixed(1)}%` : '–'; }).join(' | ')} |`);
  }
  return out.join('\n') + '\n';
}
