// Exports a Llama / Qwen2 / Qwen3 model as a standard ONNX graph (opset 17, plain ops only) that
// onnxruntime-web runs: `input_ids` int64 [batch, seq] → `logits` float [batch, seq, vocab], positions
// 0..seq-1, causal, no KV cache. Weights become initializers under their HF names (Linear weights stay
// [out, in] and feed Gemm with transB=1, so a tied embedding is stored once). Above the 2 GB protobuf
// limit the weights go to a separate `.onnx.data` file referenced by location/offset/length.
// The math mirrors reference-model.ts, which the tests compare against.
import type { ModelConfig } from './model-config.ts';
import { parameterSpecs } from './model-config.ts';
import {
  ATTR_INT, ATTR_INTS, encodeModel, ONNX_FLOAT, ONNX_INT64, type OnnxAttribute, type OnnxNode, type OnnxTensor,
} from './onnx-proto.ts';
import type { Weights } from './reference-model.ts';

export const ONNX_OPSET = 17;
const IR_VERSION = 8; // the IR that introduced opset 17 support; ORT 1.30 reads it
const FLOAT32_LOWEST = -3.4028234663852886e38; // HF masks with finfo(float32).min

export interface OnnxExportOptions {
  /** Move weights to an external data file when their total bytes exceed this (default 2e9). */
  externalDataThresholdBytes?: number;
  /** File name written into each external tensor's `location` (default "model.onnx.data"). */
  dataFileName?: string;
}

export interface OnnxExport {
  /** The ModelProto bytes (`model.onnx`). */
  model: Uint8Array;
  /** The weights file when external data was used: chunks to write back to back, in order. */
  externalData: { fileName: string; chunks: Uint8Array[]; byteLength: number } | null;
}

type Attrs = Record<string, number | number[]>;

/** Collects nodes and initializers; every op call returns its output's name. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private count = 0;

  op(opType: string, inputs: string[], attrs: Attrs = {}, output?: string): string {
    const name = `${opType}_${this.count++}`;
    const out = output ?? `${name}_out`;
    const attribute: OnnxAttribute[] = Object.entries(attrs).map(([key, v]) =>
      Array.isArray(v) ? { name: key, type: ATTR_INTS, ints: v } : { name: key, type: ATTR_INT, i: v },
    );
    this.nodes.push({ input: inputs, output: [out], name, opType, attribute });
    return out;
  }

  floats(name: string, values: ArrayLike<number>, dims: number[]): string {
    const data = Float32Array.from(values);
    this.initializers.push({ name, dims, dataType: ONNX_FLOAT, rawData: bytesOf(data) });
    return name;
  }

  int64s(name: string, values: number[], dims: number[] = [values.length]): string {
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    this.initializers.push({ name, dims, dataType: ONNX_INT64, rawData: bytesOf(data) });
    return name;
  }
}

function bytesOf(a: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Names of the graph-wide tensors every layer reads. */
interface Shared {
  shapeIds: string; // (2) int64 [batch, seq]
  cos: string; // (T, D)
  sin: string; // (T, D)
  future: string; // (T, T) bool, true above the diagonal
  eps: string;
}

function rmsnorm(g: GraphBuilder, x: string, w: string, eps: string): string {
  const meanSquare = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [meanSquare, eps])])]);
  return g.op('Mul', [g.op('Mul', [x, inv]), w]);
}

/** RoPE tables and the causal mask, built from the input's shape so seq stays dynamic. */
function sharedTensors(g: GraphBuilder, cfg: ModelConfig): Shared {
  const D = cfg.headDim;
  const invFreq = Array.from({ length: D / 2 }, (_, i) => cfg.ropeTheta ** (-(2 * i) / D));
  const shapeIds = g.op('Shape', ['input_ids'], {}, 'input_shape');
  const seq = g.op('Gather', [shapeIds, 'const.one'], { axis: 0 });
  const pos = g.op('Range', ['const.zero', seq, 'const.one'], {}, 'positions'); // (T)
  const posCol = g.op('Unsqueeze', [g.op('Cast', [pos], { to: ONNX_FLOAT }), 'const.axis1']);
  const freqs = g.op('Mul', [posCol, g.floats('const.inv_freq', invFreq, [1, D / 2])]); // (T, D/2)
  const angles = g.op('Concat', [freqs, freqs], { axis: -1 }); // (T, D)
  const row = g.op('Unsqueeze', [pos, 'const.axis1']); // (T, 1) query position
  const col = g.op('Unsqueeze', [pos, 'const.axis0']); // (1, T) key position
  return {
    shapeIds,
    cos: g.op('Cos', [angles], {}, 'rope_cos'),
    sin: g.op('Sin', [angles], {}, 'rope_sin'),
    future: g.op('Greater', [col, row], {}, 'causal_future'),
    eps: g.floats('const.eps', [cfg.rmsNormEps], []),
  };
}

