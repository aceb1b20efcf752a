// Spec §11 fixtures F-P1..F-P13 for the Generator response parser (§3.2–3.3), plus escape-repair cases.
import { describe, expect, it } from 'vitest';
import {
  cleanResponse,
  findTopLevelBraceSpans,
  parseGeneratorResponse,
  repairJsonEscapes,
} from './question-parser.ts';

const WXYZ = ['w', 'x', 'y', 'z'];

function mcq(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ question_text: 'Which letter?', choices: WXYZ, ground_truth: 'x', ...fields });
}

describe('parseGeneratorResponse fixtures (§11)', () => {
  it('F-P1 one plain valid object is valid', () => {
    expect(parseGeneratorResponse(mcq())).toEqual({
      ok: true,
      question_text: 'Which letter?',
      choices: WXYZ,
      ground_truth: 'x',
    });
  });

  it('F-P2 a think block with {not json} then a json code fence is valid', () => {
    const text = `<think>Let me plan {not json} carefully.</think>\n\`\`\`json\n${mcq()}\n\`\`\``;
    expect(cleanResponse(text)).toBe(mcq());
    expect(parseGeneratorResponse(text)).toMatchObject({ ok: true, ground_truth: 'x' });
  });

  it('F-P3 of two valid objects the later is used', () => {
    const text = `${mcq({ question_text: 'first' })}\nRevised:\n${mcq({ question_text: 'second' })}`;
    expect(parseGeneratorResponse(text)).toMatchObject({ ok: true, question_text: 'second' });
  });

  it('F-P4 a valid object then one with 3 choices: the earlier (latest validated) is used', () => {
    const text = `${mcq({ question_text: 'good' })} ${mcq({ question_text: 'bad', choices: ['w', 'x', 'y'] })}`;
    expect(parseGeneratorResponse(text)).toMatchObject({ ok: true, question_text: 'good' });
  });

  it('F-P5 3 or 9 choices give failed_parse', () => {
    expect(parseGeneratorResponse(mcq({ choices: ['w', 'x', 'y'] }))).toEqual({ ok: false, reason: 'failed_parse' });
    const nine = ['w', 'x', 'y', 'z', 'p', 'q', 'r', 's', 't'];
    expect(parseGeneratorResponse(mcq({ choices: nine }))).toEqual({ ok: false, reason: 'failed_parse' });
  });

  it('F-P6 ground truth " paris " is repaired to "Paris"; "Lyon" is invalid_ground_truth', () => {
    const choices = ['Paris', 'Rome', 'Oslo', 'Bern'];
    expect(parseGeneratorResponse(mcq({ choices, ground_truth: ' paris ' }))).toMatchObject({
      ok: true,
      ground_truth: 'Paris',
    });
    expect(parseGeneratorResponse(mcq({ choices, ground_truth: 'Lyon' }))).toEqual({
      ok: false,
      reason: 'invalid_ground_truth',
    });
  });

  it('F-P7 blank question_text is empty_question; empty ground_truth is invalid_ground_truth', () => {
    expect(parseGeneratorResponse(mcq({ question_text: '   ' }))).toEqual({ ok: false, reason: 'empty_question' });
    expect(parseGeneratorResponse(mcq({ ground_truth: '' }))).toEqual({ ok: false, reason: 'invalid_ground_truth' });
  });

  it('F-P8 choices keyed A..D are read in letter order; keys A, B, D, E stop at B and fail', () => {
    const keyed = { A: 'w', B: 'x', C: 'y', D: 'z' };
    expect(parseGeneratorResponse(mcq({ choices: keyed }))).toMatchObject({ ok: true, choices: WXYZ });
    const lower = { a: 'w', b: 'x', c: 'y', d: 'z' };
    expect(parseGeneratorResponse(mcq({ choices: lower }))).toMatchObject({ ok: true, choices: WXYZ });
    const gap = { A: 'w', B: 'x', D: 'y', E: 'z' };
    expect(parseGeneratorResponse(mcq({ choices: gap }))).toEqual({ ok: false, reason: 'failed_parse' });
  });

  it('F-P9 single-backslash LaTeX survives literally with no control characters', () => {
    const raw = String.raw`{"question_text": "Compute \frac{1}{2} + \beta and \sum_{k=1}^n k", "choices": ["w", "x", "y", "z"], "ground_truth": "x"}`;
    const result = parseGeneratorResponse(raw);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.question_text).toBe(String.raw`Compute \frac{1}{2} + \beta and \sum_{k=1}^n k`);
    expect(/[\u0000-\u001f]/.test(result.question_text)).toBe(false);
  });

  it('F-P10 a list question_text is joined with spaces; a list ground_truth fails', () => {
    expect(parseGeneratorResponse(mcq({ question_text: ['Part 1', 'Part 2'] }))).toMatchObject({
      ok: true,
      question_text: 'Part 1 Part 2',
    });
    expect(parseGeneratorResponse(mcq({ ground_truth: ['x'] }))).toEqual({ ok: false, reason: 'failed_parse' });
  });

  it('F-P11 an unbalanced "{ broken " before a valid object is recovered by the fallback', () => {
    const text = `{ broken ${mcq()}`;
    expect(findTopLevelBraceSpans(cleanResponse(text))).toEqual([]);
    expect(parseGeneratorResponse(text)).toMatchObject({ ok: true, ground_truth: 'x' });
  });

  it('F-P12 text without "{" and an empty choices list both give failed_parse', () => {
    expect(parseGeneratorResponse('I cannot write a question for this document.')).toEqual({
      ok: false,
      reason: 'failed_parse',
    });
    expect(parseGeneratorResponse(mcq({ choices: [] }))).toEqual({ ok: false, reason: 'failed_parse' });
  });

  it('F-P13 choices equal after trim and case-fold are duplicate_choices unless the parity switch is on', () => {
    const fields = { choices: ['A', 'b', 'B ', 'c'], ground_truth: 'A' };
    expect(parseGeneratorResponse(mcq(fields))).toEqual({ ok: false, reason: 'duplicate_choices' });
    expect(parseGeneratorResponse(mcq(fields), { allowDuplicateChoices: true })).toMatchObject({ ok: true });
  });
});

