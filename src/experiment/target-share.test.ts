import { describe, expect, it } from 'vitest';
import { choiceGroups, documentAgreement, pairedShareMarkdown, pairedTargetShares, targetShareByPhase, trainedCounts } from './target-share.ts';
import { buildWorld } from '../world/documents.ts';
import { questionText } from '../world/problems.ts';

// Real question texts of the mixed world, so the kinds come from question-check's reading, as in a run.
const problems = buildWorld({ seed: 5, mixed: true }).documents.flatMap((d) => d.problems);
const text = (kind: string) => questionText(problems.find((p) => `${p.topic}/${p.type}` === kind)!);
const TWO_HOP = text('kinship/two_hop');
const LOOKUP = text('kinship/lookup');
const target = new Set(['kinship/two_hop']);

// One reply on a mixed kinship document; an invalid one carries its question only in the raw response.
function row(iteration: number, slot: number, question: string | null, valid: boolean, doc = `doc-${iteration}-${slot}`, topic = 'kinship') {
  return {
    iteration, slot, doc_id: doc, valid, topic, degenerate: valid ? false : null, question_type: 'mixed', question: valid ? question : null,
    response: question === null ? 'no json here' : JSON.stringify({ question_text: question, choices: ['a', 'b', 'c', 'd'], ground_truth: 'a' }),
  };
}

