import { describe, expect, it } from 'vitest';
import { attemptKind, rowKind } from './iteration-summary.ts';

describe('rowKind', () => {
  const row = (question_type: string | null, question: string | null) => ({ topic: 'kinship', question_type, question });

  it('a single-kind document names the kind, whatever the question asks', () => {
    expect(rowKind(row('two_hop', 'Ami is the parent of Bo. Who is the parent of Bo?'))).toBe('kinship/two_hop');
    expect(rowKind(row(null, null))).toBe('kinship/?');
  });

  it("a mixed document's question is of the kind its text asks, or topic/? when no world form", () => {
    expect(rowKind(row('mixed', 'Ami is the parent of Bo. Who is the parent of Bo?'))).toBe('kinship/lookup');
    expect(rowKind(row('mixed', 'Ami is the parent of Bo. Bo is the parent of Cy. Who is the grandparent of Cy?'))).toBe('kinship/two_hop');
    expect(rowKind(row('mixed', 'Who is Bo?'))).toBe('kinship/?');
    expect(rowKind(row('mixed', null))).toBe('kinship/?');
  });
});

describe('attemptKind', () => {
  const sum = 'Tidam has 7 lamps. Zahuhel has 16 lamps. How many lamps do Tidam and Zahuhel have together?';
  const rejected = (question_type: string, response: string) => ({ topic: 'quantities', question_type, question: null, response });

  it('reads the question a rejected reply wrote on a mixed document', () => {
    // Rejected for duplicate choices: the question still counts as an arithmetic attempt.
    const dup = JSON.stringify({ question_text: sum, choices: ['7', '7', '23', '9'], ground_truth: '23' });
    expect(attemptKind(rejected('mixed', dup))).toBe('quantities/arithmetic');
    expect(attemptKind(rejected('mixed', `Here it is: ${dup} done`))).toBe('quantities/arithmetic');
    expect(attemptKind(rejected('mixed', '{"question_text": "Who'))).toBe('quantities/?');
    expect(attemptKind(rejected('mixed', JSON.stringify({ choices: ['a'] })))).toBe('quantities/?');
  });

  it('is rowKind for valid rows and single-kind documents', () => {
    const valid = { topic: 'quantities', question_type: 'mixed', question: 'Tidam has 7 lamps. How many lamps does Tidam have?', response: JSON.stringify({ question_text: sum }) };
    expect(attemptKind(valid)).toBe('quantities/lookup');
    expect(attemptKind(rejected('comparison', JSON.stringify({ question_text: sum })))).toBe('quantities/comparison');
  });
});
