// `infuser-lab init-model`: a freshly initialised tiny Hugging Face model folder (config.json,
// model.safetensors and, when the vocabulary has room, the byte-level tokenizer of byte-tokenizer.ts),
// for tests and for trying the lab without a download. Weights come from the run-seed stream `init`
// keyed by parameter name (§9.5), so a seed always gives the same folder.
import { streamFor } from '../infuser/rng.ts';
import { BYTE_TOKENIZER_IDS, BYTE_TOKENIZER_VOCAB, byteTokenizerConfig, byteTokenizerJson } from '../model/byte-tokenizer.ts';
import { saveHfFolder } from '../model/hf-folder.ts';
import { parameterCount, parameterSpecs, parseModelConfig, toHfConfig, type ModelConfig } from '../model/model-config.ts';
import { NodeFolder } from '../model/node-folder.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import { parseFlags, required, type Flags } from './args.ts';
import type { Command } from './command.ts';
import { printJson } from './model-flags.ts';

const ARCHS = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' } as const;

const SPEC = {
  arch: 'string', out: 'string', seed: 'number', hidden: 'number', layers: 'number', heads: 'number',
  'kv-heads': 'number', intermediate: 'number', vocab: 'number', 'head-dim': 'number',
  'max-positions': 'number', tied: 'boolean', 'init-std': 'number',
} as const;

function int(flags: Flags, name: string, fallback: number): number {
  const v = (flags[name] as number | undefined) ?? fallback;
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return v;
}

/** config.json for the flags, parsed back through parseModelConfig so every check applies. */
function configFromFlags(flags: Flags): ModelConfig {
  const arch = required<string>(flags, 'arch', 'init-model');
  if (!(arch in ARCHS)) throw new Error(`--arch must be llama, qwen2 or qwen3, got '${arch}'`);
  const architecture = ARCHS[arch as keyof typeof ARCHS];
  const hidden = int(flags, 'hidden', 64);
  const heads = int(flags, 'heads', 4);
  const vocab = int(flags, 'vocab', BYTE_TOKENIZER_VOCAB);
  const tied = flags.tied === true;
  const raw = {
    architectures: [architecture],
    vocab_size: vocab,
    hidden_size: hidden,
    intermediate_size: int(flags, 'intermediate', 2 * hidden),
    num_hidden_layers: int(flags, 'layers', 2),
    num_attention_heads: heads,
    num_key_value_heads: int(flags, 'kv-heads', heads % 2 === 0 ? heads / 2 : heads),
    head_dim: flags['head-dim'] ?? undefined,
    max_position_embeddings: int(flags, 'max-positions', 512),
    rope_theta: architecture === 'LlamaForCausalLM' ? 10000 : 1000000,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: tied,
    eos_token_id: vocab >= BYTE_TOKENIZER_VOCAB ? BYTE_TOKENIZER_IDS.imEnd : null,
  };
  return parseModelConfig({ ...toHfConfig(parseModelConfig(raw)), torch_dtype: 'float32' });
}

/** Linear weights, biases and embeddings uniform with standard deviation `std`; norm weights 1. */
function initWeights(cfg: ModelConfig, seed: number, std: number) {
  const a = std * Math.sqrt(3);
  return parameterSpecs(cfg).map(({ name, shape }) => {
    const n = shape.reduce((x, y) => x * y, 1);
    const data = new Float32Array(n);
    if (name.endsWith('norm.weight')) data.fill(1);
    else {
      const s = streamFor(seed, 'init', name);
      for (let i = 0; i < n; i++) data[i] = a * (2 * s.uniformAt(i) - 1);
    }
    return { name, shape, data };
  });
}

export const initModelCommand: Command = {
  name: 'init-model',
  summary: 'write a randomly initialised tiny model folder (llama, qwen2, qwen3)',
  help: `infuser-lab init-model --arch llama|qwen2|qwen3 --out DIR [--seed S] [--hidden H] [--layers L]
                        [--heads N] [--kv-heads N] [--intermediate F] [--vocab V] [--head-dim D]
                        [--max-positions N] [--tied] [--init-std X]

Writes DIR/config.json and DIR/model.safetensors (F32) with weights drawn from the run-seed stream
"init" (uniform, standard deviation X; RMSNorm weights 1). With a vocabulary of at least 259 it also
writes a byte-level tokenizer (bytes 0..255, <|endoftext|>, <|im_start|>, <|im_end|> = eos) and a
ChatML chat template, so "generate --chat" works. Prints {"out", "files", "parameters"}.

defaults: --seed 0 --hidden 64 --layers 2 --heads 4 --kv-heads heads/2 --intermediate 2*hidden
          --vocab 259 --head-dim hidden/heads --max-positions 512 --init-std 0.02 (untied)
`,
  async run(argv) {
    const flags = parseFlags(argv, SPEC, 'init-model');
    const out = required<string>(flags, 'out', 'init-model');
    const cfg = configFromFlags(flags);
    const seed = (flags.seed as number | undefined) ?? 0;
    if (!(Number.isInteger(seed) && seed >= 0)) throw new Error(`--seed must be a non-negative integer, got ${seed}`);
    const std = (flags['init-std'] as number | undefined) ?? 0.02;
    if (!(std > 0)) throw new Error(`--init-std must be positive, got ${std}`);
    const tokenizer = cfg.vocabSize >= BYTE_TOKENIZER_VOCAB
      ? TextTokenizer.fromJson({ tokenizerJson: byteTokenizerJson(), tokenizerConfig: byteTokenizerConfig() })
      : undefined;
    const files = await saveHfFolder(new NodeFolder(out), { config: cfg, tensors: initWeights(cfg, seed, std), tokenizer });
    printJson({ out, files, parameters: parameterCount(cfg), tokenizer: tokenizer ? 'byte-level' : null });
  },
};
