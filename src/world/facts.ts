// The built-in world's fact base: invented people, towns, substances and events with their properties
// and relations, drawn once from a seed. documents.ts and problems.ts only read it, so every document,
// dev question and SFT example states facts of one consistent world.
// Invariants: names are unique across all kinds; every relation points at an entity of the same world;
// every "more than" difference and every duration is positive.
import { streamFor, type Stream } from '../infuser/rng.ts';

/** Seeded draws for the world; 'init' is the rng stream of things made once before a run (§9.5). */
export function worldStream(seed: number, ...parts: (string | number)[]): Stream {
  return streamFor(seed, 'init', 'world', ...parts);
}

export const ITEMS = ['stones', 'coins', 'apples', 'shells', 'books', 'lamps'] as const;
export const COLORS = ['red', 'blue', 'green', 'white', 'black', 'yellow', 'grey', 'orange'] as const;
export const EVENT_KINDS = ['fair', 'flood', 'feast', 'war', 'drought', 'festival'] as const;

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'h', 'j'];
const VOWELS = ['a', 'e', 'i', 'o', 'u'];
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 'm'];

export interface Person { name: string; age: number; parent: string | null; holdings: Record<string, number> }
export interface Town { name: string; roads: { to: string; miles: number }[] }
export interface Substance { name: string; color: string; meltsAt: number; madeFrom: string | null }
export interface WorldEvent { name: string; town: string; kind: string; startYear: number; years: number }

export interface WorldFacts {
  seed: number;
  people: Person[];
  towns: Town[];
  substances: Substance[];
  events: WorldEvent[];
}

export interface WorldSizes { people: number; towns: number; substances: number; events: number }
export const DEFAULT_SIZES: WorldSizes = { people: 150, towns: 60, substances: 60, events: 60 };

/**
 * The default sizes times a whole factor. At 1× the two-hop and travel/timeline arithmetic kinds allow
 * only 35–121 distinct problems, fewer than a held-out set needs (docs/experiment.md); 10× allows 436–1327.
 */
export function scaledSizes(scale: number): WorldSizes {
  if (!(Number.isInteger(scale) && scale >= 1)) throw new Error(`world scale must be an integer ≥ 1, got ${scale}`);
  return {
    people: DEFAULT_SIZES.people * scale, towns: DEFAULT_SIZES.towns * scale,
    substances: DEFAULT_SIZES.substances * scale, events: DEFAULT_SIZES.events * scale,
  };
}

function nameOf(s: Stream): string {
  const syllables = 2 + (s.next() < 0.3 ? 1 : 0);
  let w = '';
  for (let i = 0; i < syllables; i++) w += ONSETS[s.nextInt(ONSETS.length)] + VOWELS[s.nextInt(VOWELS.length)];
  w += CODAS[s.nextInt(CODAS.length)];
  return w[0].toUpperCase() + w.slice(1);
}

/** `count` distinct invented names, none in `taken` (which is extended). */
function drawNames(s: Stream, count: number, taken: Set<string>): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const n = nameOf(s);
    if (!taken.has(n)) {
      taken.add(n);
      out.push(n);
    }
  }
  return out;
}

const pick = <T>(s: Stream, xs: readonly T[]): T => xs[s.nextInt(xs.length)];

function makePeople(s: Stream, names: string[]): Person[] {
  // Families of three generations: a person's parent is an earlier person, about 25 years older.
  const people: Person[] = [];
  names.forEach((name, i) => {
    const hasParent = i >= 10 && s.next() < 0.8;
    const parent = hasParent ? people[s.nextInt(Math.min(i, people.length))] : null;
    const age = parent ? Math.max(5, parent.age - 20 - s.nextInt(10)) : 50 + s.nextInt(40);
    const holdings: Record<string, number> = {};
    for (const item of ITEMS) holdings[item] = 2 + s.nextInt(15);
    people.push({ name, age, parent: parent?.name ?? null, holdings });
  });
  return people;
}

function makeTowns(s: Stream, names: string[]): Town[] {
  const towns: Town[] = names.map((name) => ({ name, roads: [] }));
  towns.forEach((t, i) => {
    // Each town has one or two roads to other towns, so two-road trips exist from every town.
    const count = 1 + s.nextInt(2);
    for (let r = 0; r < count; r++) {
      let j = s.nextInt(towns.length);
      if (j === i || t.roads.some((x) => x.to === towns[j].name)) j = (i + 1 + r) % towns.length;
      t.roads.push({ to: towns[j].name, miles: 1 + s.nextInt(9) });
    }
  });
  return towns;
}

function makeSubstances(s: Stream, names: string[]): Substance[] {
  const subs: Substance[] = [];
  names.forEach((name, i) => {
    const from = i >= 8 && s.next() < 0.85 ? subs[s.nextInt(subs.length)].name : null;
    subs.push({ name, color: pick(s, COLORS), meltsAt: 10 + s.nextInt(80), madeFrom: from });
  });
  return subs;
}

function makeEvents(s: Stream, towns: Town[], count: number): WorldEvent[] {
  const seen = new Set<string>();
  const events: WorldEvent[] = [];
  while (events.length < count) {
    const kind = pick(s, EVENT_KINDS);
    const town = pick(s, towns).name;
    const name = `the ${kind} of ${town}`;
    if (seen.has(name)) continue;
    seen.add(name);
    events.push({ name, town, kind, startYear: 10 + s.nextInt(60), years: 1 + s.nextInt(9) });
  }
  return events;
}

/** The whole fact base for a seed (same seed, same world, on every platform). */
export function buildWorldFacts(seed: number, sizes: WorldSizes = DEFAULT_SIZES): WorldFacts {
  const s = worldStream(seed, 'facts');
  const taken = new Set<string>();
  const people = makePeople(s, drawNames(s, sizes.people, taken));
  const towns = makeTowns(s, drawNames(s, sizes.towns, taken));
  const substances = makeSubstances(s, drawNames(s, sizes.substances, taken));
  const events = makeEvents(s, towns, sizes.events);
  return { seed, people, towns, substances, events };
}

export function personByName(w: WorldFacts, name: string): Person {
  const p = w.people.find((x) => x.name === name);
  if (!p) throw new Error(`world: no person named ${name}`);
  return p;
}

export function townByName(w: WorldFacts, name: string): Town {
  const t = w.towns.find((x) => x.name === name);
  if (!t) throw new Error(`world: no town named ${name}`);
  return t;
}

export function substanceByName(w: WorldFacts, name: string): Substance {
  const x = w.substances.find((y) => y.name === name);
  if (!x) throw new Error(`world: no substance named ${name}`);
  return x;
}

export { pick };
