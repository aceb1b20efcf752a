// TextTokenizer: a Hugging Face tokenizer.json + tokenizer_config.json pair, wrapping
// @huggingface/tokenizers for encode/decode and resolving the special tokens (bos/eos/pad) and the
// chat template that prompts and stopping rules need. hf-folder.ts builds it from a model folder.
// The raw JSON objects are kept so a saved folder carries the tokenizer unchanged.
import { Tokenizer } from '@huggingface/tokenizers';

export interface TokenizerSource {
  /** Parsed tokenizer.json. */
  tokenizerJson: unknown;
  /** Parsed tokenizer_config.json (optional: some folders ship only tokenizer.json). */
  tokenizerConfig?: unknown;
  /** Contents of chat_template.jinja, which newer transformers write instead of the config field. */
  chatTemplate?: string | null;
  /** Further end-of-sequence ids, e.g. from generation_config.json. */
  extraEosIds?: readonly number[];
}

export interface EncodeOptions {
  /** Add the post-processor's special tokens (e.g. a BOS). Default false: chat templates already
   * render them as text, and special-token text inside `text` is always recognised. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
}

type Json = Record<string, unknown>;

function asObject(value: unknown, file: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${file}: expected a JSON object at the top level`);
  }
  return value as Json;
}

/** A special-token field is a string, an AddedToken object {content, …}, or null. */
function tokenText(config: Json, field: string): string | null {
  const v = config[field];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  throw new Error(`tokenizer_config.json: field "${field}" must be a string or {"content": …}, got ${JSON.stringify(v)}`);
}

function pickChatTemplate(config: Json): string | null {
  const t = config.chat_template;
  if (t === undefined || t === null) return null;
  if (typeof t === 'string') return t;
  // Older configs list named templates: [{name: "default", template: "…"}, {name: "tool_use", …}].
  if (Array.isArray(t)) {
    const named = t as { name?: unknown; template?: unknown }[];
    const chosen = named.find((x) => x.name === 'default') ?? named[0];
    if (chosen && typeof chosen.template === 'string') return chosen.template;
  }
  throw new Error('tokenizer_config.json: field "chat_template" must be a string or a list of {name, template}');
}

/** The library requires these keys to exist, even when null. */
function completeTokenizerJson(json: Json): Json {
  if (json.model === null || typeof json.model !== 'object') {
    throw new Error('tokenizer.json: field "model" is missing; is this a Hugging Face tokenizers file?');
  }
  const out: Json = { added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, ...json };
  if (!Array.isArray(out.added_tokens)) throw new Error('tokenizer.json: field "added_tokens" must be a list');
  return out;
}

export class TextTokenizer {
  readonly bosToken: string | null;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  readonly bosId: number | null;
  readonly padId: number | null;
  /** Every id that ends generation: tokenizer_config's eos_token first, then any extra ids. */
  readonly eosIds: number[];
  readonly chatTemplate: string | null;
  /** Added tokens marked special in tokenizer.json, content → id. */
  readonly specialTokens: ReadonlyMap<string, number>;
  private vocabSizeCache: number | null = null;

  private constructor(
    private readonly inner: Tokenizer,
    readonly tokenizerJson: Json,
    readonly tokenizerConfig: Json,
    chatTemplateFile: string | null | undefined,
    extraEosIds: readonly number[],
  ) {
    this.bosToken = tokenText(tokenizerConfig, 'bos_token');
    this.eosToken = tokenText(tokenizerConfig, 'eos_token');
    this.padToken = tokenText(tokenizerConfig, 'pad_token');
    this.bosId = this.requireId(this.bosToken, 'bos_token');
    this.padId = this.requireId(this.padToken, 'pad_token');
    const eosId = this.requireId(this.eosToken, 'eos_token');
    this.eosIds = [...new Set([...(eosId === null ? [] : [eosId]), ...extraEosIds])];
    this.chatTemplate = chatTemplateFile ?? pickChatTemplate(tokenizerConfig);
    const special = new Map<string, number>();
    for (const [id, tok] of inner.get_added_tokens_decoder()) if (tok.special) special.set(tok.content, id);
    this.specialTokens = special;
  }

  /** Builds a tokenizer from parsed JSON; errors name the file and field at fault. */
  static fromJson(source: TokenizerSource): TextTokenizer {
    const json = completeTokenizerJson(asObject(source.tokenizerJson, 'tokenizer.json'));
    const config = asObject(source.tokenizerConfig ?? {}, 'tokenizer_config.json');
    const libConfig: Json = {
      ...config,
      // Normalise AddedToken objects to strings, which is all the library understands.
      ...Object.fromEntries(['bos_token', 'eos_token', 'pad_token', 'unk_token'].map((f) => [f, tokenText(config, f) ?? undefined])),
      additional_special_tokens: Array.isArray(config.additional_special_tokens)
        ? config.additional_special_tokens.map((t) => (typeof t === 'string' ? t : (t as Json).content))
        : [],
      // transformers keeps decode(encode(x)) == x for LLM tokenizers; the library would default to true.
      clean_up_tokenization_spaces: config.clean_up_tokenization_spaces ?? false,
    };
    let inner: Tokenizer;
    try {
      inner = new Tokenizer(json, libConfig);
    } catch (e) {
      throw new Error(`tokenizer.json: could not build the tokenizer (${(e as Error).message})`);
    }
    return new TextTokenizer(inner, json, config, source.chatTemplate, source.extraEosIds ?? []);
  }

  private requireId(token: string | null, field: string): number | null {
    if (token === null) return null;
    const id = this.inner.token_to_id(token);
    if (id === undefined) throw new Error(`tokenizer_config.json: ${field} ${JSON.stringify(token)} is not in tokenizer.json's vocabulary`);
    return id;
  }

  /** Token ids for `text`. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.inner.encode(text, { add_special_tokens: options.addSpecialTokens ?? false }).ids;
  }

  /** Text for `ids`; an empty list decodes to "". */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    if (ids.length === 0) return '';
    return this.inner.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  tokenToId(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.inner.id_to_token(id);
  }

  /** One more than the largest id in the vocabulary, added tokens included. */
  get vocabSize(): number {
    if (this.vocabSizeCache === null) {
      let max = -1;
      for (const id of this.inner.get_vocab(true).values()) max = Math.max(max, id);
      this.vocabSizeCache = max + 1;
    }
    return this.vocabSizeCache;
  }

  isEos(id: number): boolean {
    return this.eosIds.includes(id);
  }
}
