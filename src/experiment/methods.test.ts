import { describe, expect, it } from 'vitest';
import { ALL_METHODS, METHOD_INFO, parseMethods, type Method } from './methods.ts';
import { methodConfig, presetSettings } from './settings.ts';
import { devKinds, questionCheck } from './run-method.ts';
import type { DevQuestion } from '../data/dev-pool.ts';
import type { QuestionRecord } from '../infuser/question-record.ts';
import { buildWorld } from '../world/documents.ts';
import { questionText } from '../world/problems.ts';

// The keys on which two methods' frozen run configs differ.
function differingKeys(a: Method, b: Method): string[] {
  const settings = presetSettings('ci');
  const ca = methodConfig(settings, a, 1) as unknown as Record<string, unknown>;
  const cb = methodConfig(settings, b, 1) as unknown as Record<string, unknown>;
  return [...new Set([...Object.keys(ca), ...Object.keys(cb)])].filter((k) => JSON.stringify(ca[k]) !== JSON.stringify(cb[k])).sort();
}

describe('methods', () => {
  it('each paired arm differs from its control in exactly one setting', () => {
    expect(differingKeys('fixed_top', 'fixed_random')).toEqual(['influence.solver_filter_mode']);
    // INFUSER with the filter against the filter alone: only whether the Generator is trained.
    expect(differingKeys('infuser_top', 'fixed_top')).toEqual(['training.reward_mode']);
    // Against plain INFUSER: only the filter's settings.
    const vsInfuser = differingKeys('infuser_top', 'infuser');
    expect(vsInfuser).toContain('influence.solver_filter_mode');
    expect(vsInfuser.every((k) => k.startsWith('influence.solver_filter_'))).toBe(true);
  });

  it('every control is itself a method, and no method is its own control', () => {
    for (const m of ALL_METHODS) {
      const c = METHOD_INFO[m].control;
      if (c === undefined) continue;
      expect(ALL_METHODS).toContain(c);
      expect(c).not.toBe(m);
    }
  });

  it('parseMethods accepts infuser_top and names the known methods on a typo', () => {
    expect(parseMethods('infuser_top,fixed_top')).toEqual(['infuser_top', 'fixed_top']);
    expect(() => parseMethods('infuser_tpo')).toThrow(/unknown method "infuser_tpo".*infuser_top/);
  });
});

describe('fixed_nolookup', () => {
  const world = buildWorld({ seed: 5, mixed: true });
  const problems = world.documents.flatMap((d) => d.problems);
  const record = (p: (typeof problems)[number], answer: string): QuestionRecord => {
    const choices = [answer, ...p.distractors.filter((c) => c !== answer)].slice(0, 4);
    return { question_id: 'q', doc_id: 'd', slot: 0, question_text: questionText(p), choices, correct_index: 0, ground_truth_text: answer };
  };

  it('runs the fixed generator exactly (same run config) and refuses only number lookups', () => {
    expect(differingKeys('fixed_nolookup', 'fixed')).toEqual([]);
    expect(differingKeys('infuser_nolookup', 'fixed_nolookup')).toEqual(['training.reward_mode']);
    expect(METHOD_INFO.infuser_nolookup.refuses).toEqual(METHOD_INFO.fixed_nolookup.refuses);
    const check = questionCheck(false, METHOD_INFO.fixed_nolookup.refuses!)!;
    const seen = new Map<string, boolean>();
    for (const p of problems) seen.set(`${p.topic}/${p.type}`, check(record(p, p.answer)));
    expect(seen.get('quantities/lookup')).toBe(false);
    expect(seen.get('timeline/lookup')).toBe(false);
    expect(seen.get('travel/lookup')).toBe(false);
    for (const kind of ['kinship/lookup', 'chemistry/lookup', 'quantities/arithmetic', 'timeline/arithmetic', 'travel/two_hop', 'kinship/two_hop']) expect(seen.get(kind), kind).toBe(true);
  });

  it('with --check-labels a refused kind stays refused and a wrong label is refused too', () => {
    const check = questionCheck(true, METHOD_INFO.fixed_nolookup.refuses!)!;
    const arithmetic = problems.find((p) => p.type === 'arithmetic')!;
    expect(check(record(arithmetic, arithmetic.answer))).toBe(true);
    expect(check(record(arithmetic, arithmetic.distractors[0]))).toBe(false);
    expect(questionCheck(false, [])).toBeUndefined();
  });
});

describe('fixed_target', () => {
  const world = buildWorld({ seed: 5, mixed: true });
  const problems = world.documents.flatMap((d) => d.problems);
  const dev: DevQuestion[] = world.dev.map((r) => ({
    question_id: r.question_id, question_text: r.question_text, choices: r.choices, correct_index: 0,
    extra: { topic: r.topic, question_type: r.question_type },
  }));
  const record = (p: (typeof problems)[number], answer: string): QuestionRecord => {
    const choices = [answer, ...p.distractors.filter((c) => c !== answer)].slice(0, 4);
    return { question_id: 'q', doc_id: 'd', slot: 0, question_text: questionText(p), choices, correct_index: 0, ground_truth_text: answer };
  };

  it('runs the fixed generator exactly and keeps only the dev set\'s kinds', () => {
    expect(differingKeys('fixed_target', 'fixed')).toEqual([]);
    const keeps = devKinds(dev);
    expect([...keeps].sort()).toEqual(['chemistry/two_hop', 'kinship/two_hop', 'quantities/arithmetic', 'timeline/arithmetic', 'travel/arithmetic', 'travel/two_hop']);
    const check = questionCheck(false, [], keeps)!;
    const seen = new Map<string, boolean>();
    for (const p of problems) seen.set(`${p.topic}/${p.type}`, check(record(p, p.answer)));
    expect(seen.size).toBeGreaterThan(keeps.size); // the pool holds other kinds too
    for (const [kind, kept] of seen) expect(kept, kind).toBe(keeps.has(kind));
    expect(check({ ...record(problems[0], problems[0].answer), question_text: 'What colour is the sky?' })).toBe(false);
  });

  it('a dev row without topic and question_type is an error naming the question', () => {
    expect(() => devKinds([{ ...dev[0], extra: {} }])).toThrow(new RegExp(`"${dev[0].question_id}" has no topic and question_type`));
  });
});
