/**
 * The `mend` command line. Every command runs the same core job functions as the desktop app
 * and web mode; this file only parses the command name, wires Ctrl-C to cancel, and turns
 * errors into one line and an exit code (0 ok, 1 failure, 2 bad usage).
 */
import { MendError } from '../shared/errors.js';
import { unwritableError } from '../core/image/atomic-write.js';
import { initBackend } from '../core/runtime/backend.js';
import { setRuntimePreference } from '../core/infer/runtime-choice.js';
import { createReporter } from './progress.js';
import type { CommandContext } from './context.js';
import { commands, usage } from './commands/index.js';

function wantsJson(argv: string[]): boolean {
  return argv.includes('--json');
}

function flagValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

/**
 * A file-system error that no command turned into words (EACCES, ENOSPC, ... with a path): said
 * in words naming the path, instead of "internal error: EACCES: permission denied, mkdir '...'".
 */
function fileSystemError(e: unknown): MendError | undefined {
  const fsErr = e as NodeJS.ErrnoException | undefined;
  if (!fsErr || typeof fsErr.code !== 'string' || typeof fsErr.path !== 'string') return undefined;
  const words = unwritableError(fsErr.path, fsErr).message.replace(/^Cannot write /, '');
  return new MendError('unwritable', `Cannot ${fsErr.syscall === 'mkdir' ? 'create' : 'use'} ${words}`, { cause: e });
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    console.log('mend 0.1.0');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`mend: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  const json = wantsJson(rest);
  const reporter = createReporter(json);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    reporter.event({ type: 'log', level: 'warn', message: 'Cancelling (press Ctrl-C again to quit at once)...' });
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const ctx: CommandContext = {
    json,
    reporter,
    job: { signal: controller.signal, onEvent: (e) => reporter.event(e) },
    commandLine: ['mend', ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' '),
  };
  try {
    if (command.needsBackend) {
      await initBackend(flagValue(rest, '--backend'));
      // Inference runtime: --runtime, else MEND_RUNTIME, else chosen by calibration on first use.
      setRuntimePreference(flagValue(rest, '--runtime'));
    }
    return await command.run(rest, ctx);
  } catch (e) {
    reporter.done();
    const err = e instanceof MendError ? e : fileSystemError(e);
    const message = err ? err.message : `internal error: ${(e as Error)?.message?.split('\n')[0] ?? String(e)}`;
    if (json) process.stdout.write(JSON.stringify({ type: 'error', code: err?.code ?? 'internal', message }) + '\n');
    console.error(`mend: ${message}`);
    if (!err && process.env.MEND_DEBUG) console.error(e);
    return err?.code === 'usage' ? 2 : err?.code === 'cancelled' ? 130 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
