// `infuser-lab grad`: every parameter's gradient of the mean next-token cross-entropy of one token
// sequence, written as an F32 safetensors file under the parameters' Hugging Face names (the format
// the float64 reference and PyTorch scripts compare against). Uses losses.ts nextTokenLoss.
import { nextTokenLoss } from '../model/losses.ts';
import { loadModel } from '../model/load-model.ts';
import { writeSafetensorsChunks } from '../model/safetensors.ts';
import { parseFlags, required } from './args.ts';
import type { Command } from './command.ts';
import { checkIds, modelFolder, parseIds, printJson, withEngine, writeFileChunks } from './model-flags.ts';

export const gradCommand: Command = {
  name: 'grad',
  summary: 'write the gradient of the next-token loss for given ids (safetensors)',
  help: `infuser-lab grad --model DIR --ids 1,2,3 --out FILE.safetensors

Computes the mean next-token cross-entropy of the ids (positions 0..n-2 predict tokens 1..n-1) and its
gradient with respect to every parameter. Writes FILE (safetensors, F32, one tensor per parameter under
its Hugging Face name; a tied lm_head is part of model.embed_tokens.weight) and prints {"loss": x}.

options:
  --model DIR     model folder (config.json + model.safetensors)
  --ids LIST      at least two comma-separated token ids, each in [0, vocab_size)
  --out FILE      output .safetensors path (written atomically)
`,
  async run(argv) {
    const flags = parseFlags(argv, { model: 'string', ids: 'string', out: 'string' }, 'grad');
    const ids = parseIds(required<string>(flags, 'ids', 'grad'));
    const out = required<string>(flags, 'out', 'grad');
    const folder = await modelFolder(required<string>(flags, 'model', 'grad'));
    await withEngine(async (e) => {
      const { model, config } = await loadModel(e, folder);
      checkIds(ids, config, 2);
      const loss = e.tidy(() => {
        const l = nextTokenLoss(model, ids);
        e.tape.backward(l);
        return l;
      });
      const params = model.parameters();
      const withGrad = params.filter((p) => p.grad !== null);
      const [lossValue, ...read] = await e.readMany([loss, ...withGrad.map((p) => p.grad!)]);
      // A parameter the loss does not reach has a zero gradient, which the file still records.
      const grads = new Map(withGrad.map((p, i) => [p, read[i]]));
      const tensors = model.names.map((name, i) => {
        const p = params[i];
        return { name, shape: [...p.shape], data: grads.get(p) ?? new Float32Array(p.size) };
      });
      await writeFileChunks(out, writeSafetensorsChunks(tensors, { metadata: { loss: String(lossValue[0]), ids: ids.join(',') } }));
      printJson({ loss: lossValue[0] });
    });
  },
};
