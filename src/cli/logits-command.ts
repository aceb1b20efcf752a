// `infuser-lab logits`: the model's logits for one token sequence, one row per input position, as
// JSON on stdout. Loads the folder with load-model.ts and runs LlamaModel.forward once (no cache).
import { loadModel } from '../model/load-model.ts';
import { parseFlags, required } from './args.ts';
import type { Command } from './command.ts';
import { checkIds, modelFolder, parseIds, printJson, withEngine } from './model-flags.ts';

export const logitsCommand: Command = {
  name: 'logits',
  summary: 'print the logits of a model folder for given token ids (JSON)',
  help: `infuser-lab logits --model DIR --ids 1,2,3

Loads the Hugging Face model folder DIR (config.json + model.safetensors; tokenizer.json optional),
runs one forward pass over the token ids and prints one JSON object on stdout:
  {"logits": [[...V values...], ...]}   one row of vocabulary logits per input position

options:
  --model DIR     model folder (Llama, Qwen2 or Qwen3 architecture)
  --ids LIST      comma-separated token ids, each in [0, vocab_size)
`,
  async run(argv) {
    const flags = parseFlags(argv, { model: 'string', ids: 'string' }, 'logits');
    const ids = parseIds(required<string>(flags, 'ids', 'logits'));
    const folder = await modelFolder(required<string>(flags, 'model', 'logits'));
    await withEngine(async (e) => {
      const { model, config } = await loadModel(e, folder);
      checkIds(ids, config);
      const logits = e.tidy(() => e.tape.noGrad(() => model.forward([ids])));
      const flat = await logits.toArray();
      const V = config.vocabSize;
      printJson({ logits: ids.map((_, t) => Array.from(flat.subarray(t * V, (t + 1) * V))) });
    });
  },
};
