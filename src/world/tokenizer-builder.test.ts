import { describe, expect, it } from 'vitest';
import { buildTokenizer, byteChars, promptPhrases, EOS_TOKEN, PAD_TOKEN, JSON_SKELETON } from './tokenizer-builder.ts';
import { buildWorld } from './documents.ts';
import { buildSftExamples, generatorPrompt, solverPrompt } from './sft.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import { parseGeneratorResponse } from '../infuser/question-parser.ts';
import { scoreResponse } from '../infuser/answer-extraction.ts';
import { renderChat, buildSolverMessages } from '../infuser/prompts.ts';

const world = buildWorld();
const sft = buildSftExamples(world, { generatorExamples: 300, solverExamples: 300 });
const corpus = [...world.documents.map((d) => d.content), ...sft.flatMap((x) => [x.prompt, x.response])];
const built = buildTokenizer(corpus, 600);
const tok = TextTokenizer.fromJson({ tokenizerJson: built.tokenizerJson, tokenizerConfig: built.tokenizerConfig });
const roundTrip = (text: string) => tok.decode(tok.encode(text));

describe('world tokenizer', () => {
  it('loads through TextTokenizer with a compact vocabulary, ChatML template and eos/pad tokens', () => {
    expect(tok.vocabSize).toBeGreaterThan(300);
    expect(tok.vocabSize).toBeLessThanOrEqual(256 + 600 + 4 + promptPhrases().length + JSON_SKELETON.length);
    expect(tok.eosIds).toEqual([tok.tokenToId(EOS_TOKEN)]);
    expect(tok.padId).toBe(tok.tokenToId(PAD_TOKEN));
    expect(tok.chatTemplate).toContain('<|im_start|>');
  });

  it('decode(encode(x)) == x on every document, dev prompt and SFT prompt and reply', () => {
    for (const d of world.documents) expect(roundTrip(d.content)).toBe(d.content);
    for (const q of world.dev) {
      const p = solverPrompt(q.question_text, q.choices);
      expect(roundTrip(p)).toBe(p);
    }
    for (const x of sft) {
      expect(roundTrip(x.prompt)).toBe(x.prompt);
      expect(roundTrip(x.response)).toBe(x.response);
    }
  });

  it('round-trips text outside the world too (byte-level: nothing is unknown)', () => {
    for (const text of ['Ünïcode ✓ and emoji 🚀', 'x = {"a": [1, 2]}\n\ttabs', '\\frac{1}{2} \\boxed{B}']) expect(roundTrip(text)).toBe(text);
  });

  it('splits numbers into single digits', () => {
    const ids = tok.encode('year 2026');
    const pieces = ids.map((id) => tok.decode([id]));
    expect(pieces.slice(-4)).toEqual(['2', '0', '2', '6']);
  });

  it('makes each fixed prompt phrase one token, so a prompt costs its document plus a few tokens', () => {
    const doc = world.documents[2].content;
    const docTokens = tok.encode(doc).length;
    expect(tok.encode(generatorPrompt(doc)).length).toBeLessThanOrEqual(docTokens + 16);
    for (const phrase of promptPhrases()) expect(tok.encode(phrase)).toHaveLength(1);
    const q = world.dev[0];
    const rendered = renderChat(buildSolverMessages(q.question_text, q.choices), tok.chatTemplate);
    expect(tok.encode(rendered).length).toBeLessThan(80);
  });

  it('the parser and the answer extractor work on decoded replies', () => {
    const gen = sft.find((x) => x.role === 'generator')!;
    const parsed = parseGeneratorResponse(tok.decode(tok.encode(gen.response), { skipSpecialTokens: true }));
    expect(parsed.ok).toBe(true);
    const json = JSON.parse(gen.response.replace(EOS_TOKEN, ''));
    if (parsed.ok) expect(parsed.ground_truth).toBe(json.ground_truth);
    const sol = sft.find((x) => x.role === 'solver')!;
    const letter = sol.response.match(/\\boxed\{([A-D])\}/)![1];
    expect(scoreResponse(tok.decode(tok.encode(sol.response), { skipSpecialTokens: true }), letter)).toBe(1);
  });

  it('uses GPT-2 byte characters for all 256 bytes', () => {
    const chars = byteChars();
    expect(new Set(chars).size).toBe(256);
    expect(chars[32]).toBe('Ġ');
    expect(chars[10]).toBe('Ċ');
  });
});
