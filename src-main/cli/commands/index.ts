import type { CommandContext } from '../context.js';
import { trainCommand, trainHelp } from './train.js';

export interface Command {
  help: string;
  /** Loads TensorFlow.js first (commands that only touch files skip it). */
  needsBackend: boolean;
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

export const commands: Record<string, Command> = {
  train: { help: trainHelp, needsBackend: true, run: trainCommand },
};

export function usage(): string {
  return [
    'mend: denoise and inpaint photos with convolutional autoencoders',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.help.split('\n')[1]?.trim() ?? ''}`),
    '',
    'Run `mend COMMAND --help` for a command\'s options. Common flags: --json (NDJSON events), --backend cuda|native|wasm|cpu.',
  ].join('\n');
}
