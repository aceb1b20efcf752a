// The world's document pool, dev set and held-out set (issue 5). Documents state the facts of two or
// three problems of one topic and question type; dev and held-out questions are self-contained
// reasoning problems (two-hop and arithmetic only) about the same entities, disjoint from each other.
// Output rows are in the reference formats (spec §10.1, §10.2): documents {doc_id, content, topic,
// question_type}; dev and held-out {question_id, question_text, choices, ground_truth: LETTER,
// ground_truth_text, benchmark_type, topic, question_type}.
import { buildWorldFacts, scaledSizes, worldStream, type WorldFacts } from './facts.ts';
import { drawProblem, questionText, TOPICS, TOPIC_TYPES, type Problem, type QuestionType, type Topic } from './problems.ts';

/** 'mixed': a `mixed` world's document, whose problems are of two or three of its topic's types. */
export interface WorldDocumentRow { doc_id: string; content: string; topic: Topic; question_type: QuestionType | 'mixed' }
export interface WorldDocument extends WorldDocumentRow { problems: Problem[] }

export interface DevRow {
  question_id: string;
  question_text: string;
  choices: string[];
  ground_truth: string;
  ground_truth_text: string;
  benchmark_type: 'qa_mcq';
  topic: Topic;
  question_type: QuestionType;
}

/** The skills the dev set tests: only these (topic, type) kinds transfer to it. */
export const DEV_KINDS: readonly [Topic, QuestionType][] = [
  ['kinship', 'two_hop'], ['travel', 'two_hop'], ['chemistry', 'two_hop'],
  ['quantities', 'arithmetic'], ['travel', 'arithmetic'], ['timeline', 'arithmetic'],
];

const INTRO: Record<Topic, string> = {
  kinship: 'This record is about families.',
  quantities: 'This record counts what people own.',
  travel: 'This record describes roads between towns.',
  chemistry: 'This record lists substances and their properties.',
  timeline: 'This record tells when events happened.',
};

/**
 * `scale` multiplies the fact base's entity counts (scaledSizes). The shipped world is scale 10: at 1 the
 * dev kinds allowed only 35–121 distinct problems, too few for a held-out set of several hundred
 * questions kept out of the anchors' training (docs/experiment.md, "World v2").
 * `mixed`: the same problems regrouped so that a document states problems of two or three of its topic's
 * types (mixDocuments), with dev and held-out sets unchanged. In the single-kind world a document fixes
 * its question kind, and DuGRPO, which compares questions of one document, cannot reward the Generator
 * for choosing a kind (docs/experiment.md, item 13).
 * `statedResults`: documents also state each arithmetic problem's result (Problem.result), so the
 * Generator can copy a right golden answer where the anchors cannot add (docs/experiment.md, item 21). The
 * problems, dev and held-out sets are unchanged.
 * `rankedNumbers`: every numeric question's right number stands at a uniformly drawn place among its
 * choices, in documents' problems, dev and held-out sets and SFT data alike (drawProblem's `ranked`). The
 * plain world's trip and war-end sums always carry the total plus one, so the right number is always the
 * second largest there, and its anchors learnt to read that place instead of adding (docs/experiment.md,
 * items 27–28).
 * Its draws differ from the plain world's, so it is a different world with its own dev and held-out sets.
 */
export interface WorldOptions {
  seed: number; documents: number; devQuestions: number; heldoutQuestions: number; scale: number;
  mixed?: boolean; statedResults?: boolean; rankedNumbers?: boolean;
}
export const DEFAULT_WORLD: WorldOptions = { seed: 5, documents: 1200, devQuestions: 96, heldoutQuestions: 480, scale: 10 };

/** `heldout`: questions of the dev kinds that no run trains or selects on and no document states, for the final comparison only. */
export interface World { facts: WorldFacts; documents: WorldDocument[]; dev: DevRow[]; heldout: DevRow[]; rankedNumbers: boolean }

/** Every (topic, type) kind, in a fixed order. */
export function allKinds(): [Topic, QuestionType][] {
  return TOPICS.flatMap((t) => TOPIC_TYPES[t].map((q) => [t, q] as [Topic, QuestionType]));
}

/** The sentences a document states for a problem: its facts, then its result when the world states results. */
const statedFacts = (p: Problem, statedResults: boolean): string[] =>
  statedResults && p.result !== undefined ? [...p.facts, p.result] : p.facts;

function makeDocument(w: WorldFacts, index: number, topic: Topic, type: QuestionType, statedResults: boolean, ranked: boolean): WorldDocument {
  const s = worldStream(w.seed, 'document', index);
  const count = 2 + s.nextInt(2);
  const problems = Array.from({ length: count }, () => drawProblem(w, topic, type, s, ranked));
  const facts: string[] = [];
  // "It lasted …" leans on the sentence before it, so only self-standing facts are deduplicated.
  for (const p of problems) for (const f of statedFacts(p, statedResults)) if (f.startsWith('It ') || !facts.includes(f)) facts.push(f);
  const content = [INTRO[topic], ...facts].join(' ');
  return { doc_id: docId(index), content, topic, question_type: type, problems };
}

