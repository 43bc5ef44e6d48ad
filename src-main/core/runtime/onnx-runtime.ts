/**
 * ONNX Runtime (onnxruntime-node) for inference, off the main thread.
 *
 * onnxruntime-node's `session.run()` returns a promise but computes synchronously on the
 * calling thread (it only defers the call with setImmediate), so a 1-megapixel tile would block
 * the event loop for a second or more: no progress events, no Ctrl-C, a frozen engine. Sessions
 * therefore live in worker threads; the main thread posts tiles (transferred, not copied) and
 * awaits results, and a cancelled run is abandoned at once (its result is dropped when it comes).
 *
 * Execution providers, in order of preference where the installed binaries have them (npm
 * package onnxruntime-node 1.30; its install script, which Mend does not run, only downloads
 * the Linux CUDA provider):
 *   Linux x64:    CUDA 12 (only if libonnxruntime_providers_cuda.so was installed), then CPU
 *   Linux arm64:  CPU
 *   Windows:      DirectML (any DirectX 12 GPU: NVIDIA, AMD, Intel), then CPU
 *   macOS arm64:  CoreML (Apple GPU / Neural Engine; nodes it cannot take run on the CPU), then CPU
 *   macOS x64:    no prebuilt binary in 1.30: ONNX Runtime is unavailable, TensorFlow.js runs
 * A provider that fails to start falls back to the next, and the reason is kept for `mend info`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { MendError } from '../../shared/errors.js';

export type OnnxProvider = 'cpu' | 'cuda' | 'dml' | 'coreml';

const PROVIDER_NAMES: Record<OnnxProvider, string> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'CoreML',
};

export function describeProvider(p: OnnxProvider): string {
  return PROVIDER_NAMES[p];
}

export interface OnnxAvailability {
  available: boolean;
  /** Why it is not available (not installed, no binary for this platform...). */
  reason?: string;
  version?: string;
  /** Providers to try, best first (always ends with 'cpu'). */
  providers: OnnxProvider[];
  /** Path to the package's entry, required by the workers. */
  entry?: string;
}

const require = createRequire(import.meta.url);
let availability: OnnxAvailability | undefined;

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.slice(0, 300);
}

/** Whether onnxruntime-node loads on this platform, and which providers its binaries offer. */
export function onnxAvailability(): OnnxAvailability {
  if (availability) return availability;
  let entry: string;
  try {
    entry = require.resolve('onnxruntime-node');
    // In the packaged app the package is unpacked next to the asar archive (electron-builder.yml):
    // the worker thread requires it by path, from the real folder.
    const unpacked = entry.replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
    if (unpacked !== entry && existsSync(unpacked)) entry = unpacked;
  } catch {
    return (availability = { available: false, reason: 'onnxruntime-node is not installed', providers: [] });
  }
  try {
    const ort = require(entry) as { env: { versions: { node?: string } }; listSupportedBackends(): { name: string; bundled: boolean }[] };
    const listed = new Set(ort.listSupportedBackends().map((b) => b.name));
    const providers: OnnxProvider[] = [];
    const binDir = path.join(path.dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
    if (listed.has('cuda') && existsSync(path.join(binDir, 'libonnxruntime_providers_cuda.so'))) providers.push('cuda');
    if (listed.has('dml')) providers.push('dml');
    if (listed.has('coreml')) providers.push('coreml');
    providers.push('cpu');
    return (availability = { available: true, version: ort.env.versions.node, providers, entry });
  } catch (e) {
    // No prebuilt binary for this platform (e.g. macOS on Intel with 1.30), or it failed to load.
    return (availability = { available: false, reason: `onnxruntime-node did not load on ${process.platform}-${process.arch}: ${firstLine(e)}`, providers: [] });
  }
}

/** The worker's code: CommonJS, evaluated as a string so it runs from the TypeScript sources and dist/ alike. */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.entry);
const sessions = new Map();
function reply(msg, transfer) {
  try { parentPort.postMessage(msg, transfer); } catch { parentPort.postMessage(msg); }
}
async function load(m) {
  const base = {
    intraOpNumThreads: m.threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all', enableCpuMemArena: true,
    // Memory patterns are planned per input shape and kept beside the arena: with tiles of a
    // few shapes they doubled a session's memory (0.8 GB instead of 0.46 GB at 1024x1024) for
    // no measurable speed.
    enableMemPattern: false,
  };
  const failures = [];
  for (const ep of m.providers) {
    const options = { ...base, executionProviders: ep === 'cpu' ? ['cpu'] : [ep, 'cpu'] };
    try {
      const session = await ort.InferenceSession.create(m.bytes, options);
      sessions.set(m.key, session);
      return { provider: ep, failures };
    } catch (e) {
      failures.push(ep + ': ' + String((e && e.message) || e).split('\n')[0].slice(0, 200));
    }
  }
  throw new Error('no execution provider could load the model (' + failures.join('; ') + ')');
}
parentPort.on('message', async (m) => {
  try {
    if (m.op === 'load') {
      reply({ id: m.id, ok: true, result: await load(m) });
    } else if (m.op === 'run') {
      const session = sessions.get(m.key);
      if (!session) throw new Error('model ' + m.key + ' is not loaded in this worker');
      const feeds = {};
      feeds[session.inputNames[0]] = new ort.Tensor('float32', m.data, m.dims);
      const out = (await session.run(feeds))[session.outputNames[0]];
      const data = out.data;
      reply({ id: m.id, ok: true, result: { data, dims: out.dims } }, [data.buffer]);
    } else if (m.op === 'unload') {
      const session = sessions.get(m.key);
      sessions.delete(m.key);
      if (session) await session.release();
      reply({ id: m.id, ok: true, result: null });
    }
  } catch (e) {
    reply({ id: m.id, ok: false, message: String((e && e.message) || e) });
  }
});
`;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

type Request =
  | { op: 'load'; key: string; bytes: Uint8Array; threads: number; providers: OnnxProvider[] }
  | { op: 'run'; key: string; data: Float32Array; dims: number[] }
  | { op: 'unload'; key: string };

/** One worker thread holding ONNX Runtime sessions; requests are answered in order. */
class OnnxWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failed: Error | undefined;
  private idleWaiters: (() => void)[] = [];
  /** Requests posted and not yet answered (the pool sends new work to the least busy). */
  busy = 0;

  constructor(entry: string, readonly threads: number) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { entry } });
    this.worker.on('message', (m: { id: number; ok: boolean; result?: unknown; message?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.settled();
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.message));
    });
    const fail = (e: Error): void => {
      this.failed = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.busy = 0;
      for (const w of this.idleWaiters.splice(0)) w();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the ONNX Runtime worker stopped (exit code ${code})`)));
    // After the listeners (adding one refs the worker again): an idle worker must not keep the process alive.
    this.worker.unref();
  }

  private settled(): void {
    this.busy--;
    if (this.busy === 0) {
      // An idle worker must not keep the process alive.
      this.worker.unref();
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  request<T>(req: Request, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (this.busy++ === 0) this.worker.ref();
      this.worker.postMessage({ id, ...req }, transfer);
    });
  }

  /**
   * Ends the thread once its queue is empty: terminating a worker while ONNX Runtime computes in
   * it (a cancelled tile still finishing) aborts the whole process from native code.
   */
  async terminate(): Promise<void> {
    if (this.busy > 0 && !this.failed) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.worker.terminate();
  }
}

