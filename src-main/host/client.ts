/**
 * EngineClient: how a host (the web server, the Electron main process) uses the engine process.
 * It starts the engine on first use, matches replies to calls by id, routes job events, and
 * survives the engine dying:
 *
 *  - a crash or exit rejects every pending call and running job with 'engine-crashed' and a
 *    message that says so; the next call starts a fresh engine. The workspace folder belongs to
 *    the host, so images survive (the new engine reads their meta.json again).
 *  - cancel is cooperative first (the job stops at its next tile or step); a job that has not
 *    ended after the grace period (default 3 s) gets the engine killed and restarted. That job
 *    then rejects with 'cancelled'; other jobs in that engine with 'engine-crashed'.
 *
 * How the process is started is the one thing hosts differ in: `mend serve` forks a Node child
 * (forkEngine below), the desktop app uses Electron's utilityProcess (app/engine-process.ts).
 * Both are an EngineProcess to this client.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendInfo, JobId, JobResult, JobResultFor, JobSpec, JobStreamEvent } from '../shared/api.js';
import { EngineError, fromApiError } from './errors.js';
import { newId } from './layout.js';
import { ENGINE_ENV, isEngineMessage, type CallArgs, type CallValue, type ControlAction, type EngineMessage, type EngineMethod, type HostMessage } from './protocol.js';

export interface EngineClientOptions {
  /** The workspace folder (the host creates and removes it). */
  workspaceDir: string;
  /** Real paths of the shared roots (web mode); undefined = no restriction (desktop). */
  roots?: string[];
  mode?: 'web' | 'desktop';
  /** The engine entry; default: engine/main.js next to this folder, else dist/src-main/engine/main.js. */
  entry?: string;
  /** How long a cancelled job may take to stop before the engine is killed (default 3000 ms). */
  cancelGraceMs?: number;
  /**
   * How long the engine, once up, may take to answer a quick call (info, the model list) before
   * it counts as hung (stopped, deadlocked) and is killed and restarted (default 30000 ms).
   */
  callTimeoutMs?: number;
  /** Extra environment for the engine process (MEND_BACKEND, MEND_USER_MODELS, ...). */
  env?: NodeJS.ProcessEnv;
  /** Where the engine's stdout/stderr go (default: inherited). */
  stdio?: 'inherit' | 'ignore';
  /** How the engine process is started (default: child_process.fork). */
  launcher?: EngineLauncher;
  /**
   * Told each time an engine process ends other than through close(): a crash (planned false)
   * or the kill that stops a job which ignored cancel (planned true). The next call restarts it.
   */
  onEngineExit?: (e: { planned: boolean; message: string }) => void;
}

/** One running engine process, however it was started. */
export interface EngineProcess {
  readonly pid: number | undefined;
  /** False once the message channel is gone (the process exited or is exiting). */
  readonly connected: boolean;
  /** Sends a message; throws when the channel is gone. A failed delivery kills the process. */
  send(m: HostMessage): void;
  /** Stops it now (SIGKILL where there are signals). */
  kill(): void;
  /** Asks it to stop (SIGTERM). */
  terminate(): void;
  onMessage(handler: (m: unknown) => void): void;
  /** Called once, when the process has ended; `how` is "exit code N" or "signal S". */
  onExit(handler: (how: string) => void): void;
}

export interface EngineLaunch {
  entry: string;
  env: NodeJS.ProcessEnv;
  stdio: 'inherit' | 'ignore';
}

export type EngineLauncher = (launch: EngineLaunch) => EngineProcess;

