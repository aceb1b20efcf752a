import { describe, expect, it } from 'vitest';
import { rowKind } from './iteration-summary.ts';

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