export interface LoadResult {
  provider: OnnxProvider;
  /** Providers tried before and why they failed. */
  failures: string[];
}

export interface OnnxPoolOptions {
  /** Worker threads, each running one tile at a time. */
  workers: number;
  /** ONNX Runtime intra-op threads per worker. */
  threads: number;
}

/** Cores Node may use (os.availableParallelism where it exists). */
export function cpuCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Two workers (one on a single-core machine), each with half the cores, and run-model.ts keeps
 * both busy with a tile each (tiles.ts blends them in order). Measured on the 2-core build
 * machine against one session using both cores (`mend bench` reports both on every run): 16%
 * faster when idle (0.535 vs 0.462 MP/s), and steadier when other programs take CPU time, because a
 * multi-threaded session waits at every operator for its slowest thread while two independent
 * sessions each go at their own pace. Each session holds about 0.5 GB with 1024-pixel tiles.
 * MEND_ONNX_WORKERS and MEND_ONNX_THREADS override.
 */
export function defaultPoolOptions(): OnnxPoolOptions {
  const cores = cpuCount();
  const workers = Math.min(cores, Math.max(1, Math.floor(Number(process.env.MEND_ONNX_WORKERS)) || 2));
  return { workers, threads: Math.max(1, Math.floor(Number(process.env.MEND_ONNX_THREADS)) || Math.floor(cores / workers)) };
}

/** A model loaded in the pool. */
export interface OnnxModelHandle {
  provider: OnnxProvider;
  failures: string[];
  /**
   * Runs the model on one input tensor in the least busy worker. `data`'s buffer is transferred
   * to the worker (it is unusable afterwards). On abort the promise rejects at once ('cancelled').
   */
  run(data: Float32Array, dims: number[], signal?: AbortSignal): Promise<Float32Array>;
  /** Frees the sessions (after the runs in flight). */
  release(): Promise<void>;
}

let keys = 0;

export class OnnxPool {
  private readonly workers: OnnxWorker[];

  constructor(readonly options: OnnxPoolOptions, private readonly providers: OnnxProvider[], entry: string) {
    this.workers = Array.from({ length: options.workers }, () => new OnnxWorker(entry, options.threads));
  }

  /** Loads `bytes` (an ONNX model) into every worker; the provider is the first that worked. */
  async load(bytes: Uint8Array): Promise<OnnxModelHandle> {
    const key = `m${++keys}`;
    const results = await Promise.all(
      this.workers.map((w) => w.request<LoadResult>({ op: 'load', key, bytes, threads: w.threads, providers: this.providers })),
    );
    const pick = (): OnnxWorker => this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    return {
      provider: results[0]!.provider,
      failures: results[0]!.failures,
      run: (data, dims, signal) => {
        if (signal?.aborted) return Promise.reject(new MendError('cancelled', 'Cancelled'));
        const work = pick()
          .request<{ data: Float32Array }>({ op: 'run', key, data, dims }, [data.buffer as ArrayBuffer])
          .then((r) => r.data);
        if (!signal) return work;
        return new Promise<Float32Array>((resolve, reject) => {
          const onAbort = (): void => reject(new MendError('cancelled', 'Cancelled'));
          signal.addEventListener('abort', onAbort, { once: true });
          work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
        });
      },
      release: async () => {
        await Promise.all(this.workers.map((w) => w.request({ op: 'unload', key }).catch(() => undefined)));
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

let sharedPool: OnnxPool | undefined;

/** The process-wide pool (created on first use). Throws 'unsupported' when ONNX Runtime is unavailable. */
export function onnxPool(): OnnxPool {
  if (sharedPool) return sharedPool;
  const a = onnxAvailability();
  if (!a.available || !a.entry) throw new MendError('unsupported', `ONNX Runtime is not available: ${a.reason}`);
  sharedPool = new OnnxPool(defaultPoolOptions(), a.providers, a.entry);
  return sharedPool;
}

/** Ends the shared pool's workers (tests; a process exits without it). */
export async function closeOnnxPool(): Promise<void> {
  const p = sharedPool;
  sharedPool = undefined;
  await p?.close();
}
