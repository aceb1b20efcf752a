// Problems of the built-in world: a few stated facts, a question, the right answer, plausible
// distractors and a one-line derivation (plus, for reasoning skills, the typical mistake and its
// derivation). Documents state problems' facts; dev questions and SFT examples restate them.
// Invariants: facts alone determine the answer; distractors are distinct from it and from each other;
// a mistake's answer is one of the distractors.
import type { Stream } from '../infuser/rng.ts';
import { ITEMS, COLORS, pick, type WorldFacts, type Person, type Town, type Substance } from './facts.ts';

export const TOPICS = ['kinship', 'quantities', 'travel', 'chemistry', 'timeline'] as const;
export type Topic = (typeof TOPICS)[number];
export const QUESTION_TYPES = ['lookup', 'comparison', 'arithmetic', 'two_hop'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** Which question types each topic's documents support. */
export const TOPIC_TYPES: Record<Topic, readonly QuestionType[]> = {
  kinship: ['lookup', 'comparison', 'two_hop'],
  quantities: ['lookup', 'comparison', 'arithmetic'],
  travel: ['lookup', 'arithmetic', 'two_hop'],
  chemistry: ['lookup', 'comparison', 'two_hop'],
  timeline: ['lookup', 'comparison', 'arithmetic'],
};

export interface Derivation { answer: string; reasoning: string }

export interface Problem {
  topic: Topic;
  type: QuestionType;
  /** Sentences that state everything the answer needs. */
  facts: string[];
  question: string;
  answer: string;
  distractors: string[];
  /** The correct one-line derivation, ending with the answer text. */
  reasoning: string;
  /** A typical wrong derivation (reasoning skills only): answer is one of the distractors. */
  mistake?: Derivation;
  /**
   * Arithmetic only: a sentence stating the result, which a `statedResults` world's documents add after
   * the problem's facts, so a Generator can copy its golden answer instead of adding (docs/experiment.md,
   * item 21). The label check reads none of these sentences, so a question must still state the operands.
   */
  result?: string;
}

const ask = (s: Stream, topic: Topic, type: QuestionType, ranked: boolean) => ({ s, topic, type, ranked });
type Ctx = ReturnType<typeof ask>;

/** Three distinct distractors: preferred ones first, then near misses of a number. */
function fillNumbers(answer: number, preferred: number[], fmt: (n: number) => string, s: Stream): string[] {
  const out: string[] = [];
  const add = (n: number) => {
    const t = fmt(n);
    if (n >= 0 && n !== answer && !out.includes(t)) out.push(t);
  };
  for (const n of preferred) if (out.length < 3) add(n);
  for (let k = 1; out.length < 3; k++) add(answer + (s.next() < 0.5 ? k : -k) * (1 + s.nextInt(2)));
  return out;
}

/**
 * A ranked world's numeric distractors: exactly `above` of the three are larger than the answer, so the
 * right number's place among the choices is the caller's uniform draw, not a property of the kind (in
 * the plain world a trip's or a war's end always has the total plus one above it: docs/experiment.md,
 * item 27). `must` (the mistake's answer, on the side the caller chose) comes first, then `higher` and
 * `lower` candidates, then near misses. An answer too small for the distractors below is filled above.
 */
function rankedNumbers(answer: number, above: number, must: number | undefined, higher: number[], lower: number[],
  fmt: (n: number) => string, s: Stream): string[] {
  const out: number[] = [];
  const count = (up: boolean) => out.filter((n) => n > answer === up).length;
  const add = (n: number, up: boolean) => {
    if (n >= 0 && n !== answer && n > answer === up && !out.includes(n) && count(up) < (up ? above : 3 - above)) out.push(n);
  };
  if (must !== undefined) add(must, must > answer);
  for (const n of higher) add(n, true);
  for (const n of lower) add(n, false);
  for (let k = 1; count(true) < above; k++) add(answer + k * (1 + s.nextInt(2)), true);
  for (let k = 1; count(false) < 3 - above && answer - k >= 0; k++) add(answer - k * (1 + s.nextInt(2)), false);
  for (let k = 1; out.length < 3; k++) if (!out.includes(answer + k)) out.push(answer + k);
  return out.map(fmt);
}

/** Numeric distractors of a lookup: near misses, or in a ranked world near misses at a drawn place. */
const lookupNumbers = (c: Ctx, answer: number, fmt: (n: number) => string): string[] =>
  c.ranked ? rankedNumbers(answer, c.s.nextInt(4), undefined, [], [], fmt, c.s) : fillNumbers(answer, [], fmt, c.s);

/**
 * An arithmetic problem's off-by-one mistake ("a + b = total ± 1"), the side a ranked world needs: below
 * when no distractor may be larger, above when all three must be, else either.
 */
const offByOne = (s: Stream, above: number): 1 | -1 => (above === 0 ? -1 : above === 3 ? 1 : s.next() < 0.5 ? 1 : -1);

function otherNames(pool: readonly string[], exclude: readonly string[], s: Stream, count: number): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const n = pick(s, pool);
    if (!exclude.includes(n) && !out.includes(n)) out.push(n);
  }
  return out;
}