/** x * cos + rotate_half(x) * sin for x (B, heads, T, D). */
function rope(g: GraphBuilder, x: string, s: Shared): string {
  const x1 = g.op('Slice', [x, 'const.rope_lo_start', 'const.rope_half', 'const.last_axis']); // (…, D/2)
  const x2 = g.op('Slice', [x, 'const.rope_half', 'const.rope_hi_end', 'const.last_axis']); // (…, D/2)
  const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { axis: -1 });
  return g.op('Add', [g.op('Mul', [x, s.cos]), g.op('Mul', [rotated, s.sin])]);
}

/** Projects h (N, C) to heads (B, H or KV, T, D), with Qwen3's q/k norm and RoPE where asked. */
function heads(g: GraphBuilder, cfg: ModelConfig, s: Shared, h: string, p: string, which: 'q' | 'k' | 'v'): string {
  const inputs = [h, `${p}self_attn.${which}_proj.weight`];
  if (cfg.qkvBias) inputs.push(`${p}self_attn.${which}_proj.bias`);
  const flat = g.op('Gemm', inputs, { transB: 1 }); // (N, n*D)
  const shape = g.op('Concat', [s.shapeIds, which === 'q' ? 'const.heads_q' : 'const.heads_kv'], { axis: 0 });
  let x = g.op('Reshape', [flat, shape]); // (B, T, n, D)
  if (cfg.qkNorm && which !== 'v') x = rmsnorm(g, x, `${p}self_attn.${which}_norm.weight`, s.eps);
  x = g.op('Transpose', [x], { perm: [0, 2, 1, 3] }); // (B, n, T, D)
  if (which !== 'v') x = rope(g, x, s);
  // repeat_kv: query head j reads KV head floor(j / (H / KV)).
  if (which !== 'q' && cfg.numKeyValueHeads !== cfg.numAttentionHeads) x = g.op('Gather', [x, 'const.kv_index'], { axis: 1 });
  return x;
}

function attention(g: GraphBuilder, cfg: ModelConfig, s: Shared, h: string, p: string): string {
  const q = heads(g, cfg, s, h, p, 'q'); // (B, H, T, D)
  const k = heads(g, cfg, s, h, p, 'k'); // (B, H, T, D)
  const v = heads(g, cfg, s, h, p, 'v'); // (B, H, T, D)
  const kT = g.op('Transpose', [k], { perm: [0, 1, 3, 2] }); // (B, H, D, T)
  const scores = g.op('Mul', [g.op('MatMul', [q, kT]), 'const.attn_scale']); // (B, H, T, T)
  const masked = g.op('Where', [s.future, 'const.mask_value', scores]);
  const out = g.op('MatMul', [g.op('Softmax', [masked], { axis: -1 }), v]); // (B, H, T, D)
  const merged = g.op('Reshape', [g.op('Transpose', [out], { perm: [0, 2, 1, 3] }), 'const.rows_attn']); // (N, H*D)
  return g.op('Gemm', [merged, `${p}self_attn.o_proj.weight`], { transB: 1 });
}

function mlp(g: GraphBuilder, h: string, p: string): string {
  const gate = g.op('Gemm', [h, `${p}mlp.gate_proj.weight`], { transB: 1 }); // (N, F)
  const up = g.op('Gemm', [h, `${p}mlp.up_proj.weight`], { transB: 1 }); // (N, F)
  const act = g.op('Mul', [gate, g.op('Sigmoid', [gate])]); // silu
  return g.op('Gemm', [g.op('Mul', [act, up]), `${p}mlp.down_proj.weight`], { transB: 1 });
}

/** Small constants whose names the layer builders use directly. */
function addConstants(g: GraphBuilder, cfg: ModelConfig): void {
  const [H, KV, D] = [cfg.numAttentionHeads, cfg.numKeyValueHeads, cfg.headDim];
  g.int64s('const.zero', [0], []);
  g.int64s('const.one', [1], []);
  g.int64s('const.axis0', [0]);
  g.int64s('const.axis1', [1]);
  g.int64s('const.last_axis', [-1]);
  g.int64s('const.rope_lo_start', [0]);
  g.int64s('const.rope_half', [D / 2]);
  g.int64s('const.rope_hi_end', [D]);
  g.int64s('const.heads_q', [H, D]);
  g.int64s('const.heads_kv', [KV, D]);
  g.int64s('const.kv_index', Array.from({ length: H }, (_, j) => Math.floor(j / (H / KV))));
  g.int64s('const.rows_hidden', [-1, cfg.hiddenSize]);
  g.int64s('const.rows_attn', [-1, H * D]);
  g.int64s('const.vocab', [cfg.vocabSize]);
  g.floats('const.attn_scale', [1 / Math.sqrt(D)], []);
  g.floats('const.mask_value', [FLOAT32_LOWEST], []);
}

