// Float64 CPU reference of the Llama / Qwen2 / Qwen3 causal LM, computed the way Hugging Face
// transformers does it, built from reference-autograd.ts so one definition gives logits, the
// next-token loss and every parameter gradient. Engine kernels and the ONNX export are checked
// against it. Weights are keyed by HF names (Linear weights [out, in]); one unpadded sequence at a time,
// positions 0..T-1. Slow by design: it favours reading like the HF modelling code over speed.
import type { ModelConfig } from './model-config.ts';
import { parameterSpecs } from './model-config.ts';
import {
  add, causalSoftmax, concatCols, gather, logSoftmax, matmul, matmulT, mean, mul, pick, rmsnorm, rope,
  scale, silu, sliceCols, sliceRows, Tensor, tensor, type Floats,
} from './reference-autograd.ts';

export type Weights = Map<string, Float64Array | Float32Array>;

/**
 * RoPE tables [T, D] for positions 0..T-1: inv_freq_i = theta^(-2i/D) for i < D/2, angle = pos·inv_freq,
 * and both halves of each row hold the same cos (sin) values, as in HF's cat((freqs, freqs)).
 */
export function ropeTables(T: number, D: number, theta: number): { cos: Float64Array; sin: Float64Array } {
  const h = D / 2;
  const cos = new Float64Array(T * D);
  const sin = new Float64Array(T * D);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < h; i++) {
      const angle = t * theta ** (-(2 * i) / D);
      cos[t * D + i] = cos[t * D + i + h] = Math.cos(angle);
      sin[t * D + i] = sin[t * D + i + h] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** Wraps every weight as a leaf tensor of its spec shape, checking names and sizes. */
export function weightTensors(cfg: ModelConfig, weights: Weights): Map<string, Tensor> {
  const leaves = new Map<string, Tensor>();
  for (const spec of parameterSpecs(cfg)) {
    const data: Floats | undefined = weights.get(spec.name);
    if (!data) throw new Error(`reference model: weight "${spec.name}" is missing`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new Error(`reference model: weight "${spec.name}" has ${data.length} values, expected [${spec.shape.join(', ')}]`);
    }
    leaves.set(spec.name, tensor(data, spec.shape));
  }
  return leaves;
}

function param(leaves: Map<string, Tensor>, name: string): Tensor {
  const t = leaves.get(name);
  if (!t) throw new Error(`reference model: weight "${name}" is missing`);
  return t;
}

/** x [T, in] @ Wᵀ (+ b): torch.nn.Linear. */
function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  const y = matmulT(x, w);
  return b ? add(y, b) : y;
}

/** One decoder layer's self-attention on the normed input h [T, C] → [T, C]. */
function attention(cfg: ModelConfig, P: (n: string) => Tensor, h: Tensor, cos: Float64Array, sin: Float64Array): Tensor {
  const [H, KV, D] = [cfg.numAttentionHeads, cfg.numKeyValueHeads, cfg.headDim];
  const bias = (n: string) => (cfg.qkvBias ? P(`self_attn.${n}.bias`) : undefined);
  const q = linear(h, P('self_attn.q_proj.weight'), bias('q_proj')); // (T, H*D)
  const k = linear(h, P('self_attn.k_proj.weight'), bias('k_proj')); // (T, KV*D)
  const v = linear(h, P('self_attn.v_proj.weight'), bias('v_proj')); // (T, KV*D)
  // Qwen3 normalises each head over D before RoPE.
  const prepare = (x: Tensor, head: number, norm: string) => {
    let xh = sliceCols(x, head * D, D); // (T, D)
    if (cfg.qkNorm) xh = rmsnorm(xh, P(`self_attn.${norm}.weight`), cfg.rmsNormEps);
    return rope(xh, cos, sin);
  };
  const keys = Array.from({ length: KV }, (_, j) => prepare(k, j, 'k_norm'));
  const values = Array.from({ length: KV }, (_, j) => sliceCols(v, j * D, D));
  const heads: Tensor[] = [];
  for (let head = 0; head < H; head++) {
    const kvHead = Math.floor(head / (H / KV)); // repeat_kv: heads share KV heads in contiguous groups
    const scores = scale(matmulT(prepare(q, head, 'q_norm'), keys[kvHead]), 1 / Math.sqrt(D)); // (T, T)
    heads.push(matmul(causalSoftmax(scores), values[kvHead])); // (T, D)
  }
  return linear(concatCols(heads), P('self_attn.o_proj.weight'));
}