const mk = (c: Ctx, p: Omit<Problem, 'topic' | 'type'>): Problem => ({ topic: c.topic, type: c.type, ...p });

// ---- kinship ----------------------------------------------------------------------------------

function kinship(w: WorldFacts, c: Ctx): Problem {
  const { s } = c;
  const names = w.people.map((p) => p.name);
  const withParent = w.people.filter((p) => p.parent !== null);
  if (c.type === 'lookup') {
    const child = pick(s, withParent);
    return mk(c, {
      facts: [`${child.parent} is the parent of ${child.name}.`], question: `Who is the parent of ${child.name}?`,
      answer: child.parent!, distractors: otherNames(names, [child.parent!, child.name], s, 2).concat(child.name),
      reasoning: `${child.parent} is the parent of ${child.name}. So the answer is ${child.parent}.`,
    });
  }
  if (c.type === 'comparison') {
    const [a, b] = twoDistinct(w.people, s, (x, y) => x.age !== y.age);
    const older = a.age > b.age ? a : b;
    const younger = older === a ? b : a;
    return mk(c, {
      facts: [`${a.name} is ${a.age} years old.`, `${b.name} is ${b.age} years old.`],
      question: `Who is older, ${a.name} or ${b.name}?`, answer: older.name,
      distractors: [younger.name, ...otherNames(names, [a.name, b.name], s, 2)],
      reasoning: `${older.age} is more than ${younger.age}. So the answer is ${older.name}.`,
    });
  }
  const grandchildren = withParent.filter((p) => w.people.find((q) => q.name === p.parent)!.parent !== null);
  const child = pick(s, grandchildren);
  const parent = w.people.find((q) => q.name === child.parent)!;
  const grand = parent.parent!;
  return mk(c, {
    facts: [`${grand} is the parent of ${parent.name}.`, `${parent.name} is the parent of ${child.name}.`],
    question: `Who is the grandparent of ${child.name}?`, answer: grand,
    distractors: [parent.name, child.name, ...otherNames(names, [grand, parent.name, child.name], s, 1)],
    reasoning: `The parent of ${child.name} is ${parent.name}. The parent of ${parent.name} is ${grand}. So the answer is ${grand}.`,
    mistake: { answer: parent.name, reasoning: `The parent of ${child.name} is ${parent.name}. So the answer is ${parent.name}.` },
  });
}

function twoDistinct<T>(xs: readonly T[], s: Stream, ok: (a: T, b: T) => boolean): [T, T] {
  for (;;) {
    const a = pick(s, xs);
    const b = pick(s, xs);
    if (a !== b && ok(a, b)) return [a, b];
  }
}

// ---- quantities -------------------------------------------------------------------------------

function quantities(w: WorldFacts, c: Ctx): Problem {
  const { s } = c;
  const item = pick(s, ITEMS);
  const names = w.people.map((p) => p.name);
  const [a, b] = twoDistinct(w.people, s, (x, y) => x.holdings[item] !== y.holdings[item]);
  const [na, nb] = [a.holdings[item], b.holdings[item]];
  const num = String;
  if (c.type === 'lookup') {
    return mk(c, {
      facts: [`${a.name} has ${na} ${item}.`], question: `How many ${item} does ${a.name} have?`, answer: num(na),
      distractors: lookupNumbers(c, na, num), reasoning: `${a.name} has ${na} ${item}. So the answer is ${na}.`,
    });
  }
  if (c.type === 'comparison') {
    const more = na > nb ? a : b;
    return mk(c, {
      facts: [`${a.name} has ${na} ${item}.`, `${b.name} has ${nb} ${item}.`],
      question: `Who has more ${item}, ${a.name} or ${b.name}?`, answer: more.name,
      distractors: [more === a ? b.name : a.name, ...otherNames(names, [a.name, b.name], s, 2)],
      reasoning: `${Math.max(na, nb)} is more than ${Math.min(na, nb)}. So the answer is ${more.name}.`,
    });
  }
  return s.next() < 0.5 ? moreThan(c, a, b, item) : together(c, a, b, item);
}

