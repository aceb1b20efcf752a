// The tiny world anchors' model: the Llama config and the seeded initialisation that
// scripts/train-anchors.ts trains and scripts/induction-probe.ts probes, so the probe measures the
// anchors' own starting point.
import { streamFor, type KeyPart } from '../infuser/rng.ts';
import { parameterSpecs, parseModelConfig, type ModelConfig } from '../model/model-config.ts';

export interface AnchorShape {
  vocabSize: number;
  eosId: number;
  layers: number;
  /** Four heads of hidden/4, two KV heads, MLP 2·hidden. */
  hidden: number;
  tie: boolean;
}

export function anchorConfig(s: AnchorShape): ModelConfig {
  if (!Number.isInteger(s.layers) || s.layers < 1) throw new Error(`anchor config: layers must be a positive integer, got ${s.layers}`);
  if (!Number.isInteger(s.hidden / 4) || s.hidden <= 0) throw new Error(`anchor config: hidden must be a positive multiple of 4 (4 heads), got ${s.hidden}`);
  return parseModelConfig({
    architectures: ['LlamaForCausalLM'], vocab_size: s.vocabSize, hidden_size: s.hidden, intermediate_size: 2 * s.hidden,
    num_hidden_layers: s.layers, num_attention_heads: 4, num_key_value_heads: 2, head_dim: s.hidden / 4,
    max_position_embeddings: 512, rope_theta: 10000, rms_norm_eps: 1e-5, tie_word_embeddings: s.tie,
    bos_token_id: null, eos_token_id: s.eosId, torch_dtype: 'float32',
  });
}

/** Normal(0, 0.02) from the stream `init` keyed by (...keyParts, parameter name); projections into the
 *  residual stream scaled by 1/sqrt(2L) (GPT-2); RMSNorm weights 1. */
export function anchorInitWeights(cfg: ModelConfig, seed: number, ...keyParts: KeyPart[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const { name, shape } of parameterSpecs(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (name.endsWith('norm.weight')) data.fill(1);
    else {
      const std = /o_proj|down_proj/.test(name) ? 0.02 / Math.sqrt(2 * cfg.numHiddenLayers) : 0.02;
      const s = streamFor(seed, 'init', ...keyParts, name);
      for (let i = 0; i < n; i++) {
        const u = Math.max(s.uniformAt(2 * i), 1e-12);
        data[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * s.uniformAt(2 * i + 1));
      }
    }
    out.set(name, data);
  }
  return out;
}
