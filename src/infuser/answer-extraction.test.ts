// Spec §11 fixtures F-X1..F-X4 for last-boxed answer extraction and scoring (§3.6).
import { describe, expect, it } from 'vitest';
import { extractAnswer, extractLastBoxed, scorePrediction, scoreResponse, stripLatexWrappers } from './answer-extraction.ts';

describe('extractAnswer fixtures (§11)', () => {
  it('F-X1 the last box wins, case-insensitively, with optional whitespace before the brace', () => {
    expect(extractAnswer('First \\boxed{A} ... so \\boxed{C}')).toBe('C');
    expect(extractAnswer('\\boxed{c}')).toBe('C');
    expect(extractAnswer('\\boxed {D}')).toBe('D');
    expect(extractAnswer('\\BOXED{b}')).toBe('B');
  });

  it('F-X2 whole-content LaTeX wrappers are stripped repeatedly', () => {
    expect(extractAnswer('\\boxed{\\text{B}}')).toBe('B');
    expect(extractAnswer('$$\\boxed{\\textbf{\\text{D}}}$$')).toBe('D');
  });

  it('F-X3 an empty box, an unbalanced box and no box all give null (score null, reward 0)', () => {
    for (const text of ['\\boxed{}', 'so \\boxed{B', 'The answer is B.']) {
      expect(extractAnswer(text)).toBeNull();
      expect(scoreResponse(text, 'B')).toBeNull();
    }
  });

  it('F-X4 literal parity: "42" and "(B)" score 0; "Answer: B" predicts A', () => {
    expect(extractAnswer('\\boxed{42}')).toBe('42');
    expect(scoreResponse('\\boxed{42}', 'A')).toBe(0);
    expect(extractAnswer('\\boxed{(B)}')).toBe('(B)');
    expect(scoreResponse('\\boxed{(B)}', 'B')).toBe(0);
    expect(extractAnswer('\\boxed{Answer: B}')).toBe('A');
    expect(scoreResponse('\\boxed{Answer: B}', 'B')).toBe(0);
  });
});

describe('extraction details (§3.6)', () => {
  it('counts nested braces without string awareness', () => {
    expect(extractLastBoxed('\\boxed{ \\frac{1}{2} }')).toBe('\\frac{1}{2}');
    expect(extractLastBoxed('\\boxed{a} then \\boxed{{b}')).toBeNull();
  });

  it('strips only wrappers that span the whole content', () => {
    expect(stripLatexWrappers(' \\mathrm{ \\operatorname{E} } ')).toBe('E');
    expect(stripLatexWrappers('\\text{B} or C')).toBe('\\text{B} or C');
  });

  it('scores 1 on the correct letter, 0 on another, null without a prediction', () => {
    expect(scoreResponse('reasoning... \\boxed{b}', 'B')).toBe(1);
    expect(scoreResponse('reasoning... \\boxed{\\text{C}}', 'B')).toBe(0);
    expect(scorePrediction(null, 'A')).toBeNull();
  });

  it('takes the first Unicode letter, not only ASCII', () => {
    expect(extractAnswer('\\boxed{é}')).toBe('É');
    expect(extractAnswer('\\boxed{-1}')).toBe('-1');
  });
});
