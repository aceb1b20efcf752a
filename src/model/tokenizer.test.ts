import { describe, expect, it } from 'vitest';
import { TINY_CHAT_TEMPLATE, TINY_IDS, tinyTokenizerConfig, tinyTokenizerJson } from './tiny-bpe-fixture.ts';
import { TextTokenizer } from './tokenizer.ts';

const make = (extra: Partial<Parameters<typeof TextTokenizer.fromJson>[0]> = {}) =>
  TextTokenizer.fromJson({ tokenizerJson: tinyTokenizerJson(), tokenizerConfig: tinyTokenizerConfig(), ...extra });

// Byte b has id b in the fixture, so plain characters are their char codes.
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

describe('TextTokenizer', () => {
  it('applies the merges in rank order: "hello world" -> hello, Ġwor, l, d', () => {
    expect(make().encode('hello world')).toEqual([TINY_IDS.hello, TINY_IDS.spaceWor, ...ascii('ld')]);
  });

  it('maps bytes without merges to their byte ids, newline via Ċ', () => {
    expect(make().encode('hi\n')).toEqual([104, 105, 10]);
  });

  it('round-trips text, including multi-byte UTF-8 and spacing', () => {
    const tok = make();
    for (const text of ['hello world', '  two  spaces ', 'héllo wörld 🙂', 'a .b ,c', 'line1\n\nline2\t!', '']) {
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
    // é is two UTF-8 bytes, C3 A9, each its own token.
    expect(tok.encode('é')).toEqual([0xc3, 0xa9]);
  });

  it('recognises special tokens inside text and can skip them when decoding', () => {
    const tok = make();
    const ids = tok.encode('<|im_start|>user\nhi<|im_end|>');
    expect(ids).toEqual([TINY_IDS.imStart, ...ascii('user'), 10, ...ascii('hi'), TINY_IDS.imEnd]);
    expect(tok.decode(ids)).toBe('<|im_start|>user\nhi<|im_end|>');
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('user\nhi');
  });

  it('adds the post-processor BOS only when asked', () => {
    const tok = make();
    expect(tok.encode('hi', { addSpecialTokens: true })).toEqual([TINY_IDS.endOfText, 104, 105]);
    expect(tok.encode('hi')).toEqual([104, 105]);
  });

  it('resolves eos/pad/bos, special tokens, chat template and vocab size', () => {
    const tok = make({ extraEosIds: [TINY_IDS.endOfText, TINY_IDS.imEnd] });
    expect(tok.eosIds).toEqual([TINY_IDS.imEnd, TINY_IDS.endOfText]);
    expect(tok.isEos(TINY_IDS.endOfText)).toBe(true);
    expect(tok.padId).toBe(TINY_IDS.endOfText);
    expect(tok.bosId).toBeNull();
    expect(tok.chatTemplate).toBe(TINY_CHAT_TEMPLATE);
    expect([...tok.specialTokens.entries()]).toEqual([
      ['<|endoftext|>', 263], ['<|im_start|>', 264], ['<|im_end|>', 265],
    ]);
    expect(tok.vocabSize).toBe(266);
    expect(tok.idToToken(TINY_IDS.spaceWor)).toBe('Ġwor');
    expect(tok.tokenToId('hello')).toBe(TINY_IDS.hello);
  });

  it('prefers chat_template.jinja and reads the list-of-templates form', () => {
    expect(make({ chatTemplate: 'X' }).chatTemplate).toBe('X');
    const config = { ...tinyTokenizerConfig(), chat_template: [{ name: 'tool_use', template: 'T' }, { name: 'default', template: 'D' }] };
    expect(make({ tokenizerConfig: config }).chatTemplate).toBe('D');
    expect(make({ tokenizerConfig: {} }).chatTemplate).toBeNull();
  });

  it('names the file and field for bad input', () => {
    expect(() => make({ tokenizerConfig: { eos_token: '<|nope|>' } }))
      .toThrow(/tokenizer_config\.json: eos_token "<\|nope\|>" is not in tokenizer\.json's vocabulary/);
    expect(() => make({ tokenizerJson: { added_tokens: [] } })).toThrow(/tokenizer\.json: field "model" is missing/);
    expect(() => make({ tokenizerJson: [] })).toThrow(/tokenizer\.json: expected a JSON object/);
    expect(() => make({ tokenizerConfig: { chat_template: 5 } })).toThrow(/field "chat_template"/);
  });
});
