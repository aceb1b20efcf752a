// Test fixture: a tiny byte-level BPE tokenizer.json written out by hand, in the shape SmolLM2 and
// Qwen ship (ByteLevel pre-tokenizer and decoder). Byte b has id b; merges build "hello" and "Ġwor";
// ids 263–265 are special. Used by tokenizer.test.ts and hf-folder.test.ts only.

/** GPT-2's byte → printable character table, rebuilt from its published definition. */
function byteChars(): string[] {
  const printable: number[] = [];
  for (let c = 0x21; c <= 0x7e; c++) printable.push(c);
  for (let c = 0xa1; c <= 0xac; c++) printable.push(c);
  for (let c = 0xae; c <= 0xff; c++) printable.push(c);
  const chars: string[] = new Array(256);
  let next = 256;
  for (let b = 0; b < 256; b++) chars[b] = String.fromCodePoint(printable.includes(b) ? b : next++);
  return chars;
}

export const TINY_IDS = { hello: 259, spaceWor: 262, endOfText: 263, imStart: 264, imEnd: 265 } as const;

const special = (id: number, content: string) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
});

export function tinyTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  byteChars().forEach((ch, b) => (vocab[ch] = b));
  const merges = ['h e', 'l l', 'he ll', 'hell o', 'Ġ w', 'o r', 'Ġw or'];
  merges.forEach((m, i) => (vocab[m.replace(' ', '')] = 256 + i));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(263, '<|endoftext|>'), special(264, '<|im_start|>'), special(265, '<|im_end|>')],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|endoftext|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [263], tokens: ['<|endoftext|>'] } },
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges,
    },
  };
}

export const TINY_CHAT_TEMPLATE =
  "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}" +
  '{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

export function tinyTokenizerConfig(): Record<string, unknown> {
  return {
    add_prefix_space: false,
    bos_token: null,
    eos_token: '<|im_end|>',
    pad_token: { __type: 'AddedToken', content: '<|endoftext|>', special: true },
    additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
    chat_template: TINY_CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    model_max_length: 2048,
    tokenizer_class: 'GPT2Tokenizer',
  };
}
