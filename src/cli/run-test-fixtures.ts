// Test-only fixtures for the run and export-reference tests: a tiny model folder with a word-level
// tokenizer (WordPiece over a few dozen words, so the ~150-word prompts stay short on the software
// adapter), small document and dev files, a folder hash to prove a folder was left untouched, and
// stderr capture. Imported only by src/cli/*.test.ts.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { saveHfFolder } from '../model/hf-folder.ts';
import { NodeFolder } from '../model/node-folder.ts';
import { parameterSpecs } from '../model/model-config.ts';
import { randomWeights, tinyModelConfig } from '../model/random-model.ts';
import { TextTokenizer } from '../model/tokenizer.ts';
import { importDevPool } from '../data/dev-pool.ts';
import { importDocuments } from '../data/documents.ts';
import type { RunConfig } from '../infuser/config.ts';
import type { QuestionRow } from '../infuser/run-records.ts';
import type { RoleCheckpoint } from '../infuser/roles.ts';
import { STREAM_SCHEME_VERSION } from '../infuser/rng.ts';
import { writeCheckpoint, type RoleSnapshot } from './run-checkpoint.ts';
import { appendIteration, writeRunStart, type RunState } from './run-folder.ts';

const WORDS = [
  '[UNK]', '<|endoftext|>', '<|im_start|>', '<|im_end|>', 'system', 'user', 'assistant',
  'the', 'a', 'of', 'is', 'which', 'document', 'question', 'choice', 'answer', 'so', 'ok', 'hmm', 'pick',
  'A', 'B', 'C', 'D', 'w', 'x', 'y', 'z', 'boxed', '\\', '{', '}', '[', ']', '"', ':', ',', '.', '?',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'question_text', 'choices', 'ground_truth',
];

const CHAT_TEMPLATE = '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}'
  + '{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

const special = (id: number, content: string) => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
});

export function wordTokenizer(): TextTokenizer {
  return TextTokenizer.fromJson({
    tokenizerJson: {
      version: '1.0',
      added_tokens: [special(1, '<|endoftext|>'), special(2, '<|im_start|>'), special(3, '<|im_end|>')],
      normalizer: null,
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: null,
      decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
      model: {
        type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100,
        vocab: Object.fromEntries(WORDS.map((w, i) => [w, i])),
      },
    },
    tokenizerConfig: { eos_token: '<|im_end|>', pad_token: '<|endoftext|>', chat_template: CHAT_TEMPLATE },
  });
}

/** A random tiny Llama with the word tokenizer, saved as a Hugging Face folder. */
export async function writeTinyModel(dir: string, seed: number): Promise<void> {
  const config = tinyModelConfig('LlamaForCausalLM', { vocabSize: WORDS.length, maxPositionEmbeddings: 512 });
  const weights = randomWeights(config, seed);
  const tensors = parameterSpecs(config).map((s) => ({ name: s.name, shape: s.shape, data: weights.get(s.name)! }));
  await saveHfFolder(new NodeFolder(dir), { config, tensors, tokenizer: wordTokenizer() });
}

export function documentsJson(count: number): string {
  const rows = Array.from({ length: count }, (_, i) => ({
    doc_id: `doc-${i}`, content: `the document ${i} is a choice of w x y z`, topic: i % 2 ? 'odd' : 'even',
  }));
  return JSON.stringify(rows, null, 2);
}

export function devJson(count: number): string {
  const rows = Array.from({ length: count }, (_, i) => ({
    question_id: `dev-${i}`, question_text: `which is ${i} ?`, choices: ['w', 'x', 'y', 'z'], ground_truth: 'x',
  }));
  return JSON.stringify(rows, null, 2);
}

/** Writes `text` at `path`, creating folders. */
export async function put(path: string, text: string | Uint8Array): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

/** sha256 over every file's relative path and bytes (and every folder's name), in sorted order. */
export async function hashTree(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (folder: string): Promise<void> => {
    for (const name of (await readdir(folder)).sort()) {
      const full = join(folder, name);
      hash.update(`${relative(dir, full)}\n`);
      if ((await stat(full)).isDirectory()) await walk(full);
      else hash.update(await readFile(full));
    }
  };
  try {
    await walk(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    hash.update('<absent>');
  }
  return hash.digest('hex');
}

/** Runs `work` with process.stderr.write captured; returns its result and the text written. */
export async function captureStderr<T>(work: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const original = process.stderr.write.bind(process.stderr);
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await work(), stderr: text };
  } finally {
    process.stderr.write = original;
  }
}

/** A role snapshot with seeded weights, AdamW moments (t = 3) and one extra tensor list. */
export function fakeSnapshot(seed: number): RoleSnapshot {
  const config = tinyModelConfig('LlamaForCausalLM', { vocabSize: WORDS.length, maxPositionEmbeddings: 512 });
  const weights = randomWeights(config, seed);
  const specs = parameterSpecs(config);
  const moment = (offset: number) => specs.map((s) => weights.get(s.name)!.map((x) => x * x + offset));
  const checkpoint: RoleCheckpoint = {
    weights: Object.fromEntries(weights),
    optimizer: { t: 3, m: moment(0.5), v: moment(0.25) },
    extra: { reference: [Float32Array.from([seed, 1, 2])] },
  };
  return { config, tokenizer: wordTokenizer(), checkpoint };
}

export function fakeQuestion(iteration: number, slot: number): QuestionRow {
  return {
    iteration, slot, row: 0, doc_id: `doc-${slot}`, topic: null, question_type: null, question_id: `q${iteration}-${slot}`,
    question: 'which ?', choices: ['w', 'x', 'y', 'z'], answer: 'B', valid: true, rejection: null, solver_accuracy: 0.5,
    degenerate: false, influence: 0.01 * slot, layer_scores: [0, 0, 0, 0], reward: 0.5, advantage: 0.1, response: '{}',
  };
}

/** A finished run folder written through run-folder.ts, without a GPU: `iterations` records, 2 questions each. */
export async function writeFakeRun(dir: string, config: RunConfig, extraMetrics: (k: number) => Record<string, number> = () => ({})): Promise<void> {
  const documents = importDocuments([{ name: 'documents.json', text: documentsJson(6) }]).documents;
  const dev = importDevPool([{ name: 'dev.json', text: devJson(3) }]).questions;
  await writeRunStart(dir, config, documents, dev);
  const iterations = config['training.iterations'];
  for (let k = 0; k < iterations; k++) {
    await appendIteration(dir, { 'train/ans_loop': k, 'train/gen_step': k, 'timing_s/iteration': 1, ...extraMetrics(k) },
      [fakeQuestion(k, 0), fakeQuestion(k, 1)]);
  }
  const state: RunState = {
    completedIterations: iterations, sampler: { epoch: 0, order: [0, 1, 2, 3, 4, 5], cursor: 0 },
    streamSchemeVersion: STREAM_SCHEME_VERSION, labVersion: '0.0.0-test', seed: config['training.seed'],
    models: { generator: '/models/tiny', solver: '/models/tiny' },
  };
  await writeCheckpoint(dir, { generator: fakeSnapshot(1), solver: fakeSnapshot(2) }, state, true);
}
