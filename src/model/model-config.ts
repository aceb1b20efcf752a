// ModelConfig: the shape of a Llama-family checkpoint, read from a Hugging Face config.json.
// Called by hf-folder.ts (load/save) and by the engine's llama forward; Qwen2/Qwen3 differences are
// flags (qkvBias, qkNorm, tied), never subclasses. parameterSpecs() fixes the one parameter order
// (PyTorch named_parameters order) that gradients, AdamW moments and exports all share.
// Invariants: numAttentionHeads % numKeyValueHeads === 0; names are exact Hugging Face names.

export type Architecture = 'LlamaForCausalLM' | 'Qwen2ForCausalLM' | 'Qwen3ForCausalLM';
export type TorchDtype = 'float32' | 'float16' | 'bfloat16';

export interface ModelConfig {
  architecture: Architecture;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
  /** The raw `attention_bias` field; Qwen2 has q/k/v bias regardless (see qkvBias). */
  attentionBias: boolean;
  tieWordEmbeddings: boolean;
  bosTokenId: number | null;
  /** `eos_token_id` as a list (config.json may hold a number or a list). */
  eosTokenIds: number[];
  torchDtype: TorchDtype;
  /** q_proj/k_proj/v_proj carry a bias (Qwen2). */
  qkvBias: boolean;
  /** Per-head RMSNorm on q and k before RoPE (Qwen3). */
  qkNorm: boolean;
  /** lm_head shares model.embed_tokens.weight (no lm_head.weight tensor). */
  tied: boolean;
}

export interface ParameterSpec {
  name: string;
  shape: number[];
}

const MODEL_TYPES: Record<Architecture, string> = {
  LlamaForCausalLM: 'llama',
  Qwen2ForCausalLM: 'qwen2',
  Qwen3ForCausalLM: 'qwen3',
};

const DEFAULT_MAX_POSITIONS: Record<Architecture, number> = {
  LlamaForCausalLM: 2048,
  Qwen2ForCausalLM: 32768,
  Qwen3ForCausalLM: 32768,
};

type Json = Record<string, unknown>;

function fail(field: string, problem: string): never {
  throw new Error(`config.json: field "${field}" ${problem}`);
}

