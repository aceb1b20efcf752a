// The CLI's command table. Each command module exports a Command.
import type { Command } from './command.ts';
import { adapterCommand } from './adapter-command.ts';
import { benchCommand } from './bench.ts';
import { benchModelCommand } from './bench-model-command.ts';
import { benchInfluenceCommand } from './bench-influence-command.ts';
import { exportOnnxCommand } from './export-onnx-command.ts';
import { exportReferenceCommand } from './export-reference-command.ts';
import { generateCommand } from './generate-command.ts';
import { gradCommand } from './grad-command.ts';
import { initModelCommand } from './init-model-command.ts';
import { logitsCommand } from './logits-command.ts';
import { runCommand } from './run-command.ts';

export const commands: Command[] = [
  adapterCommand, initModelCommand, logitsCommand, gradCommand, generateCommand, exportOnnxCommand, benchCommand, benchModelCommand, benchInfluenceCommand,
  runCommand, exportReferenceCommand,
];
