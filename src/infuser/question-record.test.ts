// Spec §11 fixtures F-G1..F-G3 (letters and shuffling) and the choice-permutation part of F-S4.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildQuestionRecord,
  choicePermutation,
  correctLetter,
  questionId,
  recordWithPermutation,
  shuffleChoices,
} from './question-record.ts';
import { buildSolverMessages } from './prompts.ts';
import { streamFor } from './rng.ts';

const IDENTITY = [0, 1, 2, 3];
const at = { iteration: 3, slot: 1, row: 2, docId: 'notes.md#4' };

describe('letters and shuffling (§11)', () => {
  it('F-G1 choices 4..7 with ground truth "5" under identity give B; the prompt has the line "A) 4"', () => {
    const q = { question_text: 'What is 2 + 3?', choices: ['4', '5', '6', '7'], ground_truth: '5' };
    const record = recordWithPermutation(q, at, IDENTITY);
    expect(record.correct_index).toBe(1);
    expect(correctLetter(record)).toBe('B');
    const user = buildSolverMessages(record.question_text, record.choices)[1].content;
    expect(user.split('\n')).toContain('A) 4');
  });

  it('F-G2 choices C, N, O, H with ground truth "C" are matched by text: index 0, letter A', () => {
    const q = { question_text: 'Which element?', choices: ['C', 'N', 'O', 'H'], ground_truth: 'C' };
    const record = recordWithPermutation(q, at, IDENTITY);
    expect(record.correct_index).toBe(0);
    expect(correctLetter(record)).toBe('A');
  });

  it('F-G3 perm [2, 0, 3, 1] shows c, a, d, b and ground truth "a" is letter B', () => {
    const shuffled = shuffleChoices(['a', 'b', 'c', 'd'], 'a', [2, 0, 3, 1]);
    expect(shuffled.choices).toEqual(['c', 'a', 'd', 'b']);
    expect('ABCDEFGH'[shuffled.correct_index]).toBe('B');
  });
});

describe('question records (§3.4)', () => {
  it('builds the id gen_{iteration}_{doc_id}_{row}_{h8} from SHA-256 of the question text', () => {
    const text = 'Which value of x solves 2x = 6?';
    const h8 = createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8);
    expect(questionId(3, 'notes.md#4', 2, text)).toBe(`gen_3_notes.md#4_2_${h8}`);
  });

  it('shuffles with the choice_shuffle stream keyed by (iteration, slot, row) and keeps the answer', () => {
    const q = { question_text: 'Pick z', choices: ['w', 'x', 'y', 'z', 'v'], ground_truth: 'z' };
    const record = buildQuestionRecord(q, { seed: 77, ...at });
    const expectedPerm = streamFor(77, 'choice_shuffle', 3, 1, 2).permutation(5);
    expect(record.choices).toEqual(expectedPerm.map((p) => q.choices[p]));
    expect(record.choices[record.correct_index]).toBe('z');
    expect(record).toMatchObject({ doc_id: 'notes.md#4', slot: 1, ground_truth_text: 'z', question_text: 'Pick z' });
  });

  it('rejects a non-permutation and a ground truth outside the choices', () => {
    expect(() => shuffleChoices(['a', 'b', 'c', 'd'], 'a', [0, 0, 1, 2])).toThrow(/not a permutation/);
    expect(() => shuffleChoices(['a', 'b', 'c', 'd'], 'e', IDENTITY)).toThrow(/not one of the choices/);
  });
});

describe('F-S4 choice permutations and seeds', () => {
  const grid = (seed: number): string[] => {
    const out: string[] = [];
    for (let iteration = 0; iteration < 3; iteration++) {
      for (let slot = 0; slot < 8; slot++) {
        for (let row = 0; row < 4; row++) out.push(choicePermutation(seed, iteration, slot, row, 6).join(''));
      }
    }
    return out;
  };

  it('changing n_S (unrelated solver_sample draws in between) leaves choice permutations unchanged', () => {
    const before = grid(5);
    // A run with a different n_S draws a different number of solver_sample words between shuffles;
    // keyed streams make that irrelevant.
    for (let answer = 0; answer < 8; answer++) streamFor(5, 'solver_sample', 0, 'generated', 0, answer).next();
    const after = grid(5);
    expect(after).toEqual(before);
  });

  it('changing the seed changes them', () => {
    const a = grid(5);
    const b = grid(6);
    const changed = a.filter((perm, i) => perm !== b[i]).length;
    // Two independent uniform permutations of 6 agree with probability 1/720 each.
    expect(changed).toBeGreaterThan(a.length - 3);
  });
});