function moreThan(c: Ctx, x: Person, y: Person, item: string): Problem {
  const [lo, hi] = x.holdings[item] < y.holdings[item] ? [x, y] : [y, x];
  const [nl, nh] = [lo.holdings[item], hi.holdings[item]];
  const d = nh - nl;
  const says = (n: number, op: string) => ({ answer: String(n), reasoning: `${hi.name} has ${op} = ${n} ${item}. So the answer is ${n}.` });
  // Both natural mistakes are below the answer; a ranked world with every distractor above adds one too many.
  const natural = nl - d >= 0 && nl - d !== nh ? says(nl - d, `${nl} - ${d}`) : { answer: String(d), reasoning: `${hi.name} has ${d} ${item}. So the answer is ${d}.` };
  const above = c.ranked ? c.s.nextInt(4) : -1;
  const mistake = above === 3 ? says(nh + 1, `${nl} + ${d}`) : natural;
  return mk(c, {
    facts: [`${lo.name} has ${nl} ${item}.`, `${hi.name} has ${d} more ${item} than ${lo.name}.`],
    question: `How many ${item} does ${hi.name} have?`, answer: String(nh),
    distractors: c.ranked
      ? rankedNumbers(nh, above, Number(mistake.answer), [nh + d, nh + 1], [Math.abs(nl - d), d, nl], String, c.s)
      : fillNumbers(nh, [Math.abs(nl - d), d, nl], String, c.s),
    reasoning: `${hi.name} has ${nl} + ${d} = ${nh} ${item}. So the answer is ${nh}.`,
    result: `In all, ${hi.name} has ${nh} ${item}.`,
    mistake,
  });
}

function together(c: Ctx, a: Person, b: Person, item: string): Problem {
  const [na, nb] = [a.holdings[item], b.holdings[item]];
  const sum = na + nb;
  const above = c.ranked ? c.s.nextInt(4) : -1;
  const wrong = sum + (c.ranked ? offByOne(c.s, above) : c.s.next() < 0.5 ? 1 : -1);
  const lower = [Math.max(na, nb), Math.abs(na - nb)];
  return mk(c, {
    facts: [`${a.name} has ${na} ${item}.`, `${b.name} has ${nb} ${item}.`],
    question: `How many ${item} do ${a.name} and ${b.name} have together?`, answer: String(sum),
    distractors: c.ranked ? rankedNumbers(sum, above, wrong, [], lower, String, c.s) : fillNumbers(sum, [wrong, ...lower], String, c.s),
    reasoning: `Together they have ${na} + ${nb} = ${sum} ${item}. So the answer is ${sum}.`,
    result: `Together, ${a.name} and ${b.name} have ${sum} ${item}.`,
    mistake: { answer: String(wrong), reasoning: `Together they have ${na} + ${nb} = ${wrong} ${item}. So the answer is ${wrong}.` },
  });
}

// ---- travel -----------------------------------------------------------------------------------

