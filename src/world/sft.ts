// Supervised examples that give the tiny anchors their start (issue 5): Generator examples (compact
// §3.1 prompt with a world document → one JSON MCQ about it) and Solver examples (§3.5 prompt →
// one derivation line + \boxed{X}). Solver labels on the reasoning skills the dev set tests are
// deliberately noisy (a typical mistake with probability `mistakeRate`), so the anchors start above
// chance but with room to improve. Problems whose question text is in the dev or held-out set are
// never used, for either role.
import { buildGeneratorMessages, buildSolverMessages, renderChat } from '../infuser/prompts.ts';
import { worldStream } from './facts.ts';
import { allKinds, shuffledChoices, type World, type WorldDocument } from './documents.ts';
import { drawProblem, questionText, type Problem } from './problems.ts';
import { CHAT_TEMPLATE, EOS_TOKEN } from './tokenizer-builder.ts';

export interface SftExample {
  role: 'generator' | 'solver';
  /** The rendered chat prompt, generation prompt included (no loss on it). */
  prompt: string;
  /** The assistant's reply, ending with the end-of-turn token (the loss covers it). */
  response: string;
  /** The world problem's question text, so that evaluation sets can be checked against what was trained. */
  question: string;
}

export interface SftOptions {
  generatorExamples: number;
  solverExamples: number;
  /** Probability that a reasoning-skill Solver label is the typical mistake instead. */
  mistakeRate: number;
  /** How Solver replies name the letter after the answer (solverReply's `mark`). */
  markLetter: LetterMark;
  /** Where a Generator reply puts the correct choice (GeneratorOrder). */
  generatorOrder: GeneratorOrder;
  /**
   * Probability that a Generator example whose document states a fresh arithmetic problem targets one
   * (else a problem drawn uniformly, arithmetic included). 0 draws nothing extra, so the default
   * reproduces the examples of earlier anchors. A fine-tune at 0.5 asks the Generator to copy a
   * stated result far more often than the uniform draw does (docs/experiment.md, item 26).
   */
  arithmeticFocus: number;
}

/**
 * 'shuffled': the correct choice anywhere among the four. 'answer-first': the correct choice first, then
 * the distractors in a seeded order. The lab shuffles every accepted question's choices (spec §3.4), so
 * the Generator's order never reaches the Solver. Written first, the answer stands right after the
 * question it answers, where finding it means copying from the text just written rather than choosing
 * a slot for it: with shuffled order the World v2 anchors wrote four invented names and left the answer
 * out in most questions (docs/experiment.md, "World v2"). 'solution-first': answer-first, with the
 * problem's derivation between the question and the choices, under the reference schema's
 * `self_test_solution` key (§3.1; the parser reads only the three keys). An arithmetic answer is then
 * a copy of the sum the derivation just wrote, in the words the Solver examples teach. Tried once as a
 * fine-tune of the 2-layer anchors: the answer copied the derivation's sum, but the sum itself was
 * wrong ("5 + 7 = 10"), so arithmetic labels stayed wrong (docs/experiment.md, "World v2, third anchors").
 */
export type GeneratorOrder = 'shuffled' | 'answer-first' | 'solution-first';
export const GENERATOR_ORDERS: readonly GeneratorOrder[] = ['shuffled', 'answer-first', 'solution-first'];

export const DEFAULT_SFT: SftOptions = { generatorExamples: 12000, solverExamples: 12000, mistakeRate: 0.4, markLetter: 'none', generatorOrder: 'shuffled', arithmeticFocus: 0 };

/** The JSON reply of §3.1 in the spacing the compact template shows; `solution` goes between question and choices. */
export function questionJson(questionText: string, choices: readonly string[], groundTruth: string, solution?: string): string {
  const q = JSON.stringify;
  const worked = solution === undefined ? '' : `, "self_test_solution": ${q(solution)}`;
  return `{"question_text": ${q(questionText)}${worked}, "choices": [${choices.map((c) => q(c)).join(', ')}], "ground_truth": ${q(groundTruth)}}`;
}

export function generatorPrompt(document: string): string {
  return renderChat(buildGeneratorMessages(document, 'compact'), CHAT_TEMPLATE);
}

export function solverPrompt(questionText: string, choices: readonly string[]): string {
  return renderChat(buildSolverMessages(questionText, choices), CHAT_TEMPLATE);
}

/** A document's problems that are not dev or held-out questions. */
const freshProblems = (doc: WorldDocument, evalTexts: Set<string>) => doc.problems.filter((p) => !evalTexts.has(questionText(p)));

