import type { CommandContext } from '../context.js';
import { corruptCommand, corruptHelp } from './corrupt.js';
import { trainCommand, trainHelp } from './train.js';
import { anomalyCommand, anomalyHelp, denoiseCommand, denoiseHelp, inpaintCommand, inpaintHelp } from './image-commands.js';
import { infoCommand, infoHelp } from './info.js';
import { evalCommand, evalHelp } from './eval.js';
import { benchCommand, benchHelp } from './bench.js';
import { batchCommand, batchHelp } from './batch.js';
import { serveCommand, serveHelp } from './serve.js';
import { labCommand, labHelp } from './lab.js';
import { similarCommand, similarHelp } from './similar.js';

export interface Command {
  help: string;
  /** Loads TensorFlow.js first (commands that only touch files skip it). */
  needsBackend: boolean;
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

export const commands: Record<string, Command> = {
  info: { help: infoHelp, needsBackend: true, run: infoCommand },
  denoise: { help: denoiseHelp, needsBackend: true, run: denoiseCommand },
  inpaint: { help: inpaintHelp, needsBackend: true, run: inpaintCommand },
  batch: { help: batchHelp, needsBackend: true, run: batchCommand },
  anomaly: { help: anomalyHelp, needsBackend: true, run: anomalyCommand },
  train: { help: trainHelp, needsBackend: true, run: trainCommand },
  corrupt: { help: corruptHelp, needsBackend: false, run: corruptCommand },
  eval: { help: evalHelp, needsBackend: true, run: evalCommand },
  bench: { help: benchHelp, needsBackend: true, run: benchCommand },
  lab: { help: labHelp, needsBackend: true, run: labCommand },
  similar: { help: similarHelp, needsBackend: true, run: similarCommand },
  // The engine process loads TensorFlow.js; the web server itself does not.
  serve: { help: serveHelp, needsBackend: false, run: serveCommand },
};

export function usage(): string {
  return [
    'mend: denoise and inpaint photos with convolutional autoencoders',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.help.split('\n')[1]?.trim() ?? ''}`),
    '',
    'Run `mend COMMAND --help` for a command\'s options. Common flags: --json (NDJSON events), --backend cuda|native|wasm|cpu (TensorFlow.js),',
    '--runtime onnx|tfjs (inference runtime; default: whichever is faster on this machine).',
  ].join('\n');
}
