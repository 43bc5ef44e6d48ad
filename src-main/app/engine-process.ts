/**
 * The engine as an Electron utility process (utilityProcess.fork): a Node.js child that
 * Chromium's process model knows about (it ends with the app, shows in the task manager as
 * "Mend engine") and that speaks to main through process.parentPort, which engine/main.ts
 * already listens on. The EngineClient (host/client.ts) sees it as any EngineProcess, so
 * crash detection, restart and cancel-then-kill work as in `mend serve`.
 *
 * The electron module is passed in (main.ts gives it utilityProcess), so this adapter is tested
 * with a stand-in that has the same surface (test/integration/engine-host.test.ts).
 */
import type { EngineLauncher, EngineProcess } from '../host/client.js';
import { EngineError } from '../host/errors.js';

/** The part of Electron's UtilityProcess this adapter uses. */
export interface UtilityChild {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'spawn', listener: () => void): unknown;
  on(event: 'error', listener: (...args: unknown[]) => void): unknown;
}

/** The part of Electron's utilityProcess module this adapter uses. */
export interface UtilityProcessModule {
  fork(modulePath: string, args?: string[], options?: { env?: NodeJS.ProcessEnv; stdio?: 'inherit' | 'ignore' | 'pipe'; serviceName?: string }): UtilityChild;
}

export function utilityProcessLauncher(utilityProcess: UtilityProcessModule, opts: { serviceName?: string } = {}): EngineLauncher {
  return ({ entry, env, stdio }): EngineProcess => {
    const child = utilityProcess.fork(entry, [], { env, stdio, serviceName: opts.serviceName ?? 'Mend engine' });
    let alive = true;
    const exitHandlers: ((how: string) => void)[] = [];
    child.on('exit', (code) => {
      alive = false;
      for (const h of exitHandlers.splice(0)) h(`exit code ${code}`);
    });
    // A fatal error of the process (V8 OOM and the like) is followed by 'exit'.
    child.on('error', () => undefined);
    const hardKill = (): void => {
      // utilityProcess.kill() sends SIGTERM; a job stuck in native code must stop now.
      const pid = child.pid;
      if (pid !== undefined && process.platform !== 'win32') {
        try {
          process.kill(pid, 'SIGKILL');
          return;
        } catch {
          // already gone, or not ours to signal: fall back to Electron's kill
        }
      }
      child.kill();
    };
    return {
      get pid() {
        return child.pid;
      },
      get connected() {
        return alive;
      },
      send(m) {
        if (!alive) throw new EngineError('engine-crashed', 'The engine process is not running; try again');
        try {
          child.postMessage(m);
        } catch {
          hardKill();
          throw new EngineError('engine-crashed', 'The engine process could not be reached; it restarts on the next action');
        }
      },
      kill: hardKill,
      terminate: () => void child.kill(),
      onMessage: (h) => void child.on('message', h),
      onExit: (h) => {
        if (alive) exitHandlers.push(h);
        else h('exit');
      },
    };
  };
}
