import { describe, expect, it } from 'vitest';
import { buildWorldFacts, worldStream } from './facts.ts';
import { drawProblem, questionText, TOPIC_TYPES, TOPICS, type Problem } from './problems.ts';
import { oneHopAnswer, oneHopTrap } from './one-hop-trap.ts';

/** 25 problems of every topic and question type, plain and ranked, in two worlds: the world's own builder. */
function* everyKindProblems(): Generator<Problem> {
  for (const seed of [7, 11]) {
    const world = buildWorldFacts(seed);
    for (const topic of TOPICS) {
      for (const type of TOPIC_TYPES[topic]) {
        for (let i = 0; i < 25; i++) {
          for (const ranked of [false, true]) yield drawProblem(world, topic, type, worldStream(seed, `trap-${ranked}`, topic, type, i), ranked);
        }
      }
    }
  }
}

describe('oneHopAnswer', () => {
  // The reference is problems.ts: each two-hop problem names its one-hop answer as its typical mistake.
  it('gives every two-hop question of the world its mistake: a distractor, not the answer; null for other kinds', () => {
    let twoHop = 0;
    for (const p of everyKindProblems()) {
      const text = questionText(p);
      const hop = oneHopAnswer(text);
      if (p.type !== 'two_hop') {
        expect(hop, text).toBeNull();
        continue;
      }
      twoHop++;
      expect(hop, text).toEqual({ kind: p.topic, answer: p.mistake!.answer });
      expect(p.distractors, text).toContain(hop!.answer);
      expect(hop!.answer, text).not.toBe(p.answer);
      const choices = [p.distractors[2], p.answer, p.distractors[0], p.distractors[1]];
      expect(oneHopTrap(text, choices, p.answer), text).toEqual({ kind: p.topic, status: 'offered' });
    }
    expect(twoHop).toBe(2 * 3 * 25 * 2);
  });

  it('each form by hand: the parent of C, the town one road from A, X\'s own colour', () => {
    expect(oneHopAnswer('Geba is the parent of Kefem. Kefem is the parent of Hera. Who is the grandparent of Hera?'))
      .toEqual({ kind: 'kinship', answer: 'Kefem' });
    expect(oneHopAnswer('The road from Zaje leads to Dujim. The road from Dujim leads to Sirem. Which town do you reach from Zaje after two roads?'))
      .toEqual({ kind: 'travel', answer: 'Dujim' });
    expect(oneHopAnswer('Jolo is red. Jolo is made from Ranapi. Ranapi is black. What color is the substance that Jolo is made from?'))
      .toEqual({ kind: 'chemistry', answer: 'red' });
  });

  it('is null for text of no two-hop form, and for a two-hop form that lacks or contradicts its one-hop fact', () => {
    expect(oneHopAnswer('Geba is the parent of Kefem. Who is the parent of Kefem?')).toBeNull();
    expect(oneHopAnswer('Jolo is red. What color is Jolo?')).toBeNull();
    expect(oneHopAnswer('Ami has 3 coins. Why?')).toBeNull();
    expect(oneHopAnswer('')).toBeNull();
    // The grandparent link is stated, the parent of Hera is not.
    expect(oneHopAnswer('Geba is the parent of Kefem. Who is the grandparent of Hera?')).toBeNull();
    expect(oneHopAnswer('The road from Dujim leads to Sirem. Which town do you reach from Zaje after two roads?')).toBeNull();
    // Jolo's source and its colour are stated, Jolo's own colour is not.
    expect(oneHopAnswer('Jolo is made from Ranapi. Ranapi is black. What color is the substance that Jolo is made from?')).toBeNull();
    expect(oneHopAnswer('Jolo is red. Jolo is blue. Jolo is made from Ranapi. Ranapi is black. What color is the substance that Jolo is made from?')).toBeNull();
  });
});

describe('oneHopTrap', () => {
  const kin = 'Geba is the parent of Kefem. Kefem is the parent of Hera. Who is the grandparent of Hera?';

  it('a generated-looking question whose choices lack the trap is absent; case and spaces are ignored', () => {
    expect(oneHopTrap(kin, ['Geba', 'Hera', 'Hamu', 'Tedem'], 'Geba')).toEqual({ kind: 'kinship', status: 'absent' });
    expect(oneHopTrap(kin, ['Geba', ' kefem ', 'Hamu', 'Tedem'], 'Geba')).toEqual({ kind: 'kinship', status: 'offered' });
    const chem = 'Jolo is red. Jolo is made from Ranapi. Ranapi is black. What color is the substance that Jolo is made from?';
    expect(oneHopTrap(chem, ['black', 'blue', 'grey', 'white'], 'black')).toEqual({ kind: 'chemistry', status: 'absent' });
  });

  it('the golden choice being the one-hop answer is no trap; with no golden any choice counts', () => {
    const loop = 'The road from Lodebun leads to Jibom. The road from Jibom leads to Jibom. Which town do you reach from Lodebun after two roads?';
    expect(oneHopTrap(loop, ['Rebun', 'Lodebun', 'Jibom', 'Fuzos'], 'Jibom')).toEqual({ kind: 'travel', status: 'golden' });
    expect(oneHopTrap(kin, ['Geba', 'Kefem', 'Hamu', 'Tedem'], 'Kefem')).toEqual({ kind: 'kinship', status: 'golden' });
    expect(oneHopTrap(kin, ['Geba', 'Kefem', 'Hamu', 'Tedem'], null)).toEqual({ kind: 'kinship', status: 'offered' });
  });

  it('a two-hop form without its one-hop fact is unstated; no two-hop form is null', () => {
    expect(oneHopTrap('Who is the grandparent of Hera?', ['Geba', 'Kefem'], 'Geba')).toEqual({ kind: 'kinship', status: 'unstated' });
    expect(oneHopTrap('Geba is the parent of Kefem. Who is the parent of Kefem?', ['Geba', 'Kefem'], 'Geba')).toBeNull();
  });
});