/** SwiGLU MLP: down(silu(gate(h)) * up(h)). */
function mlp(P: (n: string) => Tensor, h: Tensor): Tensor {
  const gate = linear(h, P('mlp.gate_proj.weight')); // (T, F)
  const up = linear(h, P('mlp.up_proj.weight')); // (T, F)
  return linear(mul(silu(gate), up), P('mlp.down_proj.weight'));
}

/** Logits [T, V] for one sequence, as a tensor wired to the leaves (for backward). */
export function forwardTensor(cfg: ModelConfig, leaves: Map<string, Tensor>, ids: readonly number[]): Tensor {
  if (ids.length === 0) throw new Error('reference model: the token sequence is empty');
  const eps = cfg.rmsNormEps;
  const { cos, sin } = ropeTables(ids.length, cfg.headDim, cfg.ropeTheta);
  const embed = param(leaves, 'model.embed_tokens.weight');
  let x = gather(embed, ids); // (T, C) residual stream
  for (let l = 0; l < cfg.numHiddenLayers; l++) {
    const P = (n: string) => param(leaves, `model.layers.${l}.${n}`);
    x = add(x, attention(cfg, P, rmsnorm(x, P('input_layernorm.weight'), eps), cos, sin));
    x = add(x, mlp(P, rmsnorm(x, P('post_attention_layernorm.weight'), eps)));
  }
  x = rmsnorm(x, param(leaves, 'model.norm.weight'), eps);
  return matmulT(x, cfg.tied ? embed : param(leaves, 'lm_head.weight')); // (T, V)
}

/** Logits [T, V] (row-major) for one sequence of token ids. */
export function referenceLogits(cfg: ModelConfig, weights: Weights, ids: readonly number[]): Float64Array {
  return forwardTensor(cfg, weightTensors(cfg, weights), ids).data as Float64Array;
}

/** Mean next-token cross-entropy of logits [T, V]: positions 0..T-2 predict ids 1..T-1 → scalar. */
export function nextTokenLoss(logits: Tensor, ids: readonly number[]): Tensor {
  if (ids.length < 2) throw new Error(`reference loss: needs at least 2 tokens, got ${ids.length}`);
  if (logits.rows !== ids.length) throw new Error(`reference loss: ${logits.rows} logit rows for ${ids.length} ids`);
  const logp = logSoftmax(sliceRows(logits, 0, ids.length - 1)); // (T-1, V)
  return scale(mean(pick(logp, ids.slice(1))), -1);
}

/** The loss, the logits and the gradient of the loss for every parameter (keyed by HF name), in float64. */
export function referenceLossAndGrads(
  cfg: ModelConfig,
  weights: Weights,
  ids: readonly number[],
): { loss: number; logits: Float64Array; grads: Map<string, Float64Array> } {
  const leaves = weightTensors(cfg, weights);
  const logits = forwardTensor(cfg, leaves, ids);
  const loss = nextTokenLoss(logits, ids);
  loss.backward();
  const grads = new Map<string, Float64Array>();
  for (const [name, leaf] of leaves) grads.set(name, leaf.grad ?? new Float64Array(leaf.size));
  return { loss: loss.data[0], logits: logits.data as Float64Array, grads };
}

/** The loss alone (no backward), e.g. for finite differences. */
export function referenceLoss(cfg: ModelConfig, weights: Weights, ids: readonly number[]): number {
  return nextTokenLoss(forwardTensor(cfg, weightTensors(cfg, weights), ids), ids).data[0];
}
