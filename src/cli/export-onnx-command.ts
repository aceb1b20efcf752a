// `infuser-lab export-onnx`: a model folder as a standard ONNX graph (onnx-export.ts) that
// onnxruntime-web runs; weights above the threshold go to FILE.onnx.data beside it (ONNX external data).
import { basename } from 'node:path';
import { exportOnnx } from '../model/onnx-export.ts';
import { openModelFolder } from '../model/load-model.ts';
import { readParameters } from '../model/hf-folder.ts';
import { parseFlags, required } from './args.ts';
import type { Command } from './command.ts';
import { modelFolder, printJson, writeFileChunks } from './model-flags.ts';

export const exportOnnxCommand: Command = {
  name: 'export-onnx',
  summary: 'export a model folder to ONNX (input_ids -> logits, opset 17)',
  help: `infuser-lab export-onnx --model DIR --out FILE.onnx [--external-above BYTES]

Writes FILE.onnx: input "input_ids" int64 [batch, seq] -> output "logits" float [batch, seq, vocab],
positions 0..seq-1, causal attention, no key/value cache. When the weights exceed BYTES (default 2e9,
the protobuf limit) they are written to FILE.onnx.data beside it and referenced as external data; keep
the two files together. Prints {"model": path, "external_data": path or null, "bytes": total}.

options:
  --model DIR             model folder (config.json + model.safetensors)
  --out FILE              output .onnx path
  --external-above BYTES  weight bytes above which external data is used (default 2000000000)
`,
  async run(argv) {
    const flags = parseFlags(argv, { model: 'string', out: 'string', 'external-above': 'number' }, 'export-onnx');
    const out = required<string>(flags, 'out', 'export-onnx');
    const folder = await modelFolder(required<string>(flags, 'model', 'export-onnx'));
    const opened = await openModelFolder(folder);
    const weights = await readParameters(opened);
    const dataFileName = `${basename(out)}.data`;
    const onnx = exportOnnx(opened.config, weights, { externalDataThresholdBytes: (flags['external-above'] as number | undefined) ?? 2e9, dataFileName });
    let dataPath: string | null = null;
    let bytes = onnx.model.byteLength;
    if (onnx.externalData) {
      dataPath = `${out}.data`;
      await writeFileChunks(dataPath, onnx.externalData.chunks);
      bytes += onnx.externalData.byteLength;
    }
    await writeFileChunks(out, [onnx.model]);
    printJson({ model: out, external_data: dataPath, bytes });
  },
};
