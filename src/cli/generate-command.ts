// `infuser-lab generate`: n sampled continuations of a text prompt (generate.ts on the GPU model), with
// randomness from the run-seed streams (§9.5: solver_sample keyed by seed, 'cli', sample, position).
// Needs tokenizer.json; --chat wraps the prompt in the tokenizer's chat template (prompts.ts renderChat).
import { streamFor } from '../infuser/rng.ts';
import { renderChat } from '../infuser/prompts.ts';
import { generate } from '../model/generate.ts';
import { loadModel } from '../model/load-model.ts';
import { parseFlags, required } from './args.ts';
import type { Command } from './command.ts';
import { modelFolder, printJson, withEngine } from './model-flags.ts';

const SPEC = {
  model: 'string', prompt: 'string', 'max-new': 'number', temperature: 'number', 'top-p': 'number',
  'top-k': 'number', seed: 'number', n: 'number', chat: 'boolean',
} as const;

export const generateCommand: Command = {
  name: 'generate',
  summary: 'sample text from a model folder (JSON with texts, tokens, log-probs)',
  help: `infuser-lab generate --model DIR --prompt TEXT [--max-new N] [--temperature T] [--top-p P]
                      [--top-k K] [--seed S] [--n N] [--chat]

Encodes TEXT with the folder's tokenizer.json, prefills it once, and samples N continuations in one
batch with the key/value cache. Prints one JSON object:
  {"prompt_tokens": [...], "samples": [{"text", "tokens", "logprobs", "finish_reason"}, ...]}
finish_reason is "eos" (an end-of-sequence token, kept in tokens), or "length".
log-probs are log softmax(logits / T) over the full vocabulary (T = 1 when greedy).

options:
  --model DIR         model folder with tokenizer.json
  --prompt TEXT       the prompt
  --max-new N         most new tokens per sample (default 64)
  --temperature T     0 = greedy (default 0.7, the spec's sampling temperature)
  --top-p P           nucleus mass in (0, 1] (default 1 = off)
  --top-k K           keep the K most likely tokens (default 0 = off)
  --seed S            run seed; the same seed gives the same samples on the same GPU (default 0)
  --n N               number of samples (default 1)
  --chat              render the prompt as one user message with the chat template
`,
  async run(argv) {
    const flags = parseFlags(argv, SPEC, 'generate');
    const promptText = required<string>(flags, 'prompt', 'generate');
    const folder = await modelFolder(required<string>(flags, 'model', 'generate'));
    const seed = (flags.seed as number | undefined) ?? 0;
    if (!(Number.isInteger(seed) && seed >= 0)) throw new Error(`--seed must be a non-negative integer, got ${seed}`);
    await withEngine(async (e) => {
      const { model, tokenizer, config } = await loadModel(e, folder, { requireTokenizer: true });
      const tok = tokenizer!;
      const text = flags.chat
        ? renderChat([{ role: 'user', content: promptText }], tok.chatTemplate, true, { bos_token: tok.bosToken ?? '', eos_token: tok.eosToken ?? '' })
        : promptText;
      const prompt = tok.encode(text);
      const samples = await generate(model, prompt, {
        maxNewTokens: (flags['max-new'] as number | undefined) ?? 64,
        n: (flags.n as number | undefined) ?? 1,
        temperature: (flags.temperature as number | undefined) ?? 0.7,
        topP: flags['top-p'] as number | undefined,
        topK: flags['top-k'] as number | undefined,
        eosIds: [...new Set([...tok.eosIds, ...config.eosTokenIds])],
        decode: (ids) => tok.decode(ids, { skipSpecialTokens: true }),
        uniform: (row, pos) => streamFor(seed, 'solver_sample', 0, 'cli', 0, row).uniformAt(pos),
      });
      printJson({
        prompt_tokens: prompt,
        samples: samples.map((s) => ({ text: s.text, tokens: s.tokens, logprobs: s.logprobs, finish_reason: s.finishReason })),
      });
    });
  },
};