function travel(w: WorldFacts, c: Ctx): Problem {
  const { s } = c;
  const names = w.towns.map((t) => t.name);
  const a = pick(s, w.towns);
  const r1 = pick(s, a.roads);
  const b = w.towns.find((t) => t.name === r1.to) as Town;
  const miles = (n: number) => `${n} miles`;
  if (c.type === 'lookup') {
    return mk(c, {
      facts: [`The road from ${a.name} to ${b.name} is ${r1.miles} miles long.`],
      question: `How long is the road from ${a.name} to ${b.name}?`, answer: miles(r1.miles),
      distractors: lookupNumbers(c, r1.miles, miles),
      reasoning: `The road from ${a.name} to ${b.name} is ${r1.miles} miles long. So the answer is ${miles(r1.miles)}.`,
    });
  }
  const r2 = pick(s, b.roads.filter((r) => r.to !== a.name).concat(b.roads).slice(0, 2));
  const cName = r2.to;
  if (c.type === 'two_hop') {
    const ends = [a.name, b.name, cName];
    return mk(c, {
      facts: [`The road from ${a.name} leads to ${b.name}.`, `The road from ${b.name} leads to ${cName}.`],
      question: `Which town do you reach from ${a.name} after two roads?`, answer: cName,
      distractors: [...new Set([b.name, a.name].filter((n) => n !== cName)), ...otherNames(names, ends, s, 3)].slice(0, 3),
      reasoning: `From ${a.name} the road leads to ${b.name}. From ${b.name} the road leads to ${cName}. So the answer is ${cName}.`,
      mistake: { answer: b.name, reasoning: `From ${a.name} the road leads to ${b.name}. So the answer is ${b.name}.` },
    });
  }
  const total = r1.miles + r2.miles;
  const [long, short] = [Math.max(r1.miles, r2.miles), Math.min(r1.miles, r2.miles)];
  const added = (n: number) => ({ answer: miles(n), reasoning: `The trip is ${r1.miles} + ${r2.miles} = ${n} miles. So the answer is ${miles(n)}.` });
  const above = c.ranked ? s.nextInt(4) : -1;
  // The subtraction mistake is below the total; with equal roads, or a ranked place that needs one above, an off-by-one.
  const mistake = long !== short && above < 3
    ? { answer: miles(long - short), reasoning: `The trip is ${long} - ${short} = ${long - short} miles. So the answer is ${miles(long - short)}.` }
    : added(total + (c.ranked ? offByOne(s, above) : 1));
  return mk(c, {
    facts: [`The road from ${a.name} to ${b.name} is ${r1.miles} miles long.`, `The road from ${b.name} to ${cName} is ${r2.miles} miles long.`],
    question: `How many miles is the trip from ${a.name} to ${cName} through ${b.name}?`, answer: miles(total),
    distractors: c.ranked
      ? rankedNumbers(total, above, parseInt(mistake.answer, 10), [total + 1], [long, long - short], miles, s)
      : fillNumbers(total, [long, long - short, total + 1], miles, s),
    reasoning: `The trip is ${r1.miles} + ${r2.miles} = ${total} miles. So the answer is ${miles(total)}.`,
    result: `The trip from ${a.name} to ${cName} through ${b.name} is ${total} miles.`,
    mistake,
  });
}

// ---- chemistry --------------------------------------------------------------------------------

function chemistry(w: WorldFacts, c: Ctx): Problem {
  const { s } = c;
  const names = w.substances.map((x) => x.name);
  const otherColors = (exclude: string[]) => otherNames(COLORS, exclude, s, 3);
  if (c.type === 'lookup') {
    const x = pick(s, w.substances);
    return mk(c, {
      facts: [`${x.name} is ${x.color}.`], question: `What color is ${x.name}?`, answer: x.color,
      distractors: otherColors([x.color]), reasoning: `${x.name} is ${x.color}. So the answer is ${x.color}.`,
    });
  }
  if (c.type === 'comparison') {
    const [a, b] = twoDistinct(w.substances, s, (x, y) => x.meltsAt !== y.meltsAt);
    const low = a.meltsAt < b.meltsAt ? a : b;
    const high = low === a ? b : a;
    return mk(c, {
      facts: [`${a.name} melts at ${a.meltsAt} degrees.`, `${b.name} melts at ${b.meltsAt} degrees.`],
      question: `Which melts at a lower temperature, ${a.name} or ${b.name}?`, answer: low.name,
      distractors: [high.name, ...otherNames(names, [a.name, b.name], s, 2)],
      reasoning: `${low.meltsAt} is less than ${high.meltsAt}. So the answer is ${low.name}.`,
    });
  }
  const x = pick(s, w.substances.filter((y) => y.madeFrom !== null && colorOf(w, y.madeFrom) !== y.color));
  const base = w.substances.find((y) => y.name === x.madeFrom) as Substance;
  return mk(c, {
    facts: [`${x.name} is ${x.color}.`, `${x.name} is made from ${base.name}.`, `${base.name} is ${base.color}.`],
    question: `What color is the substance that ${x.name} is made from?`, answer: base.color,
    distractors: [x.color, ...otherNames(COLORS, [x.color, base.color], s, 2)],
    reasoning: `${x.name} is made from ${base.name}. ${base.name} is ${base.color}. So the answer is ${base.color}.`,
    mistake: { answer: x.color, reasoning: `${x.name} is ${x.color}. So the answer is ${x.color}.` },
  });
}

