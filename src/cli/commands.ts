// The CLI's command table. Each command module exports a Command.
import type { Command } from './command.ts';
import { adapterCommand } from './adapter-command.ts';

export const commands: Command[] = [adapterCommand];
