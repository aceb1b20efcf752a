import { describe, expect, it } from 'vitest';
import { buildWorld } from './documents.ts';
import { questionText } from './problems.ts';
import { buildSftExamples, generatorPrompt, questionJson, solverReply } from './sft.ts';
import { additionDrillBatch, boxedLetterPositions, choiceLookupBatch, epochBatches, makeBatch, outputMask, repeatCopyBatch, tokenizeExample, warmupVocabularySize } from './anchor-batches.ts';
import { parseGeneratorResponse } from '../infuser/question-parser.ts';
import { extractAnswer } from '../infuser/answer-extraction.ts';
import { streamFor } from '../infuser/rng.ts';

const world = buildWorld();
const sft = buildSftExamples(world, { generatorExamples: 400, solverExamples: 600, mistakeRate: 0.4 });
const strip = (r: string) => r.replace('<|im_end|>', '');

describe('world SFT examples', () => {
  it('Generator replies parse and validate (§3.2–3.3) with the ground truth among 4 choices', () => {
    const gens = sft.filter((x) => x.role === 'generator');
    expect(gens).toHaveLength(400);
    for (const g of gens) {
      const parsed = parseGeneratorResponse(strip(g.response));
      expect(parsed.ok, g.response).toBe(true);
      if (parsed.ok) expect(parsed.choices).toHaveLength(4);
    }
  });

  it('answer-first Generator replies put the ground truth first and keep the same questions and choices', () => {
    const first = buildSftExamples(world, { generatorExamples: 400, solverExamples: 0, generatorOrder: 'answer-first' });
    const shuffled = sft.filter((x) => x.role === 'generator');
    const byQuestion = new Map(shuffled.map((g) => [g.prompt + g.question, parseGeneratorResponse(strip(g.response))]));
    let moved = 0;
    for (const g of first) {
      const parsed = parseGeneratorResponse(strip(g.response));
      const twin = byQuestion.get(g.prompt + g.question);
      expect(parsed.ok && twin?.ok, g.response).toBe(true);
      if (!parsed.ok || !twin?.ok) continue;
      expect(parsed.choices[0]).toBe(parsed.ground_truth);
      expect([...parsed.choices].sort()).toEqual([...twin.choices].sort());
      if (twin.choices[0] !== twin.ground_truth) moved++;
    }
    // Shuffled order puts the answer first about a quarter of the time.
    expect(moved / first.length).toBeGreaterThan(0.6);
  });

  it('solution-first Generator replies state the derivation the Solver examples use, then the answer first', () => {
    const solved = buildSftExamples(world, { generatorExamples: 400, solverExamples: 0, generatorOrder: 'solution-first' });
    const first = buildSftExamples(world, { generatorExamples: 400, solverExamples: 0, generatorOrder: 'answer-first' });
    const answerFirst = new Map(first.map((g) => [g.prompt + g.question, strip(g.response)]));
    let sums = 0;
    for (const g of solved) {
      const reply = strip(g.response);
      const parsed = parseGeneratorResponse(reply);
      expect(parsed.ok, reply).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.choices[0]).toBe(parsed.ground_truth);
      const object = JSON.parse(reply);
      expect(Object.keys(object)).toEqual(['question_text', 'self_test_solution', 'choices', 'ground_truth']);
      // The derivation is the correct one (never a planted mistake) and ends on the ground truth.
      expect(object.self_test_solution.endsWith(`So the answer is ${object.ground_truth}.`), reply).toBe(true);
      const sum = /(\d+) \+ (\d+) = (\d+)/.exec(object.self_test_solution);
      if (sum) {
        sums++;
        expect(Number(sum[1]) + Number(sum[2])).toBe(Number(sum[3]));
      }
      // The same question and choices as answer-first; only the derivation is new.
      const twin = JSON.parse(answerFirst.get(g.prompt + g.question)!);
      expect({ ...object, self_test_solution: undefined }).toEqual({ ...twin, self_test_solution: undefined });
    }
    expect(sums).toBeGreaterThan(20);
  });

  it('Solver replies box one letter; about 40% of reasoning-skill labels are the planted mistake', () => {
    const sols = sft.filter((x) => x.role === 'solver');
    expect(sols).toHaveLength(600);
    let reasoning = 0;
    let wrong = 0;
    for (const s of sols) {
      const letter = extractAnswer(strip(s.response));
      expect(letter).toMatch(/^[A-D]$/);
      // The chosen letter's choice text is what the reply's derivation concluded.
      const choice = s.prompt.match(new RegExp(`\\n${letter}\\) (.*)\\n`))![1];
      const said = s.response.match(/So the answer is (.*)\. \\boxed/)![1];
      expect(said).toBe(choice);
      if (/ \+ | - |The parent of|leads to|made from/.test(s.response)) {
        reasoning++;
        if (/ - /.test(s.response) || !/ \+ .*=|The parent of .* The parent of|leads to .* leads to|made from/.test(s.response)) wrong++;
      }
    }
    expect(reasoning).toBeGreaterThan(100);
    expect(wrong / reasoning).toBeGreaterThan(0.2);
    expect(wrong / reasoning).toBeLessThan(0.5);
  });

  it('never uses a dev or held-out question as a Solver prompt', () => {
    const evalTexts = [...world.dev, ...world.heldout].map((d) => d.question_text);
    expect(evalTexts.length).toBe(96 + 480);
    for (const s of sft.filter((x) => x.role === 'solver')) for (const t of evalTexts) expect(s.prompt.includes(`Question: ${t}\n`)).toBe(false);
  });

  it('names the question each example shows, and it is never a dev or held-out question', () => {
    const evalTexts = new Set([...world.dev, ...world.heldout].map((d) => d.question_text));
    for (const x of sft) {
      expect(evalTexts.has(x.question)).toBe(false);
      if (x.role === 'solver') expect(x.prompt).toContain(`Question: ${x.question}\n`);
      else {
        const parsed = parseGeneratorResponse(strip(x.response));
        expect(parsed.ok && parsed.question_text).toBe(x.question);
      }
    }
  });

  it('passes over documents that state only dev questions (the scale-1 world has 30) instead of naming one', () => {
    // At scale 1 most dev questions' facts recur in documents; up to commit 59699b7 such documents fell back to a dev question.
    const small = buildWorld({ scale: 1, heldoutQuestions: 0 });
    const devTexts = new Set(small.dev.map((d) => d.question_text));
    const onlyDev = small.documents.filter((d) => d.problems.every((p) => devTexts.has(questionText(p))));
    expect(onlyDev.length).toBeGreaterThan(0);
    const examples = buildSftExamples(small, { generatorExamples: 1200, solverExamples: 0 });
    const prompts = new Set(examples.map((x) => x.prompt));
    for (const d of onlyDev) expect(prompts.has(generatorPrompt(d.content))).toBe(false);
    for (const x of examples) expect(devTexts.has(x.question)).toBe(false);
  });

  it('arithmeticFocus targets a document\'s arithmetic problem that often, and 0 changes nothing', () => {
    const mixed = buildWorld({ mixed: true, statedResults: true });
    const docOf = new Map(mixed.documents.map((d) => [generatorPrompt(d.content), d]));
    const evalTexts = new Set([...mixed.dev, ...mixed.heldout].map((d) => d.question_text));
    const gens = (focus?: number) => buildSftExamples(mixed, { generatorExamples: 600, solverExamples: 0, ...(focus === undefined ? {} : { arithmeticFocus: focus }) });
    // Of the examples whose document states a fresh arithmetic problem: the share that ask one.
    const share = (xs: ReturnType<typeof gens>) => {
      let offered = 0;
      let asked = 0;
      for (const g of xs) {
        const doc = docOf.get(g.prompt)!;
        if (!doc.problems.some((p) => p.type === 'arithmetic' && !evalTexts.has(questionText(p)))) continue;
        offered++;
        if (doc.problems.some((p) => p.type === 'arithmetic' && questionText(p) === g.question)) asked++;
      }
      return { offered, share: asked / offered };
    };
    const none = share(gens(0));
    expect(gens(0)).toEqual(gens());
    expect(none.offered).toBeGreaterThan(100);
    expect(none.share).toBeLessThan(0.6);
    const half = share(gens(0.5)).share;
    // Half of them are forced; the other half ask a sum as often as without a focus.
    expect(half).toBeGreaterThan(0.5 + 0.5 * none.share - 0.1);
    expect(half).toBeLessThan(0.5 + 0.5 * none.share + 0.1);
    expect(share(gens(1)).share).toBe(1);
    expect(() => buildSftExamples(mixed, { arithmeticFocus: 1.5 })).toThrow(/arithmeticFocus must be in \[0, 1\], got 1.5/);
  });

  it('questionJson matches the compact template spacing', () => {
    expect(questionJson('Q?', ['a', 'b"c'], 'a')).toBe('{"question_text": "Q?", "choices": ["a", "b\\"c"], "ground_truth": "a"}');
  });
});

