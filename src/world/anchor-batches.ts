// Token batches for anchor pretraining (scripts/train-anchors.ts): each SFT example becomes prompt ids +
// response ids with a loss mask on the response (the end-of-turn token included); examples of similar
// length share a batch, right-padded (causal attention keeps padding from touching real positions).
// Invariant: a batch holds at most `batchTokens` positions (B × T), and its targets are ids shifted by one.
import type { Stream } from '../infuser/rng.ts';
import type { LetterMark, SftExample } from './sft.ts';

export interface TokenizedExample { ids: number[]; /** 1 where ids[t] is a response token. */ isResponse: number[] }

export interface TokenBatch {
  B: number;
  T: number;
  /** B sequences of T ids, padded. */
  ids: number[][];
  /** Flattened (B·T): targets[b·T + t] = ids[b][t + 1] (pad at the end). */
  targets: number[];
  /** Flattened (B·T): 1 where the target is a response token. */
  mask: number[];
  /** Σ mask. */
  lossTokens: number;
}

export function tokenizeExample(encode: (text: string) => number[], ex: Pick<SftExample, 'role' | 'prompt' | 'response'>): TokenizedExample {
  const p = encode(ex.prompt);
  const r = encode(ex.response);
  return { ids: [...p, ...r], isResponse: [...p.map(() => 0), ...r.map(() => 1)] };
}

/** Pads to a multiple of 8 so batch shapes repeat and kernels see few distinct sizes. */
const roundUp8 = (n: number) => Math.ceil(n / 8) * 8;

export function makeBatch(examples: readonly TokenizedExample[], padId: number): TokenBatch {
  const T = roundUp8(Math.max(...examples.map((e) => e.ids.length)));
  const ids: number[][] = [];
  const targets: number[] = [];
  const mask: number[] = [];
  for (const ex of examples) {
    const row = [...ex.ids, ...Array(T - ex.ids.length).fill(padId)];
    ids.push(row);
    for (let t = 0; t < T; t++) {
      const isTarget = t + 1 < ex.ids.length && ex.isResponse[t + 1] === 1;
      targets.push(t + 1 < T ? row[t + 1] : padId);
      mask.push(isTarget ? 1 : 0);
    }
  }
  return { B: examples.length, T, ids, targets, mask, lossTokens: mask.reduce((a, b) => a + b, 0) };
}

/**
 * One epoch of batches: a seeded shuffle, then windows of `window` examples sorted by length and cut
 * into batches of at most `batchTokens` padded positions.
 */
export function epochBatches(examples: readonly TokenizedExample[], s: Stream, batchTokens: number, padId: number, window = 256): TokenBatch[] {
  const order = s.permutation(examples.length).map((i) => examples[i]);
  const out: TokenBatch[] = [];
  for (let w = 0; w < order.length; w += window) {
    const chunk = order.slice(w, w + window).sort((a, b) => a.ids.length - b.ids.length);
    let group: TokenizedExample[] = [];
    for (const ex of chunk) {
      const T = roundUp8(Math.max(ex.ids.length, ...group.map((g) => g.ids.length)));
      if (group.length > 0 && T * (group.length + 1) > batchTokens) {
        out.push(makeBatch(group, padId));
        group = [];
      }
      group.push(ex);
    }
    if (group.length > 0) out.push(makeBatch(group, padId));
  }
  // Batches of one window come out short-to-long; shuffle them so lengths mix over time.
  return s.shuffle(out);
}

/**
 * Flat positions (b·T + t) whose target is the letter a Solver reply first names: after `\boxed{`, or with
 * `marked` replies ("Geba (D). \boxed{D}") after the " (" that follows the answer, since there the boxed
 * letter only copies it. That letter is where the Solver turns its derivation into a choice, the
 * in-context lookup that train-anchors.ts tracks on held-out data.
 */
export function boxedLetterPositions(b: TokenBatch, decode: (id: number) => string, mark: LetterMark = 'none'): number[] {
  const out: number[] = [];
  for (let r = 0; r < b.B; r++) {
    for (let t = 1; t < b.T; t++) {
      const i = r * b.T + t;
      if (b.mask[i] !== 1) continue;
      const here = decode(b.ids[r][t]);
      const after = t + 2 < b.T ? decode(b.ids[r][t + 2]) : '';
      const target = decode(b.targets[i]);
      const hit = mark === 'paren' ? here.endsWith('(') && /^[A-H]$/.test(target) && after.startsWith(')')
        : mark === 'adjacent' ? /^ [A-H]$/.test(target) && after.startsWith('.')
        : here === '{' && decode(b.ids[r][t - 1]).endsWith('boxed');
      if (hit) out.push(i);
    }
  }
  return out;
}

