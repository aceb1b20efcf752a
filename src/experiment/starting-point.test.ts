import { describe, expect, it } from 'vitest';
import { percentile, startingPointSection, withStartingPoint, STARTING_POINT_HEADING } from './starting-point.ts';

const tally = (correct: number, total: number) => ({
  correct, total, byKind: { 'kinship/two_hop': { correct, total } }, lengths: [10, 20, 30, 40], truncated: 1,
  rejections: { failed_parse: 3, invalid_ground_truth: 30 } as Record<string, number>,
});

const START = {
  generator: tally(90, 128), solver: tally(200, 384), documents: 64, generatorSamples: 2, devQuestions: 96, solverSamples: 4,
  temperature: 0.7, generatorMaxTokens: 192, solverMaxTokens: 96, seed: 1, adapter: 'llvmpipe',
};
const section = startingPointSection(START);

describe('model card starting point', () => {
  it('reports shares with their counts and the length percentiles', () => {
    expect(section.startsWith(STARTING_POINT_HEADING)).toBe(true);
    expect(section).toContain('**70.3% (90/128)**');
    expect(section).toContain('**52.1% (200/384)**');
    expect(section).toContain('median 20, p90 40, max 40 tokens; 1 of 128 hit the 192-token limit');
    expect(section).toContain('rejected: invalid_ground_truth 30, failed_parse 3');
    expect(section).not.toContain('label check');
    expect(section).toContain('on all 96 dev questions × 4 samples');
    expect(startingPointSection({ ...START, devFile: 'public/world-mixed-results-ranked/dev.json' }))
      .toContain('on all 96 dev questions of public/world-mixed-results-ranked/dev.json × 4 samples');
    const checked = startingPointSection({
      generator: { ...tally(90, 128), rightLabels: { 'kinship/two_hop': { correct: 45, total: 90 } } }, solver: tally(200, 384),
      documents: 64, generatorSamples: 2, devQuestions: 96, solverSamples: 4, temperature: 0.7, generatorMaxTokens: 192, solverMaxTokens: 96, seed: 1, adapter: 'llvmpipe',
    });
    expect(checked).toContain('golden answer right (the world\'s label check, src/world/question-check.ts) in **50.0% (45/90)** of the valid questions; by question kind (the document\'s, or in a mixed world the question\'s): kinship/two_hop 50.0% (45/90)\n  - reply length');
  });

  it('percentile uses nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 90)).toBe(5);
    expect(percentile([], 50)).toBe(0);
  });

  it('appends once, and replaces its own earlier copy in place without touching other sections', () => {
    const card = '# card\n\n## Results\n- loss 1.2\n';
    const once = withStartingPoint(card, section);
    expect(once).toBe(`${card}\n${section}`);
    expect(withStartingPoint(once, section)).toBe(once);
    const withLater = `${once}\n## Later\ntext\n`;
    const other = section.replaceAll('70.3%', '71.0%');
    const replaced = withStartingPoint(withLater, other);
    expect(replaced).toContain('71.0%');
    expect(replaced).not.toContain('70.3%');
    expect(replaced.endsWith('## Later\ntext\n')).toBe(true);
    expect(replaced.split(STARTING_POINT_HEADING)).toHaveLength(2);
  });
});