describe('anchor batches', () => {
  const enc = (t: string) => Array.from(t, (c) => c.charCodeAt(0) % 50);
  it('masks the loss to reply tokens and shifts targets by one', () => {
    const ex = tokenizeExample(enc, { role: 'solver', prompt: 'abc', response: 'de' });
    const b = makeBatch([ex], 99);
    expect(b.T).toBe(8);
    expect(b.ids[0]).toEqual([...enc('abcde'), 99, 99, 99]);
    // positions 2 and 3 predict d and e; nothing else counts
    expect(b.mask).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(b.targets.slice(0, 4)).toEqual(enc('bcde'));
    expect(b.lossTokens).toBe(2);
  });

  it('finds the boxed letter of each reply, and nothing in a prompt', () => {
    // Word-level ids: 0 pad, then one id per word.
    const words = ['pad', 'Q', '\\boxed', '{', 'A', '}', 'so', 'B', 'C'];
    const encW = (t: string) => t.split(' ').map((w) => words.indexOf(w));
    const a = tokenizeExample(encW, { role: 'solver', prompt: 'Q \\boxed { A }', response: 'so \\boxed { B }' });
    const b = tokenizeExample(encW, { role: 'solver', prompt: 'Q', response: 'C \\boxed { A }' });
    const batch = makeBatch([a, b], 0);
    const at = boxedLetterPositions(batch, (id) => words[id]);
    expect(at.map((i) => words[batch.targets[i]])).toEqual(['B', 'A']);
    expect(at).toEqual([7, batch.T + 3]);
  });

  it('in marked replies, finds the letter named after the answer, not its boxed copy', () => {
    const words = ['pad', 'Q', 'is', 'Geba', ' (', 'A', ').', '\\boxed', '{', '}', 'B'];
    const encW = (t: string) => t.split('|').map((w) => words.indexOf(w));
    const a = tokenizeExample(encW, { role: 'solver', prompt: 'Q', response: 'is|Geba| (|A|).|\\boxed|{|A|}' });
    const batch = makeBatch([a], 0);
    const at = boxedLetterPositions(batch, (id) => words[id], 'paren');
    expect(at).toEqual([3]);
    expect(words[batch.targets[3]]).toBe('A');
  });

  it('covers every example once per epoch within the token budget', () => {
    const exs = Array.from({ length: 50 }, (_, i) => tokenizeExample(enc, { role: 'solver', prompt: 'p'.repeat(5 + (i % 30)), response: 'r'.repeat(1 + (i % 4)) }));
    const batches = epochBatches(exs, streamFor(1, 'init', 'test'), 128, 0, 16);
    expect(batches.reduce((n, b) => n + b.B, 0)).toBe(50);
    for (const b of batches) expect(b.B * b.T).toBeLessThanOrEqual(128);
    expect(batches.reduce((n, b) => n + b.lossTokens, 0)).toBe(exs.reduce((n, e) => n + e.isResponse.filter(Boolean).length, 0));
  });

  it('builds induction rows: the second run repeats the first at a varying distance, loss on its lookups only', () => {
    const vocabulary = Array.from({ length: 30 }, (_, i) => 100 + i);
    const words = 6;
    const gap = 10;
    const b = repeatCopyBatch(vocabulary, 40, words, gap, streamFor(3, 'init', 'test'));
    expect(b.T).toBe(24); // 2·6 + 10 = 22 rounded up to a multiple of 8
    const distances = new Set<number>();
    for (let r = 0; r < b.B; r++) {
      const row = b.ids[r].slice(0, 2 * words + gap);
      for (const id of row) expect(vocabulary).toContain(id);
      const counted = [...Array(b.T).keys()].filter((t) => b.mask[r * b.T + t] === 1);
      expect(counted.length).toBe(words - 1);
      // The second run starts at counted[0]; the first is the earlier window holding the same ids.
      const second = row.slice(counted[0], counted[0] + words);
      expect(new Set(second).size).toBe(words);
      const first = [...Array(counted[0]).keys()].find((p) => row.slice(p, p + words).join() === second.join());
      expect(first).toBeDefined();
      for (const [k, t] of counted.entries()) {
        expect(b.targets[r * b.T + t]).toBe(row[t + 1]);
        expect(row[first! + k + 1]).toBe(row[t + 1]);
      }
      distances.add(counted[0] - first!);
    }
    expect(distances.size).toBeGreaterThan(5);
    // A separator stands just before the second run and is never a target.
    const marked = repeatCopyBatch(vocabulary, 8, words, gap, streamFor(3, 'init', 'test'), 7);
    for (let r = 0; r < marked.B; r++) {
      const start = [...Array(marked.T).keys()].find((t) => marked.mask[r * marked.T + t] === 1)!;
      expect(marked.ids[r][start - 1]).toBe(7);
      expect(marked.ids[r].filter((id) => id === 7).length).toBe(1);
    }
    expect(() => repeatCopyBatch(vocabulary, 1, 31, 0, streamFor(3, 'init', 'test'))).toThrow(/distinct/);
  });

  it('widens the warm-up vocabulary: held, then linear, then all', () => {
    const at = (step: number) => warmupVocabularySize(step, 452, 20, 300, 800);
    expect([0, 300, 550, 800, 2000].map(at)).toEqual([20, 20, 236, 452, 452]);
    expect(warmupVocabularySize(0, 452, 20, 0, 0)).toBe(452);
  });

  it('builds choice-lookup rows: each boxed letter names the choice its query repeats, loss on letters only', () => {
    // One id per character, so a row decodes back to its text exactly.
    const encode = (t: string) => Array.from(t, (c) => c.codePointAt(0)!);
    const decode = (ids: readonly number[]) => String.fromCodePoint(...ids);
    const pool = ['Geba', 'Pojepas', '83', 'red', 'Nibo', 'Retu'];
    const b = choiceLookupBatch(encode, pool, 12, 4, 5, streamFor(3, 'init', 'test'), 0);
    expect(b.B).toBe(12);
    expect(b.lossTokens).toBe(12 * 5);
    const seen = new Set<string>();
    for (let r = 0; r < b.B; r++) {
      const text = decode(b.ids[r].filter((id) => id !== 0));
      const listed = new Map([...text.matchAll(/^([A-D])\) (.+)$/gm)].map((m) => [m[2], m[1]]));
      expect(listed.size).toBe(4);
      const queries = [...text.matchAll(/So the answer is (.+?)\. \\boxed\{([A-D])\}/g)];
      expect(queries).toHaveLength(5);
      for (const [, name, letter] of queries) {
        expect(listed.get(name)).toBe(letter);
        seen.add(letter);
      }
      // The loss sits exactly on the letters, in order.
      const masked = b.mask.slice(r * b.T, (r + 1) * b.T).flatMap((m, t) => (m === 1 ? [String.fromCodePoint(b.targets[r * b.T + t])] : []));
      expect(masked).toEqual(queries.map((q) => q[2]));
    }
    expect(seen.size).toBe(4);
    expect(() => choiceLookupBatch(encode, pool.slice(0, 3), 1, 4, 1, streamFor(3, 'init', 'test'), 0)).toThrow(/choices must be/);
  });

  it('builds addition drill rows: the loss sits on the digits of each sum and full stop, and the sums are right', () => {
    const encode = (t: string) => Array.from(t, (c) => c.codePointAt(0)!);
    const decode = (ids: readonly number[]) => String.fromCodePoint(...ids);
    const b = additionDrillBatch(encode, 16, 5, streamFor(3, 'init', 'test'), 0);
    expect(b.B).toBe(16);
    let large = 0;
    for (let r = 0; r < b.B; r++) {
      const text = decode(b.ids[r].filter((id) => id !== 0));
      const eqs = [...text.matchAll(/(\d+) \+ (\d+) = (\d+)\./g)];
      expect(eqs).toHaveLength(5);
      expect(text).toBe(eqs.map((m) => m[0]).join(' '));
      for (const [, a, c, sum] of eqs) {
        expect(Number(sum)).toBe(Number(a) + Number(c));
        if (Number(a) >= 20) large++;
      }
      const masked = b.mask.slice(r * b.T, (r + 1) * b.T).flatMap((m, t) => (m === 1 ? [String.fromCodePoint(b.targets[r * b.T + t])] : []));
      expect(masked.join('')).toBe(eqs.map((m) => `${m[3]}.`).join(''));
    }
    // Both addend families of the world appear (years with durations, small counts).
    expect(large).toBeGreaterThan(10);
    expect(large).toBeLessThan(70);
    const merging = (t: string) => (t.length > 1 && t.startsWith(' ') ? [1000, ...encode(t.slice(2))] : encode(t));
    expect(() => additionDrillBatch(merging, 1, 1, streamFor(3, 'init', 'test'), 0)).toThrow(/merges the space/);
  });

  it('marks the letter right after the answer when asked, and keeps the derivation', () => {
    expect(solverReply('So the answer is Geba.', 'D')).toBe('So the answer is Geba. \\boxed{D}');
    expect(solverReply('So the answer is Geba.', 'D', 'paren')).toBe('So the answer is Geba (D). \\boxed{D}');
    expect(solverReply('So the answer is Geba.', 'D', 'adjacent')).toBe('So the answer is Geba D. \\boxed{D}');
    expect(() => solverReply('So the answer is Geba', 'D', 'paren')).toThrow(/full stop/);
    const marked = buildSftExamples(world, { generatorExamples: 0, solverExamples: 50, markLetter: 'paren' });
    for (const m of marked) {
      const [, said, letter, boxed] = m.response.match(/So the answer is (.*) \(([A-D])\)\. \\boxed\{([A-D])\}<\|im_end\|>$/)!;
      expect(boxed).toBe(letter);
      expect(extractAnswer(strip(m.response))).toBe(letter);
      expect(m.prompt).toContain(`\n${letter}) ${said}\n`);
    }
  });

  it('builds marked, echoed choice-lookup rows: loss on each echo and both letters of each ending', () => {
    const encode = (t: string) => Array.from(t, (c) => c.codePointAt(0)!);
    const decode = (ids: readonly number[]) => String.fromCodePoint(...ids);
    const b = choiceLookupBatch(encode, ['Geba', 'Pojepas', '83', 'red', 'Nibo'], 6, 4, 3, streamFor(4, 'init', 'test'), 0, true, 'paren');
    expect(b.lossTokens).toBe(6 * (4 * 2 + 3 * 2));
    for (let r = 0; r < b.B; r++) {
      const text = decode(b.ids[r].filter((id) => id !== 0));
      const listed = new Map([...text.matchAll(/^([A-D])\) (.+) \1$/gm)].map((m) => [m[2], m[1]]));
      expect(listed.size).toBe(4);
      const queries = [...text.matchAll(/So the answer is (.+?) \(([A-D])\)\. \\boxed\{\2\}/g)];
      expect(queries).toHaveLength(3);
      for (const [, name, letter] of queries) expect(listed.get(name)).toBe(letter);
    }
  });

  it('builds adjacent-mark rows that name each choice once before any repeats', () => {
    // Characters, except that a spaced letter before a full stop is one token, as in the world tokenizer.
    const vocab: string[] = [];
    const id = (t: string) => (vocab.includes(t) ? vocab.indexOf(t) : vocab.push(t) - 1);
    const encode = (t: string) => (t.match(/ [A-H](?=\.|$)|[\s\S]/gu) ?? []).map(id);
    id('<pad>');
    const b = choiceLookupBatch(encode, ['Geba', 'Pojepas', '83', 'red', 'Nibo'], 5, 4, 4, streamFor(5, 'init', 'test'), 0, false, 'adjacent');
    expect(b.lossTokens).toBe(5 * 4 * 2);
    const lookups = boxedLetterPositions(b, (i) => vocab[i], 'adjacent');
    expect(lookups).toHaveLength(5 * 4);
    for (let r = 0; r < b.B; r++) {
      const text = b.ids[r].filter((i) => i !== 0).map((i) => vocab[i]).join('');
      const listed = new Map([...text.matchAll(/^([A-D])\) (.+)$/gm)].map((m) => [m[2], m[1]]));
      const named = [...text.matchAll(/So the answer is (.+?) ([A-D])\. \\boxed\{\2\}/g)];
      expect(named.map((m) => m[2]).sort()).toEqual(['A', 'B', 'C', 'D']);
      for (const [, name, letter] of named) expect(listed.get(name)).toBe(letter);
    }
  });

  it('masks the softmax to the allowed outputs', () => {
    const m = outputMask(6, [1, 4]);
    expect(Array.from(m)).toEqual([-1e4, 0, -1e4, -1e4, 0, -1e4]);
    expect(() => outputMask(6, [6])).toThrow(/outside the vocabulary of 6/);
  });
});