function positiveInt(raw: Json, field: string, fallback?: number): number {
  const v = raw[field] ?? fallback;
  if (v === undefined) fail(field, 'is missing; it is required for this architecture');
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    fail(field, `must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

function positiveNumber(raw: Json, field: string, fallback: number): number {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    fail(field, `must be a positive number, got ${JSON.stringify(v)}`);
  }
  return v;
}

function bool(raw: Json, field: string, fallback: boolean): boolean {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'boolean') fail(field, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function tokenIds(raw: Json, field: string): number[] {
  const v = raw[field];
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const id of list) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      fail(field, `must be a token id or a list of token ids, got ${JSON.stringify(v)}`);
    }
  }
  return list as number[];
}

function readArchitecture(raw: Json): Architecture {
  const archs = raw.architectures;
  const supported = Object.keys(MODEL_TYPES) as Architecture[];
  if (archs === undefined) {
    // Some hand-written configs only name model_type.
    const byType = supported.find((a) => MODEL_TYPES[a] === raw.model_type);
    if (byType) return byType;
    fail('architectures', `is missing and model_type ${JSON.stringify(raw.model_type)} is not one of llama, qwen2, qwen3`);
  }
  if (!Array.isArray(archs) || archs.length !== 1) {
    fail('architectures', `must list exactly one architecture, got ${JSON.stringify(archs)}`);
  }
  const arch = archs[0] as Architecture;
  if (!supported.includes(arch)) {
    fail('architectures', `names ${JSON.stringify(archs[0])}, which is not supported; use one of ${supported.join(', ')}`);
  }
  return arch;
}

function readDtype(raw: Json): TorchDtype {
  // transformers >= 4.56 writes "dtype"; older versions write "torch_dtype".
  const field = raw.torch_dtype !== undefined ? 'torch_dtype' : 'dtype';
  const v = raw[field] ?? 'float32';
  if (v !== 'float32' && v !== 'float16' && v !== 'bfloat16') {
    fail(field, `must be float32, float16 or bfloat16, got ${JSON.stringify(v)}`);
  }
  return v;
}

function readRopeTheta(raw: Json): number {
  // transformers 5 moves rope settings into rope_parameters; older configs use rope_scaling.
  for (const field of ['rope_scaling', 'rope_parameters']) {
    const rope = raw[field];
    if (rope === undefined || rope === null) continue;
    if (typeof rope !== 'object') fail(field, `must be an object or null, got ${JSON.stringify(rope)}`);
    const r = rope as Json;
    const kind = r.rope_type ?? r.type ?? 'default';
    if (kind !== 'default') {
      fail(`${field}.rope_type`, `is ${JSON.stringify(kind)}; only plain RoPE ("default" or null rope_scaling) is supported`);
    }
    if (field === 'rope_parameters' && r.rope_theta !== undefined && raw.rope_theta === undefined) {
      return positiveNumber(r, 'rope_theta', 10000);
    }
  }
  return positiveNumber(raw, 'rope_theta', 10000);
}

function rejectUnsupported(raw: Json, arch: Architecture): void {
  const act = raw.hidden_act ?? 'silu';
  if (act !== 'silu') fail('hidden_act', `is ${JSON.stringify(act)}; only "silu" (SwiGLU MLP) is supported`);
  if (raw.mlp_bias === true) fail('mlp_bias', 'is true; MLP biases are not supported');
  if (raw.use_sliding_window === true) fail('use_sliding_window', 'is true; sliding-window attention is not supported');
  if (arch !== 'Qwen2ForCausalLM' && raw.attention_bias === true) {
    fail('attention_bias', `is true for ${arch}, which would add an o_proj bias; this is not supported`);
  }
}

/** Parse a config.json object into a ModelConfig, rejecting anything the engine cannot run. */
export function parseModelConfig(raw: unknown): ModelConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error('config.json: expected a JSON object at the top level');
  }
  const j = raw as Json;
  const architecture = readArchitecture(j);
  rejectUnsupported(j, architecture);
  const hiddenSize = positiveInt(j, 'hidden_size');
  const numAttentionHeads = positiveInt(j, 'num_attention_heads');
  const numKeyValueHeads = positiveInt(j, 'num_key_value_heads', numAttentionHeads);
  if (numAttentionHeads % numKeyValueHeads !== 0) {
    fail('num_key_value_heads', `(${numKeyValueHeads}) must divide num_attention_heads (${numAttentionHeads})`);
  }
  if (j.head_dim == null && hiddenSize % numAttentionHeads !== 0) {
    fail('head_dim', `is missing and hidden_size (${hiddenSize}) is not divisible by num_attention_heads (${numAttentionHeads})`);
  }
  const attentionBias = bool(j, 'attention_bias', false);
  const tieWordEmbeddings = bool(j, 'tie_word_embeddings', false);
  const bos = tokenIds(j, 'bos_token_id');
  return {
    architecture,
    vocabSize: positiveInt(j, 'vocab_size'),
    hiddenSize,
    intermediateSize: positiveInt(j, 'intermediate_size'),
    numHiddenLayers: positiveInt(j, 'num_hidden_layers'),
    numAttentionHeads,
    numKeyValueHeads,
    headDim: positiveInt({ head_dim: j.head_dim ?? undefined }, 'head_dim', hiddenSize / numAttentionHeads),
    rmsNormEps: positiveNumber(j, 'rms_norm_eps', 1e-6),
    ropeTheta: readRopeTheta(j),
    maxPositionEmbeddings: positiveInt(j, 'max_position_embeddings', DEFAULT_MAX_POSITIONS[architecture]),
    attentionBias,
    tieWordEmbeddings,
    bosTokenId: bos.length > 0 ? bos[0] : null,
    eosTokenIds: tokenIds(j, 'eos_token_id'),
    torchDtype: readDtype(j),
    qkvBias: architecture === 'Qwen2ForCausalLM' || attentionBias,
    qkNorm: architecture === 'Qwen3ForCausalLM',
    tied: tieWordEmbeddings,
  };
}

/** A config.json object that transformers loads back into the same architecture and shapes. */
export function toHfConfig(cfg: ModelConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {
    architectures: [cfg.architecture],
    model_type: MODEL_TYPES[cfg.architecture],
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    intermediate_size: cfg.intermediateSize,
    num_hidden_layers: cfg.numHiddenLayers,
    num_attention_heads: cfg.numAttentionHeads,
    num_key_value_heads: cfg.numKeyValueHeads,
    head_dim: cfg.headDim,
    hidden_act: 'silu',
    max_position_embeddings: cfg.maxPositionEmbeddings,
    initializer_range: 0.02,
    rms_norm_eps: cfg.rmsNormEps,
    rope_theta: cfg.ropeTheta,
    rope_scaling: null,
    attention_bias: cfg.attentionBias,
    attention_dropout: 0.0,
    tie_word_embeddings: cfg.tieWordEmbeddings,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenIds.length === 1 ? cfg.eosTokenIds[0] : cfg.eosTokenIds,
    use_cache: true,
    torch_dtype: cfg.torchDtype,
  };
  if (cfg.architecture === 'LlamaForCausalLM') {
    Object.assign(out, { mlp_bias: false, pretraining_tp: 1 });
  } else {
    Object.assign(out, {
      use_sliding_window: false,
      sliding_window: null,
      max_window_layers: cfg.numHiddenLayers,
    });
  }
  return out;
}

function layerSpecs(cfg: ModelConfig, i: number): ParameterSpec[] {
  const C = cfg.hiddenSize;
  const D = cfg.headDim;
  const qOut = cfg.numAttentionHeads * D;
  const kvOut = cfg.numKeyValueHeads * D;
  const F = cfg.intermediateSize;
  const p = `model.layers.${i}.`;
  const specs: ParameterSpec[] = [];
  const add = (name: string, shape: number[]) => specs.push({ name: p + name, shape });
  // HF Linear weights are [out, in].
  add('self_attn.q_proj.weight', [qOut, C]);
  if (cfg.qkvBias) add('self_attn.q_proj.bias', [qOut]);
  add('self_attn.k_proj.weight', [kvOut, C]);
  if (cfg.qkvBias) add('self_attn.k_proj.bias', [kvOut]);
  add('self_attn.v_proj.weight', [kvOut, C]);
  if (cfg.qkvBias) add('self_attn.v_proj.bias', [kvOut]);
  add('self_attn.o_proj.weight', [C, qOut]);
  if (cfg.qkNorm) {
    add('self_attn.q_norm.weight', [D]);
    add('self_attn.k_norm.weight', [D]);
  }
  add('mlp.gate_proj.weight', [F, C]);
  add('mlp.up_proj.weight', [F, C]);
  add('mlp.down_proj.weight', [C, F]);
  add('input_layernorm.weight', [C]);
  add('post_attention_layernorm.weight', [C]);
  return specs;
}

/** Every trainable parameter in PyTorch named_parameters order, with Hugging Face names and shapes. */
export function parameterSpecs(cfg: ModelConfig): ParameterSpec[] {
  const specs: ParameterSpec[] = [{ name: 'model.embed_tokens.weight', shape: [cfg.vocabSize, cfg.hiddenSize] }];
  for (let i = 0; i < cfg.numHiddenLayers; i++) specs.push(...layerSpecs(cfg, i));
  specs.push({ name: 'model.norm.weight', shape: [cfg.hiddenSize] });
  if (!cfg.tied) specs.push({ name: 'lm_head.weight', shape: [cfg.vocabSize, cfg.hiddenSize] });
  return specs;
}

/** Total number of parameter elements (tied embeddings counted once). */
export function parameterCount(cfg: ModelConfig): number {
  let n = 0;
  for (const s of parameterSpecs(cfg)) n += s.shape.reduce((a, b) => a * b, 1);
  return n;
}