describe('parser details (§3.2)', () => {
  it('ignores braces inside JSON strings when scanning spans', () => {
    const obj = mcq({ question_text: 'Is "}" a brace? \\"{' });
    const text = `prefix ${obj} suffix`;
    expect(findTopLevelBraceSpans(text)).toEqual([[7, 7 + obj.length]]);
    expect(parseGeneratorResponse(text)).toMatchObject({ ok: true, question_text: 'Is "}" a brace? \\"{' });
  });

  it('stringifies numbers and one-key objects, Python style', () => {
    const fields = { question_text: { text: 'What is 2+3?' }, choices: [4, 5, 6, 7], ground_truth: 5 };
    expect(parseGeneratorResponse(mcq(fields))).toEqual({
      ok: true,
      question_text: 'What is 2+3?',
      choices: ['4', '5', '6', '7'],
      ground_truth: '5',
    });
  });

  it('needs the question_text and ground_truth keys to validate', () => {
    const noTruth = JSON.stringify({ question_text: 'q', choices: WXYZ });
    expect(parseGeneratorResponse(noTruth)).toEqual({ ok: false, reason: 'failed_parse' });
    const nullTruth = JSON.stringify({ question_text: 'q', choices: WXYZ, ground_truth: null });
    expect(parseGeneratorResponse(nullTruth)).toEqual({ ok: false, reason: 'failed_parse' });
  });

  it('repairs escapes: keeps \\\\, LaTeX before letters, valid escapes and \\uXXXX; doubles the rest', () => {
    expect(repairJsonEscapes(String.raw`a\\b`)).toBe(String.raw`a\\b`);
    expect(repairJsonEscapes(String.raw`\frac \theta \n 1`)).toBe(String.raw`\\frac \\theta \n 1`);
    expect(repairJsonEscapes(String.raw`\sum \( \" \/ \t`)).toBe(String.raw`\\sum \\( \" \/ \t`);
    expect(repairJsonEscapes(String.raw`\u00e9 \u12`)).toBe(String.raw`\u00e9 \\u12`);
    expect(repairJsonEscapes(String.raw`\\\frac`)).toBe(String.raw`\\\\frac`);
    expect(JSON.parse(`"${repairJsonEscapes(String.raw`x\n y \u0041 \cdot`)}"`)).toBe('x\n y A \\cdot');
  });
});
