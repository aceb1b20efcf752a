import { describe, expect, it } from 'vitest';
import { buildWorld, documentRow, DEV_KINDS, type DevRow } from './documents.ts';
import { worldStream } from './facts.ts';
import { drawProblem, questionText } from './problems.ts';
import { importDocuments } from '../data/documents.ts';
import { importDevPool } from '../data/dev-pool.ts';

const world = buildWorld();

/**
 * An independent solver: reads the facts stated in a dev question's text with regular expressions and
 * computes the answer, without any of the world code that wrote the question.
 */
function oracleAnswer(q: string): string {
  const sentences = q.match(/[^.?]+[.?]/g)!.map((x) => x.trim());
  const question = sentences[sentences.length - 1];
  const facts = sentences.slice(0, -1);
  let m: RegExpMatchArray | null;
  if ((m = question.match(/^Who is the grandparent of (\w+)\?$/))) {
    const parentOf = new Map(facts.map((f) => f.match(/^(\w+) is the parent of (\w+)\.$/)!).map((x) => [x[2], x[1]]));
    return parentOf.get(parentOf.get(m[1])!)!;
  }
  if ((m = question.match(/^Which town do you reach from (\w+) after two roads\?$/))) {
    const next = new Map(facts.map((f) => f.match(/^The road from (\w+) leads to (\w+)\.$/)!).map((x) => [x[1], x[2]]));
    return next.get(next.get(m[1])!)!;
  }
  if ((m = question.match(/^What color is the substance that (\w+) is made from\?$/))) {
    const base = facts.map((f) => f.match(new RegExp(`^${m![1]} is made from (\\w+)\\.$`))).find(Boolean)![1];
    return facts.map((f) => f.match(new RegExp(`^${base} is (\\w+)\\.$`))).find(Boolean)![1];
  }
  if ((m = question.match(/^How many (\w+) does (\w+) have\?$/))) {
    const has = new Map(facts.flatMap((f) => { const x = f.match(/^(\w+) has (\d+) \w+\.$/); return x ? [[x[1], +x[2]] as const] : []; }));
    const more = facts.map((f) => f.match(/^(\w+) has (\d+) more \w+ than (\w+)\.$/)).find(Boolean)!;
    return String(has.get(more[3])! + Number(more[2]));
  }
  if ((m = question.match(/^How many \w+ do (\w+) and (\w+) have together\?$/))) {
    const n = facts.map((f) => Number(f.match(/has (\d+) /)![1]));
    return String(n[0] + n[1]);
  }
  if ((m = question.match(/^How many miles is the trip from \w+ to \w+ through \w+\?$/))) {
    const n = facts.map((f) => Number(f.match(/is (\d+) miles long/)![1]));
    return `${n[0] + n[1]} miles`;
  }
  if ((m = question.match(/^In which year did .+ end\?$/))) {
    const start = Number(facts[0].match(/began in year (\d+)/)![1]);
    const years = Number(facts[1].match(/^It lasted (\d+) years\.$/)![1]);
    return `year ${start + years}`;
  }
  throw new Error(`oracle: unknown question form: ${question}`);
}

describe('built-in world', () => {
  it('is deterministic from its seed and changes with it', () => {
    const again = buildWorld();
    expect(JSON.stringify(again.documents.map(documentRow))).toBe(JSON.stringify(world.documents.map(documentRow)));
    expect(JSON.stringify(again.dev)).toBe(JSON.stringify(world.dev));
    const other = buildWorld({ seed: 6 });
    expect(other.documents[0].content).not.toBe(world.documents[0].content);
  });

  it('scale 1 is the shipped world; a larger scale gives the dev kinds more distinct problems', () => {
    expect(JSON.stringify(buildWorld({ scale: 1 }).dev)).toBe(JSON.stringify(world.dev));
    expect(() => buildWorld({ scale: 0 })).toThrow(/scale must be an integer ≥ 1, got 0/);
    expect(() => buildWorld({ scale: 1.5 })).toThrow(/scale must be an integer ≥ 1, got 1.5/);
    const big = buildWorld({ scale: 4, documents: 30, devQuestions: 12 });
    expect(big.facts.people).toHaveLength(4 * world.facts.people.length);
    const distinct = (facts: typeof world.facts) => {
      const texts = new Set<string>();
      for (let i = 0; i < 1500; i++) texts.add(questionText(drawProblem(facts, 'chemistry', 'two_hop', worldStream(5, 'test', i))));
      return texts.size;
    };
    // 35 at scale 1 (the whole space); docs/experiment.md, "What the world leaves room for".
    expect(distinct(big.facts)).toBeGreaterThan(3 * distinct(world.facts));
  });

  it('documents import through the reference importer, topic and question_type kept', () => {
    const text = JSON.stringify(world.documents.map(documentRow));
    const imported = importDocuments([{ name: 'documents.json', text }]);
    expect(imported.rejected).toEqual([]);
    expect(imported.documents).toHaveLength(1200);
    const topics = new Set(imported.documents.map((d) => d.extra.topic));
    expect([...topics].sort()).toEqual(['chemistry', 'kinship', 'quantities', 'timeline', 'travel']);
    expect(new Set(imported.documents.map((d) => d.extra.question_type)).size).toBe(4);
  });

  it('dev set imports with letter ground truths that point at ground_truth_text', () => {
    const text = JSON.stringify(world.dev);
    const imported = importDevPool([{ name: 'dev.json', text }], { groundTruth: 'letter' });
    expect(imported.rejected).toEqual([]);
    expect(imported.questions).toHaveLength(96);
    imported.questions.forEach((q, i) => {
      expect(q.choices).toHaveLength(4);
      expect(q.choices[q.correct_index]).toBe(world.dev[i].ground_truth_text);
    });
  });

  it('every dev answer equals what an independent solver computes from the stated facts', () => {
    for (const row of world.dev) expect(oracleAnswer(row.question_text), row.question_text).toBe(row.ground_truth_text);
  });

  it('dev tests only two-hop and arithmetic kinds, with balanced letters and distinct choices', () => {
    const kinds = new Set(world.dev.map((d: DevRow) => `${d.topic}/${d.question_type}`));
    expect([...kinds].sort()).toEqual(DEV_KINDS.map(([t, q]) => `${t}/${q}`).sort());
    const letters = new Map<string, number>();
    for (const d of world.dev) letters.set(d.ground_truth, (letters.get(d.ground_truth) ?? 0) + 1);
    for (const L of 'ABCD') expect(letters.get(L) ?? 0).toBeGreaterThan(96 / 4 / 2);
    for (const d of world.dev) expect(new Set(d.choices.map((c) => c.toLowerCase())).size).toBe(4);
  });

  it('the facts each dev question states also appear in some pool document (pool facts, not dev-only facts)', () => {
    const pool = world.documents.map((d) => d.content).join(' ');
    let found = 0;
    for (const d of world.dev) {
      const first = d.question_text.match(/^[^.]+\./)![0];
      if (pool.includes(first)) found++;
    }
    // Same consistent world: most first facts recur in documents (not all: the pool is a sample).
    expect(found).toBeGreaterThan(96 / 4);
  });
});