/** `fresh`: the document's problems that are not dev or held-out questions (never empty). */
function generatorExample(doc: WorldDocument, fresh: readonly Problem[], index: number, seed: number, order: GeneratorOrder, arithmeticFocus = 0): SftExample {
  const s = worldStream(seed, 'sft-generator', index);
  const sums = arithmeticFocus > 0 ? fresh.filter((p) => p.type === 'arithmetic') : [];
  // Its own stream, so that a focus of 0 leaves every other draw as it was.
  const focused = sums.length > 0 && worldStream(seed, 'sft-arithmetic-focus', index).next() < arithmeticFocus;
  const from = focused ? sums : fresh;
  const p = from[s.nextInt(from.length)];
  const shuffled = shuffledChoices(p, s).choices;
  const choices = order === 'shuffled' ? shuffled : [p.answer, ...shuffled.filter((c) => c !== p.answer)];
  const question = questionText(p);
  const solution = order === 'solution-first' ? p.reasoning : undefined;
  return { role: 'generator', prompt: generatorPrompt(doc.content), response: questionJson(question, choices, p.answer, solution) + EOS_TOKEN, question };
}

/** Where a Solver reply names its letter besides the box: nowhere, "Geba (D)." or "Geba D.". */
export type LetterMark = 'none' | 'paren' | 'adjacent';

/**
 * A Solver reply: the derivation, then the boxed letter of the answer it reached. `mark` also names the
 * letter right after the answer: 'paren' "So the answer is Geba (D). \\boxed{D}", 'adjacent' "So the
 * answer is Geba D. \\boxed{D}". Finding the letter of a choice means matching its text in the prompt,
 * and the hope is that a tiny model learns that match sooner when the letter follows the answer at once
 * (docs/experiment.md, "Why the anchors do not copy").
 */
export function solverReply(reasoning: string, letter: string, mark: LetterMark = 'none'): string {
  if (mark === 'none') return `${reasoning} \\boxed{${letter}}`;
  if (!reasoning.endsWith('.')) throw new Error(`solverReply: a derivation ends with a full stop, got "${reasoning}"`);
  const named = mark === 'paren' ? ` (${letter})` : ` ${letter}`;
  return `${reasoning.slice(0, -1)}${named}. \\boxed{${letter}}`;
}

function solverExample(p: Problem, index: number, seed: number, mistakeRate: number, mark: LetterMark): SftExample {
  const s = worldStream(seed, 'sft-solver', index);
  const { choices, letter } = shuffledChoices(p, s);
  const isMistake = p.mistake !== undefined && s.next() < mistakeRate;
  const said = isMistake ? p.mistake! : { answer: p.answer, reasoning: p.reasoning };
  const saidLetter = isMistake ? 'ABCDEFGH'[choices.indexOf(said.answer)] : letter;
  const question = questionText(p);
  return { role: 'solver', prompt: solverPrompt(question, choices), response: solverReply(said.reasoning, saidLetter, mark) + EOS_TOKEN, question };
}

/** Generator and Solver examples interleaved in a seeded order. */
export function buildSftExamples(world: World, opts: Partial<SftOptions> = {}): SftExample[] {
  const o = { ...DEFAULT_SFT, ...opts };
  if (!(o.arithmeticFocus >= 0 && o.arithmeticFocus <= 1)) throw new Error(`buildSftExamples: arithmeticFocus must be in [0, 1], got ${o.arithmeticFocus}`);
  const seed = world.facts.seed;
  const evalTexts = new Set([...world.dev, ...world.heldout].map((d) => d.question_text));
  const out: SftExample[] = [];
  // A dev question as a Generator target would leak its answer into the shared weights, so documents
  // whose every problem is a dev or held-out question are passed over for the next one. Up to commit
  // 59699b7 they fell back to a dev question: 300 of the 12000 targets named 38 dev questions.
  const fresh = world.documents.map((d) => freshProblems(d, evalTexts));
  if (fresh.every((f) => f.length === 0)) throw new Error('buildSftExamples: every document states only dev or held-out questions');
  for (let i = 0; i < o.generatorExamples; i++) {
    let d = i % world.documents.length;
    while (fresh[d].length === 0) d = (d + 1) % world.documents.length;
    out.push(generatorExample(world.documents[d], fresh[d], i, seed, o.generatorOrder, o.arithmeticFocus));
  }
  const kinds = allKinds();
  for (let i = 0, drawn = 0; i < o.solverExamples; drawn++) {
    const [topic, type] = kinds[drawn % kinds.length];
    const p = drawProblem(world.facts, topic, type, worldStream(seed, 'sft-problem', drawn), world.rankedNumbers);
    if (evalTexts.has(questionText(p))) continue;
    out.push(solverExample(p, i++, seed, o.mistakeRate, o.markLetter));
  }
  return worldStream(seed, 'sft-order').shuffle(out);
}
