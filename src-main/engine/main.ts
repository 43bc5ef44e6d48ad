/**
 * The engine process, started by a host (src-main/host/client.ts) as
 * `child_process.fork(dist/src-main/engine/main.js)` by the web server (mend serve), or as an
 * Electron utility process by the desktop app (app/engine-process.ts), which talks through
 * process.parentPort with the same messages. It loads the TensorFlow.js backend once
 * (MEND_BACKEND picks one), then serves host/protocol.ts messages until the host goes away.
 *
 * Configuration comes in the environment (host/protocol.ts ENGINE_ENV), so both ways of starting a
 * process can pass it the same way.
 */
import { initBackend } from '../core/runtime/backend.js';
import type { JobId } from '../shared/api.js';
import { createEngine, type Engine, type RunningJob } from './engine.js';
import { EngineError, toApiError } from '../host/errors.js';
import { ENGINE_ENV, ENGINE_METHODS, isHostMessage, type ControlAction, type EngineMessage, type HostMessage } from '../host/protocol.js';

/** The one thing that differs between fork() and utilityProcess: how messages move. */
interface Transport {
  send(m: EngineMessage): void;
  onMessage(handler: (m: unknown) => void): void;
  onClose(handler: () => void): void;
}

interface ParentPort {
  on(event: 'message', handler: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function parentPortTransport(): Transport | undefined {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (!port) return undefined;
  return {
    send: (m) => port.postMessage(m),
    onMessage: (h) => port.on('message', (e) => h(e.data)),
    // Electron ends a utility process with its parent.
    onClose: () => undefined,
  };
}

function forkTransport(): Transport | undefined {
  if (!process.send) return undefined;
  return {
    send: (m) => {
      // The channel is gone when the host died; 'disconnect' ends this process right after.
      if (process.connected) process.send!(m, undefined, undefined, () => undefined);
    },
    onMessage: (h) => process.on('message', h),
    onClose: (h) => process.on('disconnect', h),
  };
}

function readRoots(): string[] | undefined {
  const raw = process.env[ENGINE_ENV.roots];
  if (raw === undefined) return undefined;
  const parsed = JSON.parse(raw) as unknown;
  if (!Array.isArray(parsed) || parsed.some((r) => typeof r !== 'string')) throw new Error(`${ENGINE_ENV.roots} must be a JSON array of paths`);
  return parsed as string[];
}

function start(): void {
  // Ctrl-C in a terminal reaches the whole process group: the host decides when the engine
  // stops (it closes the channel or kills it), so a half-finished shutdown never races it.
  process.on('SIGINT', () => undefined);
  const transport = parentPortTransport() ?? forkTransport();
  if (!transport) {
    console.error('mend engine: this is the engine process; it is started by `mend serve` or the desktop app, not by hand');
    process.exit(2);
  }
  const workspaceDir = process.env[ENGINE_ENV.workspace];
  const ready: Promise<Engine> = (async () => {
    if (!workspaceDir) throw new EngineError('internal', `The engine was started without ${ENGINE_ENV.workspace}`);
    await initBackend();
    const mode = process.env[ENGINE_ENV.mode] === 'web' ? 'web' : 'desktop';
    return createEngine({ workspaceDir, roots: readRoots(), mode });
  })();
  ready.then(
    async (engine) => transport.send({ kind: 'ready', backend: (await engine.info()).backend }),
    (e) => transport.send({ kind: 'fatal', error: toApiError(e) }),
  );

  const jobs = new Map<JobId, RunningJob>();
  // Controls that arrive while a job waits for the backend to come up.
  const early = new Map<JobId, ControlAction[]>();

  const handle = async (m: HostMessage): Promise<void> => {
    if (m.kind === 'call') {
      try {
        const engine = await ready;
        if (!ENGINE_METHODS.includes(m.method)) throw new EngineError('usage', `Unknown engine method "${String(m.method)}"`);
        const fn = engine[m.method] as (...args: unknown[]) => Promise<unknown>;
        const value = await fn(...(Array.isArray(m.args) ? m.args : []));
        transport.send({ kind: 'reply', id: m.id, ok: true, value: value ?? null });
      } catch (e) {
        transport.send({ kind: 'reply', id: m.id, ok: false, error: toApiError(e) });
      }
      return;
    }
    if (m.kind === 'control') {
      const job = jobs.get(m.job);
      if (job) job[m.action]();
      else early.get(m.job)?.push(m.action);
      return;
    }
    // startJob
    if (jobs.has(m.job) || early.has(m.job)) return;
    early.set(m.job, []);
    let engine: Engine;
    try {
      engine = await ready;
    } catch (e) {
      early.delete(m.job);
      transport.send({ kind: 'end', job: m.job, ok: false, error: toApiError(e) });
      return;
    }
    const job = engine.startJob(m.job, m.spec, (event) => transport.send({ kind: 'event', job: m.job, event }));
    jobs.set(m.job, job);
    for (const action of early.get(m.job) ?? []) job[action]();
    early.delete(m.job);
    job.done.then(
      (result) => transport.send({ kind: 'end', job: m.job, ok: true, result }),
      (e) => transport.send({ kind: 'end', job: m.job, ok: false, error: toApiError(e) }),
    ).finally(() => jobs.delete(m.job));
  };

  transport.onMessage((m) => {
    if (isHostMessage(m)) void handle(m);
  });
  // The host is gone: nobody will read results, and the workspace belongs to the host.
  transport.onClose(() => process.exit(0));
}

start();
