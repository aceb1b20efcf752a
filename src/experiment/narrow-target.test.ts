import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildWorld, type DevRow } from '../world/documents.ts';
import { parseTargetKinds, rowsOfKinds, targetKindsOf } from './narrow-target.ts';

describe('narrow target', () => {
  it('keeps only the chosen kinds of the shipped dev and held-out files, in order', () => {
    const kinds = parseTargetKinds('kinship/two_hop, travel/two_hop');
    for (const file of ['public/world/dev.json', 'public/world/heldout.json']) {
      const rows = JSON.parse(readFileSync(file, 'utf8')) as DevRow[];
      const kept = rowsOfKinds(rows, kinds, file);
      expect(kept.length).toBe(rows.filter((r) => r.question_type === 'two_hop' && r.topic !== 'chemistry').length);
      expect(new Set(kept.map((r) => `${r.topic}/${r.question_type}`))).toEqual(new Set(kinds));
      expect(kept.map((r) => rows.indexOf(r))).toEqual([...kept.map((r) => rows.indexOf(r))].sort((a, b) => a - b));
    }
  });

  it('matches a freshly built world (the shipped files are the default world)', () => {
    const world = buildWorld();
    const shipped = JSON.parse(readFileSync('public/world/heldout.json', 'utf8')) as DevRow[];
    expect(rowsOfKinds(world.heldout, ['travel/arithmetic'], 'built').map((r) => r.question_text))
      .toEqual(rowsOfKinds(shipped, ['travel/arithmetic'], 'shipped').map((r) => r.question_text));
  });

  it('refuses kinds the sets do not hold, naming them and the known ones', () => {
    expect(() => parseTargetKinds('kinship/lookup')).toThrow(/"kinship\/lookup" is not a kind.*kinship\/two_hop/);
    expect(() => parseTargetKinds(' , ')).toThrow(/no kinds given/);
    expect(() => rowsOfKinds([{ topic: 'travel', question_type: 'two_hop' }] as DevRow[], ['kinship/two_hop'], 'x.json')).toThrow(/x\.json has no questions of kinship\/two_hop/);
  });

  it('names a target\'s kinds from its rows, or the built-in set\'s without rows', () => {
    expect([...targetKindsOf([{ topic: 'travel', question_type: 'arithmetic' }, { topic: 'travel', question_type: 'arithmetic' }])]).toEqual(['travel/arithmetic']);
    expect(targetKindsOf(null).size).toBe(6);
    expect(targetKindsOf(null).has('kinship/two_hop')).toBe(true);
  });
});
