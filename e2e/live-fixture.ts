// Inputs for the live-training journey (live-run.e2e.ts): a tiny random Llama with the byte-level test
// tokenizer, saved as a Hugging Face folder under public/e2e-fixture/ (gitignored); ten tiny .txt
// documents; and a 32-question dev set in the reference's JSON form. Also the tensor names and parameter
// count a Llama of this shape has, written out from the architecture, not from the lab's code.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveHfFolder } from '../src/model/hf-folder.ts';
import type { ModelConfig } from '../src/model/model-config.ts';
import { NodeFolder } from '../src/model/node-folder.ts';
import { randomWeights, tinyModelConfig } from '../src/model/random-model.ts';
import { tinyTokenizerConfig, tinyTokenizerJson } from '../src/model/tiny-bpe-fixture.ts';
import { TextTokenizer } from '../src/model/tokenizer.ts';

export const FIXTURE_ROOT = join(process.cwd(), 'public', 'e2e-fixture');

/** hidden 32, 2 layers, 4 heads of 8 (2 KV heads), MLP 64, the tokenizer's 266 ids; prompts fit in 2048 positions. */
export const TINY_LLAMA: ModelConfig = tinyModelConfig('LlamaForCausalLM', {
  vocabSize: 266, hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2,
  headDim: 8, maxPositionEmbeddings: 2048, eosTokenIds: [265],
});

/** Writes the tiny model folder; returns its path. */
export async function writeTinyModel(name = 'tiny-llama'): Promise<string> {
  const dir = join(FIXTURE_ROOT, name);
  rmSync(dir, { recursive: true, force: true });
  const weights = randomWeights(TINY_LLAMA, 7);
  const tensors = [...weights].map(([tensorName, data]) => ({ name: tensorName, shape: shapeOf(tensorName), data }));
  const tokenizer = TextTokenizer.fromJson({ tokenizerJson: tinyTokenizerJson(), tokenizerConfig: tinyTokenizerConfig() });
  await saveHfFolder(new NodeFolder(dir), { config: TINY_LLAMA, tensors, tokenizer });
  return dir;
}

/** Every Llama parameter name with its shape, layer by layer (Hugging Face naming). */
export function llamaTensorShapes(cfg: ModelConfig): Map<string, number[]> {
  const { hiddenSize: C, intermediateSize: F, vocabSize: V, numAttentionHeads: Hq, numKeyValueHeads: Hkv, headDim: D } = cfg;
  const shapes = new Map<string, number[]>([['model.embed_tokens.weight', [V, C]]]);
  for (let i = 0; i < cfg.numHiddenLayers; i++) {
    const p = `model.layers.${i}.`;
    shapes.set(`${p}self_attn.q_proj.weight`, [Hq * D, C]);
    shapes.set(`${p}self_attn.k_proj.weight`, [Hkv * D, C]);
    shapes.set(`${p}self_attn.v_proj.weight`, [Hkv * D, C]);
    shapes.set(`${p}self_attn.o_proj.weight`, [C, Hq * D]);
    shapes.set(`${p}mlp.gate_proj.weight`, [F, C]);
    shapes.set(`${p}mlp.up_proj.weight`, [F, C]);
    shapes.set(`${p}mlp.down_proj.weight`, [C, F]);
    shapes.set(`${p}input_layernorm.weight`, [C]);
    shapes.set(`${p}post_attention_layernorm.weight`, [C]);
  }
  shapes.set('model.norm.weight', [C]);
  shapes.set('lm_head.weight', [V, C]);
  return shapes;
}

function shapeOf(name: string): number[] {
  const shape = llamaTensorShapes(TINY_LLAMA).get(name);
  if (!shape) throw new Error(`live-fixture: no shape for tensor ${name}`);
  return shape;
}

const TOPICS = ['river', 'forest', 'harbour', 'mill', 'bridge', 'orchard', 'market', 'tower', 'canal', 'quarry'];

/** Ten one-sentence .txt documents (short, so the compact Generator prompt stays under 1024 tokens). */
export function writeDocuments(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return TOPICS.map((topic, i) => {
    const path = join(dir, `doc-${String(i).padStart(2, '0')}.txt`);
    writeFileSync(path, `The ${topic} of Tam was built in year ${1200 + 7 * i}.\n`);
    return path;
  });
}

/** 32 four-choice questions in the reference dev-pool form (ground_truth is the choice text). */
export function writeDevSet(path: string): number {
  const rows = Array.from({ length: 32 }, (_, i) => {
    const year = 1200 + 7 * (i % 10);
    const choices = [year, year + 1, year + 2, year + 3].map(String);
    return { question_id: `dev-${i}`, question_text: `When was the ${TOPICS[i % 10]} built? (${i})`, choices, ground_truth: choices[i % 4] };
  });
  writeFileSync(path, JSON.stringify(rows, null, 1));
  return rows.length;
}
