// A minimal byte-level tokenizer.json for freshly initialised models (CLI `init-model`): byte b is token
// b (GPT-2's printable byte alphabet, no merges), then three ChatML specials. Any text round-trips, so
// a random model can be driven end to end through `generate --chat` without a downloaded tokenizer.
// Layout: ids 0..255 bytes, 256 <|endoftext|> (pad), 257 <|im_start|>, 258 <|im_end|> (eos).

export const BYTE_TOKENIZER_VOCAB = 259;
export const BYTE_TOKENIZER_IDS = { endOfText: 256, imStart: 257, imEnd: 258 } as const;

const CHAT_TEMPLATE =
  "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}" +
  '{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

/** GPT-2's byte → printable character table (printable bytes map to themselves, the rest from U+0100). */
function byteChars(): string[] {
  const isPrintable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const chars: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) chars.push(String.fromCodePoint(isPrintable(b) ? b : next++));
  return chars;
}

const special = (id: number, content: string) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
});

/** tokenizer.json of the byte-level tokenizer described in the file header. */
export function byteTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  byteChars().forEach((ch, b) => (vocab[ch] = b));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      special(BYTE_TOKENIZER_IDS.endOfText, '<|endoftext|>'),
      special(BYTE_TOKENIZER_IDS.imStart, '<|im_start|>'),
      special(BYTE_TOKENIZER_IDS.imEnd, '<|im_end|>'),
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [],
    },
  };
}

/** tokenizer_config.json naming the specials and the ChatML chat template. */
export function byteTokenizerConfig(): Record<string, unknown> {
  return {
    add_prefix_space: false,
    bos_token: null,
    eos_token: '<|im_end|>',
    pad_token: '<|endoftext|>',
    additional_special_tokens: ['<|im_start|>', '<|im_end|>'],
    chat_template: CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    model_max_length: 1_000_000,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
}