/** The engine as a Node child process with an IPC channel (mend serve, tests). */
export const forkEngine: EngineLauncher = ({ entry, env, stdio }) => {
  const child: ChildProcess = fork(entry, [], {
    env,
    stdio: stdio === 'ignore' ? ['ignore', 'ignore', 'ignore', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  // 'error' (spawn failed, or a send on a dead channel): the exit handler does the cleanup.
  child.on('error', () => undefined);
  return {
    get pid() {
      return child.pid;
    },
    get connected() {
      return child.connected;
    },
    send(m) {
      if (!child.connected) throw new EngineError('engine-crashed', 'The engine process is not running; try again');
      child.send(m, (err) => {
        if (err) child.kill('SIGKILL');
      });
    },
    kill: () => void child.kill('SIGKILL'),
    terminate: () => void child.kill('SIGTERM'),
    onMessage: (h) => void child.on('message', h),
    onExit: (h) => void child.once('exit', (code, signal) => h(signal ? `signal ${signal}` : `exit code ${code}`)),
  };
};

export interface ClientJob<S extends JobSpec = JobSpec> {
  id: JobId;
  done: Promise<JobResultFor<S>>;
  cancel(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
}

interface PendingCall {
  resolve(v: unknown): void;
  reject(e: EngineError): void;
  /** Quick calls: the method, and the timer that declares the engine hung. */
  quick?: string;
  timer?: NodeJS.Timeout;
}

/**
 * Calls that only read what the engine has at hand: one that takes longer than callTimeoutMs
 * means the engine is hung (a SIGSTOP, a deadlock), not busy. Long work runs as jobs, whose
 * events keep flowing.
 */
const QUICK_METHODS: ReadonlySet<string> = new Set(['info', 'listModels']);

interface PendingJob {
  onEvent(e: JobStreamEvent): void;
  resolve(r: JobResult): void;
  reject(e: EngineError): void;
  cancelTimer?: NodeJS.Timeout;
  cancelling: boolean;
  engine: EngineProcess;
}

/** The compiled engine entry (dist/src-main/host/client.js and dist/src-main/engine/main.js). */
export function defaultEngineEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, '..', 'engine', 'main.js');
  if (existsSync(beside)) return beside;
  // Running from sources (tests): the build's copy.
  let dir = here;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'dist', 'src-main', 'engine', 'main.js');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new EngineError('internal', 'The engine is not built (dist/src-main/engine/main.js is missing): run npm run build');
}

export class EngineClient {
  private child: EngineProcess | undefined;
  private readonly exited = new WeakMap<EngineProcess, Promise<void>>();
  private nextCall = 1;
  private readonly calls = new Map<number, PendingCall & { engine: EngineProcess }>();
  private readonly jobs = new Map<JobId, PendingJob>();
  /** The message for a planned kill of the current engine (so its exit is not reported as a crash). */
  private killReason: string | undefined;
  private closed = false;
  private readyInfo: BackendInfo | undefined;
  private readonly grace: number;
  private readonly callTimeout: number;
  /** The engine process that has said 'ready' (quick calls are timed from then on). */
  private readyChild: EngineProcess | undefined;
  /** Engines killed as hung, with why: detached at once, so the next call starts a fresh one. */
  private readonly hungReasons = new WeakMap<EngineProcess, string>();

  constructor(private readonly opts: EngineClientOptions) {
    this.grace = opts.cancelGraceMs ?? 3000;
    this.callTimeout = opts.callTimeoutMs ?? 30_000;
  }

  /** The engine's process id (undefined until it has started). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The backend the engine reported once it was up. */
  get backend(): BackendInfo | undefined {
    return this.readyInfo;
  }

  private ensure(): EngineProcess {
    if (this.closed) throw new EngineError('internal', 'The engine client is closed');
    if (this.child) return this.child;
    const launch = this.opts.launcher ?? forkEngine;
    const child = launch({
      entry: this.opts.entry ?? defaultEngineEntry(),
      env: {
        ...process.env,
        ...this.opts.env,
        [ENGINE_ENV.workspace]: this.opts.workspaceDir,
        [ENGINE_ENV.mode]: this.opts.mode ?? 'desktop',
        ...(this.opts.roots ? { [ENGINE_ENV.roots]: JSON.stringify(this.opts.roots) } : {}),
      },
      stdio: this.opts.stdio ?? 'inherit',
    });
    this.child = child;
    this.killReason = undefined;
    child.onMessage((m) => {
      if (isEngineMessage(m)) this.onMessage(m);
    });
    this.exited.set(child, new Promise<void>((resolve) => child.onExit((how) => {
      this.onExit(child, how);
      resolve();
    })));
    return child;
  }

  private send(child: EngineProcess, m: HostMessage): void {
    if (!child.connected) throw new EngineError('engine-crashed', 'The engine process is not running; try again');
    child.send(m);
  }

  private onMessage(m: EngineMessage): void {
    switch (m.kind) {
      case 'ready':
        this.readyInfo = m.backend;
        this.readyChild = this.child;
        // Quick calls sent while it started are timed from now: starting takes what it takes.
        for (const [id, call] of this.calls) if (call.engine === this.child) this.armTimer(id, call);
        return;
      case 'fatal':
        // Calls get the same error in their replies; nothing else to do.
        return;
      case 'reply': {
        const call = this.calls.get(m.id);
        if (!call) return;
        this.calls.delete(m.id);
        if (call.timer) clearTimeout(call.timer);
        if (m.ok) call.resolve(m.value);
        else call.reject(fromApiError(m.error));
        return;
      }
      case 'event':
        try {
          this.jobs.get(m.job)?.onEvent(m.event);
        } catch {
          // a listener's bug must not break message handling
        }
        return;
      case 'end': {
        const job = this.jobs.get(m.job);
        if (!job) return;
        this.jobs.delete(m.job);
        if (job.cancelTimer) clearTimeout(job.cancelTimer);
        if (m.ok) job.resolve(m.result);
        else job.reject(fromApiError(m.error));
        return;
      }
    }
  }

  private onExit(child: EngineProcess, how: string): void {
    const current = this.child === child;
    if (current) this.child = undefined;
    const planned = this.hungReasons.get(child) ?? (current ? this.killReason : undefined);
    const message = planned ?? `The engine process stopped unexpectedly (${how}); it restarts on the next action, your images are kept`;
    for (const [id, call] of this.calls) {
      if (call.engine !== child) continue;
      this.calls.delete(id);
      if (call.timer) clearTimeout(call.timer);
      call.reject(new EngineError('engine-crashed', message));
    }
    for (const [id, job] of this.jobs) {
      if (job.engine !== child) continue;
      this.jobs.delete(id);
      if (job.cancelTimer) clearTimeout(job.cancelTimer);
      job.reject(job.cancelling
        ? new EngineError('cancelled', 'Cancelled (the job did not stop in time, so the engine was restarted)')
        : new EngineError('engine-crashed', message));
    }
    if (!this.closed) {
      try {
        this.opts.onEngineExit?.({ planned: planned !== undefined, message });
      } catch {
        // a listener's bug must not stop the restart
      }
    }
    // After a planned kill, start the next engine now so the next action does not wait for it.
    if (planned && !this.closed) {
      try {
        this.ensure();
      } catch {
        // the next call will try again and report why
      }
    }
  }

  /** Calls one engine method. Rejects with an EngineError (an ApiError). */
  call<M extends EngineMethod>(method: M, ...args: CallArgs<M>): Promise<CallValue<M>> {
    return new Promise<CallValue<M>>((resolve, reject) => {
      let child: EngineProcess;
      try {
        child = this.ensure();
        const id = this.nextCall++;
        const call = { resolve: resolve as (v: unknown) => void, reject, engine: child, ...(QUICK_METHODS.has(method) ? { quick: method } : {}) };
        this.calls.set(id, call);
        if (this.readyChild === child) this.armTimer(id, call);
        try {
          this.send(child, { kind: 'call', id, method, args } as HostMessage);
        } catch (e) {
          this.calls.delete(id);
          throw e;
        }
      } catch (e) {
        reject(e instanceof EngineError ? e : new EngineError('engine-crashed', `Cannot reach the engine: ${(e as Error).message}`));
      }
    });
  }

  /** Starts a job; events arrive through onEvent until `done` settles. */
  startJob<S extends JobSpec>(spec: S, onEvent: (e: JobStreamEvent) => void, id: JobId = newId()): ClientJob<S> {
    let resolve!: (r: JobResultFor<S>) => void;
    let reject!: (e: EngineError) => void;
    const done = new Promise<JobResultFor<S>>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    try {
      const child = this.ensure();
      this.jobs.set(id, { onEvent, resolve: resolve as (r: JobResult) => void, reject, cancelling: false, engine: child });
      this.send(child, { kind: 'startJob', job: id, spec });
    } catch (e) {
      this.jobs.delete(id);
      reject(e instanceof EngineError ? e : new EngineError('engine-crashed', `Cannot reach the engine: ${(e as Error).message}`));
    }
    const control = (action: ControlAction) => async (): Promise<void> => {
      const job = this.jobs.get(id);
      if (!job) return; // already ended
      if (action === 'cancel' && !job.cancelling) {
        job.cancelling = true;
        job.cancelTimer = setTimeout(() => this.killForCancel(id), this.grace);
        job.cancelTimer.unref();
      }
      try {
        this.send(job.engine, { kind: 'control', job: id, action });
      } catch {
        // the engine is gone: the exit handler settles the job
      }
    };
    return { id, done, cancel: control('cancel'), pause: control('pause'), resume: control('resume') };
  }

  /** Starts the hang timer of a quick call (once). */
  private armTimer(id: number, call: PendingCall & { engine: EngineProcess }): void {
    if (!call.quick || call.timer) return;
    call.timer = setTimeout(() => this.onHung(id), this.callTimeout);
    call.timer.unref();
  }

  /** A quick call got no answer in time: the engine is hung. Kill it; the next call starts a fresh one. */
  private onHung(id: number): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    const seconds = Math.round(this.callTimeout / 100) / 10;
    call.reject(new EngineError('engine-crashed', `The engine did not answer within ${seconds} s, so it was restarted; try again (your images are kept)`));
    if (call.engine === this.child) {
      this.hungReasons.set(call.engine, `The engine stopped answering (no reply within ${seconds} s) and was restarted`);
      // SIGKILL ends a stopped process too, but its exit is seen later: detach it now.
      this.child = undefined;
      call.engine.kill();
    }
  }

  private killForCancel(id: JobId): void {
    const job = this.jobs.get(id);
    if (!job || job.engine !== this.child) return;
    this.killReason = 'The engine was restarted to stop a job that did not respond to cancel';
    job.engine.kill();
  }

  /** Stops the engine (host shutdown). Pending calls and jobs reject. */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    const exited = this.exited.get(child);
    this.killReason = 'The engine was stopped because Mend is closing';
    child.terminate();
    const force = setTimeout(() => child.kill(), 2000);
    force.unref();
    await exited;
    clearTimeout(force);
  }
}
