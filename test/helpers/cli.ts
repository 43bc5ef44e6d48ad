// Runs the real `mend` CLI (bin/mend.js -> dist/) as a child process. dist/ is built once per
// test run by test/global-setup.ts.
import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MEND_BIN = resolve(REPO_ROOT, 'bin', 'mend.js');

export interface RunMendOptions {
  /** Extra environment variables (merged over process.env). */
  env?: NodeJS.ProcessEnv;
  /** Kill the CLI after this long (default 60 s); the promise then rejects. */
  timeoutMs?: number;
}

export interface RunMendResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node bin/mend.js ...args` with cwd = repo root; resolves with the exit code (never rejects on a non-zero exit). */
export function runMend(args: string[], opts: RunMendOptions = {}): Promise<RunMendResult> {
  const timeout = opts.timeoutMs ?? 60_000;
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      [MEND_BIN, ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...opts.env }, timeout, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          // Spawn failure, or killed (timeout): code is a string or null.
          const why = err.killed ? `timed out after ${timeout} ms` : err.message;
          reject(new Error(`mend ${args.join(' ')}: ${why}\n${stderr}`));
          return;
        }
        resolvePromise({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}