function buildGraph(g: GraphBuilder, cfg: ModelConfig): string {
  addConstants(g, cfg);
  const s = sharedTensors(g, cfg);
  const embedded = g.op('Gather', ['model.embed_tokens.weight', 'input_ids'], { axis: 0 }); // (B, T, C)
  let x = g.op('Reshape', [embedded, 'const.rows_hidden']); // (N, C) residual stream, N = B*T
  for (let l = 0; l < cfg.numHiddenLayers; l++) {
    const p = `model.layers.${l}.`;
    x = g.op('Add', [x, attention(g, cfg, s, rmsnorm(g, x, `${p}input_layernorm.weight`, s.eps), p)]);
    x = g.op('Add', [x, mlp(g, rmsnorm(g, x, `${p}post_attention_layernorm.weight`, s.eps), p)]);
  }
  const normed = rmsnorm(g, x, 'model.norm.weight', s.eps);
  const head = cfg.tied ? 'model.embed_tokens.weight' : 'lm_head.weight';
  const logits = g.op('Gemm', [normed, head], { transB: 1 }); // (N, V)
  const outShape = g.op('Concat', [s.shapeIds, 'const.vocab'], { axis: 0 });
  return g.op('Reshape', [logits, outShape], {}, 'logits'); // (B, T, V)
}

function checkConfig(cfg: ModelConfig): void {
  if (cfg.headDim % 2 !== 0) throw new Error(`onnx export: head_dim ${cfg.headDim} must be even for RoPE`);
  if (cfg.numAttentionHeads % cfg.numKeyValueHeads !== 0) {
    throw new Error(`onnx export: num_key_value_heads ${cfg.numKeyValueHeads} must divide num_attention_heads ${cfg.numAttentionHeads}`);
  }
}

/** Weight initializers in parameter order, float32, each checked against its spec size. */
function weightTensors(cfg: ModelConfig, weights: Weights): { tensor: OnnxTensor; bytes: Uint8Array }[] {
  return parameterSpecs(cfg).map((spec) => {
    const w = weights.get(spec.name);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (!w) throw new Error(`onnx export: weight "${spec.name}" is missing`);
    if (w.length !== size) {
      throw new Error(`onnx export: weight "${spec.name}" has ${w.length} values, expected [${spec.shape.join(', ')}]`);
    }
    const bytes = bytesOf(w instanceof Float32Array ? w : Float32Array.from(w));
    return { tensor: { name: spec.name, dims: spec.shape, dataType: ONNX_FLOAT }, bytes };
  });
}

/** Points each weight at its slice of the external file; tensors sit back to back in parameter order. */
function placeExternal(params: { tensor: OnnxTensor; bytes: Uint8Array }[], fileName: string): void {
  let offset = 0;
  for (const { tensor, bytes } of params) {
    tensor.dataLocation = 1; // TensorProto.DataLocation.EXTERNAL
    tensor.externalData = [
      { key: 'location', value: fileName },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(bytes.byteLength) },
    ];
    offset += bytes.byteLength;
  }
}

/** Builds the ONNX model (and its external weights file when the weights exceed the threshold). */
export function exportOnnx(cfg: ModelConfig, weights: Weights, options: OnnxExportOptions = {}): OnnxExport {
  checkConfig(cfg);
  const threshold = options.externalDataThresholdBytes ?? 2e9;
  const fileName = options.dataFileName ?? 'model.onnx.data';
  const g = new GraphBuilder();
  const output = buildGraph(g, cfg);
  const params = weightTensors(cfg, weights);
  const total = params.reduce((sum, p) => sum + p.bytes.byteLength, 0);
  const isExternal = total > threshold;
  if (isExternal) placeExternal(params, fileName);
  else for (const p of params) p.tensor.rawData = p.bytes;
  const batchSeq = [{ dimParam: 'batch' }, { dimParam: 'seq' }];
  const model = encodeModel({
    irVersion: IR_VERSION,
    producerName: 'infuser-lab',
    producerVersion: '0.1.0',
    docString: `${cfg.architecture} exported by INFUSER Lab`,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: [{ key: 'architecture', value: cfg.architecture }],
    graph: {
      name: 'causal_lm',
      node: g.nodes,
      initializer: [...params.map((p) => p.tensor), ...g.initializers],
      input: [{ name: 'input_ids', type: { tensorType: { elemType: ONNX_INT64, shape: { dim: batchSeq } } } }],
      output: [
        { name: output, type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim: [...batchSeq, { dimValue: cfg.vocabSize }] } } } },
      ],
    },
  });
  const externalData = isExternal ? { fileName, chunks: params.map((p) => p.bytes), byteLength: total } : null;
  return { model, externalData };
}