const docId = (index: number) => `world-${String(index).padStart(4, '0')}`;

/**
 * A mixed document's text. A sentence already stated is skipped unless the next one of its problem leans
 * on it ("It lasted …" follows its event): with types mixed, a lookup and an arithmetic problem can name
 * the same event, and skipping its start would hang "It lasted" on another event.
 */
function mixedContent(topic: Topic, problems: readonly Problem[], statedResults: boolean): string {
  const facts: string[] = [];
  for (const p of problems) {
    const stated = statedFacts(p, statedResults);
    stated.forEach((f, j) => {
      const leanedOn = stated[j + 1]?.startsWith('It ') === true;
      if (f.startsWith('It ') || leanedOn || !facts.includes(f)) facts.push(f);
    });
  }
  return [INTRO[topic], ...facts].join(' ');
}

/**
 * Regroups the single-kind documents of each topic, block by block (one document of every kind per
 * block, in allKinds order), into as many documents with the same problems: the block's problems of a
 * topic are interleaved by type and cut into pieces the sizes of the original documents, so a piece of
 * two or three problems holds two or three types. Documents outside a whole block stay as they are.
 */
function mixDocuments(documents: readonly WorldDocument[], statedResults: boolean): WorldDocument[] {
  const kinds = allKinds();
  const out = [...documents];
  for (let start = 0; start + kinds.length <= documents.length; start += kinds.length) {
    for (const topic of TOPICS) {
      const slots = kinds.flatMap(([t], k) => (t === topic ? [start + k] : []));
      const lists = slots.map((i) => documents[i].problems);
      const interleaved: Problem[] = [];
      for (let j = 0; j < Math.max(...lists.map((l) => l.length)); j++) for (const l of lists) if (j < l.length) interleaved.push(l[j]);
      let at = 0;
      for (const [n, i] of slots.entries()) {
        const problems = interleaved.slice(at, at + lists[n].length);
        at += lists[n].length;
        out[i] = { doc_id: docId(i), content: mixedContent(topic, problems, statedResults), topic, question_type: 'mixed', problems };
      }
    }
  }
  return out;
}

const LETTERS = 'ABCDEFGH';

/** Choices of a problem in a seeded order, with the correct letter. */
export function shuffledChoices(p: Problem, s: { permutation(n: number): number[] }): { choices: string[]; letter: string } {
  const original = [p.answer, ...p.distractors];
  const perm = s.permutation(original.length);
  return { choices: perm.map((i) => original[i]), letter: LETTERS[perm.indexOf(0)] };
}

/** `count` distinct questions of the dev kinds in turn, none in `seen` (which is extended). */
function makeQuestions(w: WorldFacts, count: number, set: 'dev' | 'heldout', seen: Set<string>, ranked: boolean): DevRow[] {
  const rows: DevRow[] = [];
  for (let i = 0; rows.length < count; i++) {
    if (i > 1000 * (count + 1)) throw new Error(`world: cannot draw ${count} distinct ${set} questions (scale too small?)`);
    const [topic, type] = DEV_KINDS[rows.length % DEV_KINDS.length];
    const s = worldStream(w.seed, set, i);
    const p = drawProblem(w, topic, type, s, ranked);
    const text = questionText(p);
    if (seen.has(text)) continue;
    seen.add(text);
    const { choices, letter } = shuffledChoices(p, s);
    rows.push({
      question_id: `world_${set}_${String(rows.length).padStart(3, '0')}`, question_text: text, choices,
      ground_truth: letter, ground_truth_text: p.answer, benchmark_type: 'qa_mcq', topic, question_type: type,
    });
  }
  return rows;
}

/** The whole world for a seed: fact base, documents spread evenly over the kinds, dev and held-out sets. */
export function buildWorld(opts: Partial<WorldOptions> = {}): World {
  const o = { ...DEFAULT_WORLD, ...opts };
  const facts = buildWorldFacts(o.seed, scaledSizes(o.scale));
  const kinds = allKinds();
  const stated = o.statedResults === true;
  const ranked = o.rankedNumbers === true;
  const single = Array.from({ length: o.documents }, (_, i) => makeDocument(facts, i, ...kinds[i % kinds.length], stated, ranked));
  const documents = o.mixed === true ? mixDocuments(single, stated) : single;
  const seen = new Set<string>();
  const dev = makeQuestions(facts, o.devQuestions, 'dev', seen, ranked);
  // A held-out question that some document states could be written by the Generator word for word and
  // train the Solver on the test: up to commit 3aca29c, 87 of the 480 were stated and 2-4 valid
  // questions per run repeated one. Dev questions may be stated: the target set is meant to be reachable.
  for (const d of documents) for (const p of d.problems) seen.add(questionText(p));
  return { facts, documents, dev, heldout: makeQuestions(facts, o.heldoutQuestions, 'heldout', seen, ranked), rankedNumbers: ranked };
}

/** The exported document row (problems stay internal). */
export function documentRow(d: WorldDocument): WorldDocumentRow {
  return { doc_id: d.doc_id, content: d.content, topic: d.topic, question_type: d.question_type };
}
