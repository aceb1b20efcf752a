import { describe, expect, it } from 'vitest';
import { buildWorldFacts, worldStream } from './facts.ts';
import { drawProblem, questionText, TOPIC_TYPES, TOPICS, type Problem } from './problems.ts';
import { checkLabel, questionKind, sentences } from './question-check.ts';

/** 25 problems of every topic and question type, drawn by the world's own problem builder. */
function* everyKindProblems(stream: string): Generator<Problem> {
  const world = buildWorldFacts(7);
  for (const topic of TOPICS) {
    for (const type of TOPIC_TYPES[topic]) {
      for (let i = 0; i < 25; i++) yield drawProblem(world, topic, type, worldStream(7, stream, topic, type, i));
    }
  }
}

describe('checkLabel', () => {
  // The reference is the world's own problem builder: its answer must check right and every distractor wrong.
  it('agrees with problems.ts on every topic and question type: the answer is right, each distractor wrong', () => {
    for (const p of everyKindProblems('check')) {
      const text = questionText(p);
      expect(checkLabel(text, p.answer), `${p.topic}/${p.type}: ${text}`).toEqual({ verdict: 'right', expected: p.answer });
      for (const d of p.distractors) expect(checkLabel(text, d).verdict, `${p.topic}/${p.type}: ${text} → ${d}`).toBe('wrong');
    }
  });

  it('Generator-style mistakes: an end year that ignores the duration, a road length not stated', () => {
    const end = 'The flood of Nina began in year 43. It lasted 7 years. In which year did the flood of Nina end?';
    expect(checkLabel(end, 'year 43')).toEqual({ verdict: 'wrong', expected: 'year 50' });
    expect(checkLabel(end, 'year 50').verdict).toBe('right');
    const road = 'The road from Zolor to Ramen is 5 miles long. How long is the road from Zolor to Ramen?';
    expect(checkLabel(road, '7 miles')).toEqual({ verdict: 'wrong', expected: '5 miles' });
  });

  it('missing or contradictory facts are unanswerable; a form the world never asks is unknown', () => {
    expect(checkLabel('Who is the parent of Huhu?', 'Tedem').verdict).toBe('unanswerable');
    expect(checkLabel('Tedem is the parent of Ripo. Who is the grandparent of Ripo?', 'Tedem').verdict).toBe('unanswerable');
    expect(checkLabel('Geba is the parent of Huhu. Tedem is the parent of Huhu. Who is the parent of Huhu?', 'Geba').verdict).toBe('unanswerable');
    expect(checkLabel('Ami is 30 years old. Bo is 30 years old. Who is older, Ami or Bo?', 'Ami').verdict).toBe('unanswerable');
    expect(checkLabel('Ami has 3 coins. Why?', 'Ami')).toEqual({ verdict: 'unknown', expected: null });
    expect(checkLabel('', 'x').verdict).toBe('unknown');
  });

  it('relative counts resolve whatever the sentence order; an event is the same in either case', () => {
    expect(checkLabel('Bo has 2 more coins than Ami. Ami has 3 coins. How many coins does Bo have?', '5').verdict).toBe('right');
    expect(checkLabel('The war of Kala began in year 9. The fair of Kala began in year 4. Which began first, the war of Kala or the fair of Kala?',
      'The fair of Kala').verdict).toBe('right');
  });

  it('sentences split after . ? ! and drop empty pieces', () => {
    expect(sentences(' A is red.  B is blue! What color is A? ')).toEqual(['A is red.', 'B is blue!', 'What color is A?']);
  });
});

describe('questionKind', () => {
  it('names the topic and type problems.ts drew, for every kind; quantities arithmetic by its relative count', () => {
    for (const p of everyKindProblems('kind')) expect(questionKind(questionText(p)), questionText(p)).toEqual([p.topic, p.type]);
    expect(questionKind('Ami has 3 coins. How many coins does Ami have?')).toEqual(['quantities', 'lookup']);
    expect(questionKind('Ami has 3 coins. Bo has 2 more coins than Ami. How many coins does Bo have?')).toEqual(['quantities', 'arithmetic']);
    // Only Bo's count is relative: asking Ami's is a lookup.
    expect(questionKind('Ami has 3 coins. Bo has 2 more coins than Ami. How many coins does Ami have?')).toEqual(['quantities', 'lookup']);
  });

  it('is null for text that is no question form of the world', () => {
    expect(questionKind('Ami has 3 coins. Why?')).toBeNull();
    expect(questionKind('')).toBeNull();
  });
});
