/**
 * A stand-in for Electron's `utilityProcess` module with the surface src-main/app/engine-process.ts
 * uses (fork -> pid, postMessage, kill, on message/exit/spawn/error), built on child_process.fork
 * and parent-port-shim.mjs, so the desktop app's engine host runs against the real engine where
 * no Electron binary exists.
 */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import type { UtilityChild, UtilityProcessModule } from '../../src-main/app/engine-process.js';
import { REPO_ROOT } from './cli.js';

const SHIM = resolve(REPO_ROOT, 'test', 'helpers', 'parent-port-shim.mjs');

export interface StandInUtilityProcess extends UtilityProcessModule {
  /** Every fork: its entry, environment and service name. */
  forks: { entry: string; env: NodeJS.ProcessEnv; serviceName?: string; exit?: { code: number | null; signal: NodeJS.Signals | null } }[];
}

export function standInUtilityProcess(): StandInUtilityProcess {
  const forks: StandInUtilityProcess['forks'] = [];
  return {
    forks,
    fork(modulePath, _args, options = {}) {
      const record: StandInUtilityProcess['forks'][number] = { entry: modulePath, env: options.env ?? {}, serviceName: options.serviceName };
      forks.push(record);
      const child = fork(SHIM, [], {
        env: { ...(options.env ?? process.env), MEND_UTILITY_ENTRY: modulePath },
        stdio: options.stdio === 'inherit' ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'ignore', 'ignore', 'ipc'],
        serialization: 'advanced',
      });
      child.on('exit', (code, signal) => void (record.exit = { code, signal }));
      const utility: UtilityChild = {
        get pid() {
          return child.pid;
        },
        postMessage(message) {
          child.send(message as never);
        },
        // As Electron's: SIGTERM.
        kill: () => child.kill('SIGTERM'),
        on(event: string, listener: (...args: never[]) => void) {
          if (event === 'message') child.on('message', listener as (m: unknown) => void);
          else if (event === 'exit') child.on('exit', (code, signal) => (listener as (c: number) => void)(code ?? (signal ? 128 : 0)));
          else if (event === 'spawn') child.on('spawn', listener as () => void);
          else if (event === 'error') child.on('error', listener as () => void);
          return utility;
        },
      } as UtilityChild;
      return utility;
    },
  };
}