/**
 * An induction warm-up batch. Each row holds a run of `words` distinct ids drawn from `vocabulary`,
 * then the same run again, with `gap` random ids of noise (from the whole vocabulary) split at random
 * before, between and after the two. A `separator` id, when given, stands just before the second run.
 * The loss is on every id of the second run but its first. The distance back to the first run changes
 * from row to row, so only content lookup scores: find where the current id occurred before and predict
 * what followed it. Every world task needs that lookup (docs/experiment.md, "Why the anchors do not
 * copy"). The probe measured this layout forming the lookup within 200-400 steps at 2 layers and 20 ids.
 * Drawing the noise only from ids outside the run did not form it within 500 steps.
 */
export function repeatCopyBatch(vocabulary: readonly number[], rows: number, words: number, gap: number, s: Stream, separator?: number): TokenBatch {
  if (words < 2 || words > vocabulary.length) throw new Error(`repeatCopyBatch: words must be in [2, ${vocabulary.length}] (distinct ids), got ${words}`);
  if (!Number.isInteger(gap) || gap < 0) throw new Error(`repeatCopyBatch: gap must be a non-negative integer, got ${gap}`);
  const noise = (n: number) => Array.from({ length: n }, () => vocabulary[s.nextInt(vocabulary.length)]);
  const mark = separator === undefined ? [] : [separator];
  const examples: TokenizedExample[] = [];
  for (let r = 0; r < rows; r++) {
    const pool = [...vocabulary];
    for (let i = 0; i < words; i++) {
      const j = i + s.nextInt(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    const run = pool.slice(0, words);
    const before = s.nextInt(gap + 1);
    const between = s.nextInt(gap - before + 1);
    const ids = [...noise(before), ...run, ...noise(between), ...mark, ...run, ...noise(gap - before - between)];
    const start = before + words + between + mark.length;
    // isResponse marks the targets: the second run after its first id.
    examples.push({ ids, isResponse: ids.map((_, t) => (t > start && t < start + words ? 1 : 0)) });
  }
  // Every row has length 2·words + gap (+1 with a separator); the pad id only fills the multiple-of-8 round-up.
  return makeBatch(examples, vocabulary[0]);
}

/**
 * How many ids a widening warm-up draws from at `step`: `from` until step `hold`, then linearly more
 * until all `full` of them at step `grow`. `grow` 0 means all of them from the start.
 */
export function warmupVocabularySize(step: number, full: number, from: number, hold: number, grow: number): number {
  if (grow <= 0) return full;
  return Math.min(full, Math.round(from + ((full - from) * Math.max(0, step - hold)) / Math.max(1, grow - hold)));
}

/**
 * An additive logit mask that leaves `allowed` ids as they are and removes every other id from the
 * softmax. The warm-up uses it so that the lookup forms as it does in a model whose output holds only
 * the warm-up's ids: over the anchors' whole output it formed far more slowly (docs/experiment.md).
 */
export function outputMask(vocabSize: number, allowed: readonly number[]): Float32Array {
  const m = new Float32Array(vocabSize).fill(-1e4);
  for (const id of allowed) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new Error(`outputMask: id ${id} is outside the vocabulary of ${vocabSize}`);
    m[id] = 0;
  }
  return m;
}

/**
 * A choice-lookup warm-up batch: the Solver's last step on its own. Each row lists `choices` distinct
 * strings from `pool` the way a §3.5 prompt does ("A) Geba\n"), then `queries` reply endings
 * ("So the answer is Geba. \\boxed{D}\n") that each name one of them; the loss is on the letter only.
 * The letter stands before the name it belongs to, so this needs a lookup that reads the token before
 * the match, not the one after it as repeat-copy rows teach. Names, numbers and colours in `pool` are
 * split into pre-token pieces exactly as a whole reply would be, so the letter ids match real replies.
 * With `echo`, each choice line also repeats its letter after the string (" D", with loss): a first step
 * that moves the letter to where the string is, which the lookup then reads. With `mark`, the endings
 * take solverReply's marked form, where the letter follows the answer at once ("Geba (D).") and the
 * boxed letter copies it: the lookup then matches the name just written, a shorter path.
 */
export function choiceLookupBatch(
  encode: (text: string) => number[], pool: readonly string[], rows: number, choices: number, queries: number, s: Stream, padId: number,
  echo = false, mark: LetterMark = 'none',
): TokenBatch {
  if (choices < 2 || choices > Math.min(8, pool.length)) throw new Error(`choiceLookupBatch: choices must be in [2, ${Math.min(8, pool.length)}], got ${choices}`);
  const letters = 'ABCDEFGH';
  const letterIds = Array.from(letters, (l) => encode(l));
  if (letterIds.some((x) => x.length !== 1)) throw new Error('choiceLookupBatch: every choice letter must be one token');
  const closing = encode('}\n');
  const newline = encode('\n');
  const examples: TokenizedExample[] = [];
  for (let r = 0; r < rows; r++) {
    const picked: string[] = [];
    while (picked.length < choices) {
      const c = pool[s.nextInt(pool.length)];
      if (!picked.includes(c)) picked.push(c);
    }
    const ids: number[] = [];
    const isResponse: number[] = [];
    picked.forEach((c, i) => {
      const line = encode(`${letters[i]}) ${c}`);
      ids.push(...line);
      isResponse.push(...line.map(() => 0));
      // echo: the line repeats its letter after the string, which puts the letter where the string is.
      if (echo) {
        const tail = encode(` ${letters[i]}`);
        ids.push(...tail);
        isResponse.push(...tail.map(() => 1));
      }
      ids.push(...newline);
      isResponse.push(...newline.map(() => 0));
    });
    // Each ending names a choice not yet named in this row while any is left: a repeated one could copy
    // its letter from the earlier ending instead of finding it in the list.
    let unnamed: number[] = [];
    for (let q = 0; q < queries; q++) {
      if (unnamed.length === 0) unnamed = Array.from({ length: choices }, (_, i) => i);
      const k = unnamed.splice(s.nextInt(unnamed.length), 1)[0];
      const letter = letterIds[k][0];
      if (mark !== 'none') {
        // solverReply's marked forms ("Geba (D). \\boxed{D}", "Geba D. \\boxed{D}"): loss on both letters.
        const lead = encode(`So the answer is ${picked[k]}${mark === 'paren' ? ' (' : ''}`);
        const named = mark === 'paren' ? [letter] : encode(` ${letters[k]}`);
        if (named.length !== 1) throw new Error(`choiceLookupBatch: " ${letters[k]}" must be one token`);
        const middle = encode(mark === 'paren' ? '). \\boxed{' : '. \\boxed{');
        ids.push(...lead, ...named, ...middle, letter, ...closing);
        isResponse.push(...lead.map(() => 0), 1, ...middle.map(() => 0), 1, ...closing.map(() => 0));
      } else {
        const lead = encode(`So the answer is ${picked[k]}. \\boxed{`);
        ids.push(...lead, letter, ...closing);
        isResponse.push(...lead.map(() => 0), 1, ...closing.map(() => 0));
      }
    }
    examples.push({ ids, isResponse });
  }
  return makeBatch(examples, padId);
}

/** An addend pair of the world's sums: a start year and a duration (timeline), or two small counts or road lengths. */
export function worldAddends(s: Stream): [number, number] {
  if (s.next() < 0.5) return [10 + s.nextInt(60), 1 + s.nextInt(9)];
  return [1 + s.nextInt(19), 1 + s.nextInt(19)];
}

/**
 * An addition drill batch: each row is `perRow` equations "57 + 9 = 66." joined by spaces, the loss on
 * the sum's digits and the full stop after them (which says where the number ends). Every world sum is
 * written this way in a derivation ("It ended in year 57 + 9 = 66."), and the anchors copy the operands
 * there but miss the sum (docs/experiment.md, "World v2, third anchors"); the drill teaches the sum where
 * the operands stand right before it. Pieces are encoded apart, as a whole derivation splits them.
 */
export function additionDrillBatch(
  encode: (text: string) => number[], rows: number, perRow: number, s: Stream, padId: number, addends: (s: Stream) => [number, number] = worldAddends,
): TokenBatch {
  if (!Number.isInteger(perRow) || perRow < 1) throw new Error(`additionDrillBatch: perRow must be a positive integer, got ${perRow}`);
  const [space] = encode(' ');
  const examples: TokenizedExample[] = [];
  for (let r = 0; r < rows; r++) {
    const ids: number[] = [];
    const isResponse: number[] = [];
    for (let q = 0; q < perRow; q++) {
      const [a, b] = addends(s);
      const lead = encode(`${q === 0 ? '' : ' '}${a} + ${b} =`);
      const sum = encode(` ${a + b}.`);
      if (sum[0] !== space) throw new Error(`additionDrillBatch: the tokenizer merges the space before "${a + b}"; the loss would start inside the number`);
      ids.push(...lead, ...sum);
      // The space after "=" is always there; the loss starts at the first digit.
      isResponse.push(...lead.map(() => 0), 0, ...sum.slice(1).map(() => 1));
    }
    examples.push({ ids, isResponse });
  }
  return makeBatch(examples, padId);
}
