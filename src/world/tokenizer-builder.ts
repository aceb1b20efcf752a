// A compact byte-level BPE tokenizer.json fitted to the world's language, trained here in plain JS
// (@huggingface/tokenizers can only load tokenizer files). Byte-level means every string encodes and
// decode(encode(x)) == x exactly. Digits never merge, so numbers are split into single digits.
// The lab's fixed prompt text (compact Generator template, §3.5 Solver prompt) and the JSON skeleton
// of a Generator reply are non-special added tokens: a world prompt costs its document or question
// plus a handful of tokens, which is what makes pretraining on a software adapter affordable.
// Called by scripts/build-world.ts and scripts/train-anchors.ts; checked by tokenizer-builder.test.ts.
import { buildGeneratorMessages, buildSolverMessages, solverUserMessage } from '../infuser/prompts.ts';

export const EOS_TOKEN = '<|im_end|>';
export const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', EOS_TOKEN, '<|pad|>'] as const;
export const PAD_TOKEN = '<|pad|>';

/** ChatML, as Qwen and SmolLM ship it. */
export const CHAT_TEMPLATE =
  "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}" +
  '{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

/** The JSON pieces every Generator reply is built from (sft.ts questionJson). */
export const JSON_SKELETON = ['{"question_text": "', '", "choices": ["', '", "', '"], "ground_truth": "', '"}'] as const;

const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's byte → printable character table. */
export function byteChars(): string[] {
  const printable: number[] = [];
  for (let c = 0x21; c <= 0x7e; c++) printable.push(c);
  for (let c = 0xa1; c <= 0xac; c++) printable.push(c);
  for (let c = 0xae; c <= 0xff; c++) printable.push(c);
  let next = 256;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(printable.includes(b) ? b : next++));
}

function splitAround(text: string, marker: string): [string, string] {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`tokenizer-builder: marker missing from prompt text`);
  return [text.slice(0, at), text.slice(at + marker.length)];
}

/** The fixed prompt strings that become single tokens, read from prompts.ts so they never drift. */
export function promptPhrases(): string[] {
  const DOC = '\u0001DOC\u0001';
  const [genSystem, genUser] = buildGeneratorMessages(DOC, 'compact');
  const [genBefore, genAfter] = splitAround(genUser.content, DOC);
  const Q = '\u0001Q\u0001';
  const LAST = '\u0001C\u0001';
  const solverSystem = buildSolverMessages('q', ['a', 'b'])[0].content;
  const [solverBefore] = splitAround(solverUserMessage(Q, ['x', LAST]), Q);
  const [, solverAfter] = splitAround(solverUserMessage(Q, ['x', LAST]), LAST);
  return [genSystem.content, genBefore, genAfter, solverSystem, solverBefore, solverAfter];
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Byte-level pieces of `text` as the tokenizer's pre-tokenizer makes them, added tokens removed. */
function pieces(text: string, added: RegExp, chars: string[]): string[] {
  const enc = new TextEncoder();
  const out: string[] = [];
  for (const part of text.split(added)) {
    for (const m of part.match(GPT2_PATTERN) ?? []) out.push(Array.from(enc.encode(m), (b) => chars[b]).join(''));
  }
  return out;
}

const hasDigit = (s: string) => /[0-9]/.test(s);

/** Learns up to `maxMerges` merges from word counts (most frequent pair first; ties by text). */
function learnMerges(words: Map<string, number>, maxMerges: number): [string, string][] {
  const seqs = [...words].map(([w, n]) => ({ syms: [...w], n }));
  const merges: [string, string][] = [];
  while (merges.length < maxMerges) {
    const counts = new Map<string, number>();
    for (const { syms, n } of seqs) {
      for (let i = 0; i + 1 < syms.length; i++) {
        if (hasDigit(syms[i]) || hasDigit(syms[i + 1])) continue;
        const key = `${syms[i]} ${syms[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + n);
      }
    }
    let best = '';
    let bestN = 1;
    for (const [k, n] of counts) if (n > bestN || (n === bestN && n > 1 && k < best)) [best, bestN] = [k, n];
    if (best === '') break;
    const [a, b] = best.split(' ');
    merges.push([a, b]);
    for (const s of seqs) {
      for (let i = 0; i + 1 < s.syms.length; i++) {
        if (s.syms[i] === a && s.syms[i + 1] === b) s.syms.splice(i, 2, a + b);
      }
    }
  }
  return merges;
}

const addedToken = (id: number, content: string, special: boolean) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special,
});

export interface BuiltTokenizer { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> }

/** tokenizer.json + tokenizer_config.json for a corpus of world texts. */
export function buildTokenizer(corpus: readonly string[], maxMerges = 1200): BuiltTokenizer {
  const phrases = [...promptPhrases(), ...JSON_SKELETON];
  const addedAll = [...SPECIAL_TOKENS, ...phrases].sort((x, y) => y.length - x.length);
  const added = new RegExp(addedAll.map(escapeRegex).join('|'), 'g');
  const chars = byteChars();
  const words = new Map<string, number>();
  for (const text of corpus) for (const p of pieces(text, added, chars)) words.set(p, (words.get(p) ?? 0) + 1);
  const merges = learnMerges(words, maxMerges);
  const vocab: Record<string, number> = {};
  chars.forEach((ch, b) => (vocab[ch] = b));
  for (const [a, b] of merges) vocab[a + b] ??= Object.keys(vocab).length;
  let next = Object.keys(vocab).length;
  const addedTokens = [
    ...SPECIAL_TOKENS.map((t) => addedToken(next++, t, true)),
    ...phrases.map((t) => addedToken(next++, t, false)),
  ];
  const tokenizerJson = {
    version: '1.0', truncation: null, padding: null, added_tokens: addedTokens, normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
  const tokenizerConfig = {
    add_prefix_space: false, bos_token: null, eos_token: EOS_TOKEN, pad_token: PAD_TOKEN, unk_token: null,
    additional_special_tokens: ['<|im_start|>', EOS_TOKEN], chat_template: CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false, model_max_length: 512, tokenizer_class: 'PreTrainedTokenizerFast',
  };
  return { tokenizerJson, tokenizerConfig };
}