const colorOf = (w: WorldFacts, name: string) => w.substances.find((y) => y.name === name)!.color;

// ---- timeline ---------------------------------------------------------------------------------

function timeline(w: WorldFacts, c: Ctx): Problem {
  const { s } = c;
  const year = (n: number) => `year ${n}`;
  const cap = (t: string) => t[0].toUpperCase() + t.slice(1);
  const e = pick(s, w.events);
  if (c.type === 'lookup') {
    return mk(c, {
      facts: [`${cap(e.name)} began in year ${e.startYear}.`], question: `In which year did ${e.name} begin?`,
      answer: year(e.startYear), distractors: lookupNumbers(c, e.startYear, year),
      reasoning: `${cap(e.name)} began in year ${e.startYear}. So the answer is ${year(e.startYear)}.`,
    });
  }
  if (c.type === 'comparison') {
    const [a, b] = twoDistinct(w.events, s, (x, y) => x.startYear !== y.startYear);
    const first = a.startYear < b.startYear ? a : b;
    const later = first === a ? b : a;
    return mk(c, {
      facts: [`${cap(a.name)} began in year ${a.startYear}.`, `${cap(b.name)} began in year ${b.startYear}.`],
      question: `Which began first, ${a.name} or ${b.name}?`, answer: first.name,
      distractors: [later.name, ...otherNames(w.events.map((x) => x.name), [a.name, b.name], s, 2)],
      reasoning: `${first.startYear} is before ${later.startYear}. So the answer is ${first.name}.`,
    });
  }
  const end = e.startYear + e.years;
  const says = (n: number, op: string) => ({ answer: year(n), reasoning: `It ended in year ${e.startYear} ${op} ${e.years} = ${n}. So the answer is ${year(n)}.` });
  const above = c.ranked ? s.nextInt(4) : -1;
  // The subtraction mistake is below the end; a ranked world with every distractor above adds one too many.
  const mistake = above === 3 ? says(end + 1, '+') : says(e.startYear - e.years, '-');
  return mk(c, {
    facts: [`${cap(e.name)} began in year ${e.startYear}.`, `It lasted ${e.years} years.`],
    question: `In which year did ${e.name} end?`, answer: year(end),
    distractors: c.ranked
      ? rankedNumbers(end, above, Number(mistake.answer.slice(5)), [end + 1, end + e.years], [e.startYear, e.startYear - e.years], year, s)
      : fillNumbers(end, [e.startYear, e.startYear - e.years, end + 1], year, s),
    reasoning: `It ended in year ${e.startYear} + ${e.years} = ${end}. So the answer is ${year(end)}.`,
    result: `${cap(e.name)} ended in year ${end}.`,
    mistake,
  });
}

const BUILDERS: Record<Topic, (w: WorldFacts, c: Ctx) => Problem> = { kinship, quantities, travel, chemistry, timeline };

/**
 * One problem of a topic and a type that topic supports, drawn with `s`. `ranked`: numeric distractors put
 * the right number at a uniformly drawn place among the choices (rankedNumbers); the draws then differ.
 */
export function drawProblem(w: WorldFacts, topic: Topic, type: QuestionType, s: Stream, ranked = false): Problem {
  if (!TOPIC_TYPES[topic].includes(type)) throw new Error(`world: topic ${topic} has no ${type} questions`);
  const p = BUILDERS[topic](w, ask(s, topic, type, ranked));
  const all = [p.answer, ...p.distractors];
  if (p.distractors.length !== 3 || new Set(all.map((x) => x.toLowerCase())).size !== 4) {
    throw new Error(`world: ${topic}/${type} problem has bad choices ${JSON.stringify(all)}`);
  }
  if (p.mistake && !p.distractors.includes(p.mistake.answer)) throw new Error(`world: ${topic}/${type} mistake answer is not a choice`);
  return p;
}

/** The self-contained question text: the facts, then the question. */
export function questionText(p: Problem): string {
  return `${p.facts.join(' ')} ${p.question}`;
}