describe('target share against the fixed generator', () => {
  it('counts the target kinds among valid questions in the first and last third only', () => {
    const rows = [
      row(0, 0, TWO_HOP, true), row(0, 0, LOOKUP, true), row(2, 0, LOOKUP, true), // early: 1 of 3
      row(3, 0, TWO_HOP, true), // middle third: not counted
      row(6, 0, TWO_HOP, true), row(7, 0, TWO_HOP, true), row(8, 0, LOOKUP, false), // late: 2 of 2
    ];
    expect(targetShareByPhase(rows, target, 9)).toEqual([{ target: 1, valid: 3 }, { target: 2, valid: 2 }]);
  });

  it('counts what the Solver trained on: valid, not degenerate, not left out by its filter', () => {
    const rows = [
      row(0, 0, TWO_HOP, true), row(0, 1, LOOKUP, true), row(0, 2, TWO_HOP, false),
      { ...row(1, 0, TWO_HOP, true), degenerate: true }, { ...row(1, 1, TWO_HOP, true), solver_trained: false },
    ];
    expect(trainedCounts(rows, target)).toEqual({ all: 2, target: 1 });
  });

  it('counts the slots where a target kind and another were attempted, and where both were valid', () => {
    const rows = [
      row(0, 0, TWO_HOP, true), row(0, 0, LOOKUP, true), // both valid
      row(0, 1, TWO_HOP, false), row(0, 1, LOOKUP, true), // both attempted, one valid
      row(0, 2, LOOKUP, true), row(0, 2, null, false), // one kind; the unreadable reply names none
      row(1, 0, null, false), // names no kind at all: not a group
    ];
    expect(choiceGroups(rows, target)).toEqual({ groups: 3, attemptedBoth: 2, validBoth: 1 });
  });

  it('pairs each run with the fixed run of its seed and takes the fixed run\'s drift out', () => {
    const fixed = [row(0, 0, LOOKUP, true), row(0, 0, TWO_HOP, true), row(2, 0, TWO_HOP, true), row(2, 0, TWO_HOP, true)]; // 1/2 → 2/2
    const trained = [row(0, 0, LOOKUP, true), row(0, 0, LOOKUP, true), row(2, 0, TWO_HOP, true), row(2, 0, TWO_HOP, true)]; // 0/2 → 2/2
    const paired = pairedTargetShares([
      { method: 'infuser', seed: '1', rows: trained }, { method: 'fixed', seed: '1', rows: fixed },
      { method: 'infuser', seed: '2', rows: trained }, // no fixed run of seed 2: left out
    ], target, 3);
    expect(paired.map((p) => `${p.method}-${p.seed}`)).toEqual(['fixed-1', 'infuser-1']);
    const inf = paired[1];
    expect(inf.moveVsFixed).toBeCloseTo((1 - 0) - (1 - 0.5), 12);
    expect(inf.lateVsFixed).toBe(0);
    expect(paired[0].moveVsFixed).toBe(0);
    const md = pairedShareMarkdown(paired, 3);
    expect(md).toContain('| infuser | 1 | 0.0% → 100.0% | 50.0% → 100.0% | +50.0 | +0.0 | 0 / 0 / 2 | – |');
    expect(inf.heldoutVsFixed).toBeNull(); // no held-out accuracies given
    // With held-out accuracies: the difference per seed, and r over the trained runs (3 or more).
    const seeds = ['1', '2', '3'];
    const held = (accuracy: number, twoHopRight: number) => ({ accuracy, by_kind: { 'kinship/two_hop': { correct: twoHopRight, total: 10 }, 'kinship/lookup': { correct: 1, total: 10 } } });
    const steered = (late: string) => [row(0, 0, LOOKUP, true), row(2, 0, late, true), row(2, 1, LOOKUP, true)];
    const many = pairedTargetShares([
      ...seeds.map((seed) => ({ method: 'fixed', seed, rows: steered(LOOKUP), heldout: held(0.5, 5) })),
      ...seeds.map((seed, i) => ({ method: 'infuser', seed, rows: i === 0 ? steered(LOOKUP) : steered(TWO_HOP), heldout: held(0.5 + 0.01 * i, 5 + i) })),
    ], target, 3);
    expect(many.filter((p) => p.method === 'infuser').map((p) => p.heldoutVsFixed)).toEqual([0, expect.closeTo(0.01, 12), expect.closeTo(0.02, 12)]);
    const text = pairedShareMarkdown(many, 3);
    expect(text).toContain('| infuser, mean | 3 seeds | | | +33.3 | +33.3 | | | (+0.0 / +0.7) | +0.010 |');
    expect(text).toContain('| infuser | 2 | 0.0% → 50.0% | 0.0% → 0.0% | +50.0 | +50.0 | 0 / 0 / 3 | – | 3 / 1 (+0 / +1) | +0.010 |');
    // late shares 0, ½, ½ against held-out gains 0, 0.01, 0.02: r = √3/2.
    expect(text).toContain(`Over the 3 trained runs, r(late share minus fixed's, held-out minus fixed's) = ${(Math.sqrt(3) / 2).toFixed(2)}.`);
    // Per target kind (the off-target lookup is left out): 0, 1, 1 more two-hop questions trained on, 0, 0.1, 0.2 held-out gain.
    expect(many[3].byKind).toEqual([{ kind: 'kinship/two_hop', trainedVsFixed: 0, heldoutVsFixed: 0 }]);
    expect(text).toContain(`| kinship/two_hop | 3 | +0.7 | +0.100 | ${(Math.sqrt(3) / 2).toFixed(2)} |`);
    expect(text).toContain('| all, pooled | 3 |');
    expect(() => pairedTargetShares([{ method: 'infuser', seed: '2', rows: trained }], target, 3)).toThrow(/no run has a fixed run of the same seed \(runs: infuser-seed2\)/);
  });

  it('correlates per-document target shares within each topic, on documents both runs wrote on', () => {
    const on = (doc: string, topic: string, target: number, other: number) => [
      ...Array.from({ length: target }, (_, i) => row(0, i, TWO_HOP, true, doc, topic)),
      ...Array.from({ length: other }, (_, i) => row(0, 10 + i, LOOKUP, true, doc, topic)),
    ];
    // Topic "a" documents are all-target in both runs and topic "b" none: with topic means out, only the
    // within-topic order counts, and here it agrees exactly (x − mean and y − mean proportional).
    const a = [...on('d1', 'a', 2, 0), ...on('d2', 'a', 1, 1), ...on('d3', 'b', 2, 2), ...on('d4', 'b', 0, 2), ...on('d5', 'b', 3, 0)];
    const b = [...on('d1', 'a', 4, 0), ...on('d2', 'a', 2, 2), ...on('d3', 'b', 1, 1), ...on('d4', 'b', 0, 3), ...on('d5', 'b', 2, 0), ...on('d6', 'b', 2, 0)];
    const agreement = documentAgreement(a, b, target)!;
    expect(agreement.documents).toBe(5);
    expect(agreement.r).toBeCloseTo(1, 12);
    // Reversed within topic "b": the correlation turns negative; too few shared documents give null.
    const c = [...on('d1', 'a', 2, 0), ...on('d2', 'a', 1, 1), ...on('d3', 'b', 2, 2), ...on('d4', 'b', 2, 0), ...on('d5', 'b', 0, 3)];
    expect(documentAgreement(a, c, target)!.r).toBeLessThan(0);
    expect(documentAgreement(a, on('d1', 'a', 2, 0), target)).toBeNull();
  });
});
