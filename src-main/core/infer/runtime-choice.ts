/**
 * Which runtime runs inference: ONNX Runtime (onnx-runtime.ts) or TensorFlow.js (backend.ts).
 * Training always uses TensorFlow.js.
 *
 * `--runtime onnx|tfjs` (CLI) or MEND_RUNTIME forces one. Otherwise the first inference in a
 * process calibrates: the default denoisers' network architecture (random weights) runs on small
 * tiles in both runtimes (calibrate() below), and the faster one wins. The result is cached per machine
 * configuration (CPU, core count, runtime versions, TensorFlow.js backend, ONNX providers) in
 * the user's cache folder, so later runs decide at once.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MendError } from '../../shared/errors.js';
import { writeFileAtomic } from '../image/atomic-write.js';
import { buildModel, type ArchSpec } from '../models/architectures.js';
import { exportOnnx } from '../models/onnx-export.js';
import { backendStatus, describeBackend, initBackend, type BackendName } from '../runtime/backend.js';
import { defaultPoolOptions, describeProvider, onnxAvailability, onnxPool, type OnnxProvider } from '../runtime/onnx-runtime.js';

export type RuntimeName = 'onnx' | 'tfjs';
export const RUNTIMES: readonly RuntimeName[] = ['onnx', 'tfjs'];

export function parseRuntimeName(text: string): RuntimeName {
  const name = text.trim().toLowerCase();
  if ((RUNTIMES as readonly string[]).includes(name)) return name as RuntimeName;
  throw new MendError('usage', `Unknown runtime "${text}": use one of ${RUNTIMES.join(', ')}`);
}

export interface Calibration {
  /** Megapixels per second of the calibration model (on a 256x256 tile, or 64x64 for a runtime that was decisively slower). */
  onnxMegapixelsPerSecond: number;
  tfjsMegapixelsPerSecond: number;
  measuredAt: string;
  /** The cache file, and whether this result came from it. */
  file: string;
  cached: boolean;
}

export interface RuntimeStatus {
  active: RuntimeName;
  /** Chosen by --runtime or MEND_RUNTIME rather than by calibration. */
  forced: boolean;
  /** One line: why this runtime. */
  reason: string;
  onnx: {
    available: boolean;
    reason?: string;
    version?: string;
    /** The execution provider sessions got (known once a model was loaded). */
    provider?: OnnxProvider;
    /** Providers tried first that failed, with the reason. */
    providerFailures?: string[];
    workers: number;
    threads: number;
  };
  /** The TensorFlow.js backend (also used for training). */
  tfjsBackend: BackendName;
  calibration?: Calibration;
}

/** Runtime name and its engine in words, e.g. "ONNX Runtime 1.30.0 (CPU, 2 threads)". */
export function describeRuntime(s: RuntimeStatus, which: RuntimeName = s.active): string {
  if (which === 'tfjs') return `TensorFlow.js (${describeBackend(s.tfjsBackend)})`;
  const where = s.onnx.provider ? describeProvider(s.onnx.provider) : 'provider not chosen yet';
  const threads = s.onnx.workers > 1 ? `${s.onnx.workers} workers x ${s.onnx.threads} threads` : `${s.onnx.threads} thread${s.onnx.threads === 1 ? '' : 's'}`;
  return `ONNX Runtime ${s.onnx.version ?? ''} (${where}, ${threads})`.replace('  ', ' ');
}

/** The user's cache folder for Mend: MEND_CACHE_DIR, else the platform's cache location. */
export function mendCacheDir(): string {
  if (process.env.MEND_CACHE_DIR) return path.resolve(process.env.MEND_CACHE_DIR);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'Mend', 'Cache');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'Mend');
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'mend');
}

export const CALIBRATION_FILE = 'runtime-calibration.json';
/** The network both default denoisers run (models/gray-unet; colour photos go through it as luminance). */
const CALIBRATION_ARCH: ArchSpec = { kind: 'unet', channels: 1, width: 32, levels: 2, blocks: 3, codeActivation: 'relu', conditioning: 'noise-map' };
const CALIBRATION_SIDE = 256;

let preferred: RuntimeName | undefined;
let preferredBy: string | undefined;
let choice: Promise<RuntimeStatus> | undefined;
let current: RuntimeStatus | undefined;
/** The provider ONNX Runtime sessions got in this process (known after the first model loaded). */
let knownProvider: { provider: OnnxProvider; failures: string[] } | undefined;

/** Sets the runtime from `--runtime` (undefined: MEND_RUNTIME, else automatic). Call before the first inference. */
export function setRuntimePreference(flag?: string): void {
  const text = flag ?? process.env.MEND_RUNTIME;
  preferred = text ? parseRuntimeName(text) : undefined;
  preferredBy = flag ? '--runtime' : text ? 'MEND_RUNTIME' : undefined;
  choice = undefined;
  current = undefined;
}

/** The status once a choice was made in this process (undefined before the first inference or `mend info`). */
export function runtimeStatus(): RuntimeStatus | undefined {
  return current;
}

/** Runs `fn` with the runtime forced to `name`, then restores the previous choice (bench compares both). */
export async function withRuntime<T>(name: RuntimeName, fn: () => Promise<T>): Promise<T> {
  const saved = { preferred, preferredBy, choice, current };
  preferred = name;
  preferredBy = 'mend bench';
  choice = undefined;
  current = undefined;
  try {
    await inferenceRuntime();
    return await fn();
  } finally {
    ({ preferred, preferredBy, choice, current } = saved);
  }
}

/** Forgets the choice (tests). */
export function resetRuntimeChoice(): void {
  preferred = undefined;
  preferredBy = undefined;
  choice = undefined;
  current = undefined;
}

/** The runtime inference uses, deciding (and calibrating) on first call. */
export function inferenceRuntime(): Promise<RuntimeStatus> {
  if (!choice) {
    if (preferred === undefined && preferredBy === undefined) setRuntimePreference();
    choice = decide();
    choice.then((s) => (current = s), () => (choice = undefined));
  }
  return choice;
}

/** What a cached calibration is valid for: a change of machine, install or timed architecture calibrates again. */
function fingerprint(tfjsBackend: BackendName, version: string | undefined, providers: OnnxProvider[], workers: number, threads: number): string {
  return JSON.stringify({
    calibration: 3,
    arch: CALIBRATION_ARCH,
    platform: `${process.platform}-${process.arch}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.versions.node,
    tfjs: `${tf.version.tfjs}/${tfjsBackend}`,
    onnx: `${version}/${providers.join('+')}/${workers}x${threads}`,
  });
}

/** Calibrations kept in the cache file, newest first: a few installs side by side, not every one ever made. */
const CALIBRATIONS_KEPT = 4;
/** A calibration older than this is measured again: driver, runtime and system updates change speeds. */
const CALIBRATION_MAX_AGE_DAYS = 180;

interface CacheFile {
  entries: Record<string, { onnx: number; tfjs: number; provider: OnnxProvider; measuredAt: string }>;
}

function readCache(file: string): CacheFile {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    return c && typeof c.entries === 'object' ? c : { entries: {} };
  } catch {
    return { entries: {} };
  }
}

/** Megapixels per second of one `run` on a side x side tile. */
async function megapixelsPerSecond(run: (side: number) => Promise<void>, side: number): Promise<number> {
  const t0 = performance.now();
  await run(side);
  return (side * side) / 1e6 / ((performance.now() - t0) / 1000);
}

/**
 * Times both runtimes: a warm-up (first calls compile kernels), then a small tile, then the
 * calibration tile. When the small tiles already differ by more than DECISIVE times (the wasm
 * or plain-JS backends against ONNX Runtime), the slow runtime's large tile is skipped: on the
 * plain-JS backend it alone would take half a minute.
 */
const DECISIVE = 3;

async function calibrate(): Promise<{ onnx: number; tfjs: number; provider: OnnxProvider; failures: string[] }> {
  const model = buildModel(CALIBRATION_ARCH);
  try {
    const cin = CALIBRATION_ARCH.channels + 1;
    const input = (side: number): Float32Array => {
      const a = new Float32Array(side * side * cin);
      for (let i = 0; i < a.length; i++) a[i] = ((i * 2654435761) % 1000) / 1000;
      return a;
    };
    const pool = onnxPool();
    const handle = await pool.load(exportOnnx(model));
    // As inference runs: one tile per worker at once (megapixels counted per tile).
    const runOnnx = async (side: number): Promise<void> => {
      await Promise.all(Array.from({ length: pool.options.workers }, () => handle.run(input(side), [1, side, side, cin])));
    };
    const runTfjs = async (side: number): Promise<void> => {
      const out = tf.tidy(() => model.predict(tf.tensor4d(input(side), [1, side, side, cin])) as tf.Tensor);
      await out.data();
      out.dispose();
    };
    try {
      await runOnnx(32);
      await runTfjs(32);
      const workers = pool.options.workers;
      const small = { onnx: workers * (await megapixelsPerSecond(runOnnx, 64)), tfjs: await megapixelsPerSecond(runTfjs, 64) };
      const ratio = small.onnx / small.tfjs;
      const onnx = ratio < 1 / DECISIVE ? small.onnx : workers * (await megapixelsPerSecond(runOnnx, CALIBRATION_SIDE));
      const tfjs = ratio > DECISIVE ? small.tfjs : await megapixelsPerSecond(runTfjs, CALIBRATION_SIDE);
      return { onnx, tfjs, provider: handle.provider, failures: handle.failures };
    } finally {
      await handle.release();
    }
  } finally {
    model.dispose();
  }
}

async function decide(): Promise<RuntimeStatus> {
  const tfjsBackend = (backendStatus() ?? (await initBackend())).active;
  const a = onnxAvailability();
  const pool = a.available ? defaultPoolOptions() : { workers: 0, threads: 0 };
  const status: RuntimeStatus = {
    active: 'tfjs',
    forced: preferred !== undefined,
    reason: '',
    onnx: {
      available: a.available, reason: a.reason, version: a.version, workers: pool.workers, threads: pool.threads,
      provider: knownProvider?.provider, providerFailures: knownProvider?.failures,
    },
    tfjsBackend,
  };
  if (preferred === 'tfjs') return { ...status, active: 'tfjs', reason: `forced by ${preferredBy}` };
  if (!a.available) {
    if (preferred === 'onnx') throw new MendError('unsupported', `ONNX Runtime was requested (${preferredBy}) but is not available: ${a.reason}`);
    return { ...status, reason: `ONNX Runtime is not available: ${a.reason}` };
  }
  if (preferred === 'onnx') {
    // The provider becomes known when the first model loads (run-model.ts records it).
    return { ...status, active: 'onnx', reason: `forced by ${preferredBy}` };
  }
  const file = path.join(mendCacheDir(), CALIBRATION_FILE);
  const key = fingerprint(tfjsBackend, a.version, a.providers, pool.workers, pool.threads);
  const cache = readCache(file);
  let entry = cache.entries[key];
  let cached = true;
  const ageDays = entry ? (Date.now() - Date.parse(entry.measuredAt)) / 86_400_000 : NaN;
  if (!entry || !(ageDays <= CALIBRATION_MAX_AGE_DAYS)) {
    cached = false;
    const m = await calibrate();
    entry = { onnx: m.onnx, tfjs: m.tfjs, provider: m.provider, measuredAt: new Date().toISOString() };
    knownProvider ??= { provider: m.provider, failures: m.failures };
    status.onnx.providerFailures = m.failures;
    cache.entries[key] = entry;
    const newest = Object.entries(cache.entries).sort(([, x], [, y]) => y.measuredAt.localeCompare(x.measuredAt));
    cache.entries = Object.fromEntries(newest.slice(0, CALIBRATIONS_KEPT));
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, Buffer.from(JSON.stringify(cache, null, 2) + '\n'));
    } catch {
      // A read-only home only costs a calibration per process.
    }
  }
  const active: RuntimeName = entry.onnx >= entry.tfjs ? 'onnx' : 'tfjs';
  const ratio = active === 'onnx' ? entry.onnx / entry.tfjs : entry.tfjs / entry.onnx;
  return {
    ...status,
    active,
    onnx: { ...status.onnx, provider: entry.provider },
    reason: `${ratio.toFixed(1)}x faster than ${active === 'onnx' ? 'TensorFlow.js' : 'ONNX Runtime'} in a calibration run` +
      `${cached ? ` (cached ${entry.measuredAt.slice(0, 10)})` : ''}`,
    calibration: {
      onnxMegapixelsPerSecond: entry.onnx,
      tfjsMegapixelsPerSecond: entry.tfjs,
      measuredAt: entry.measuredAt,
      file,
      cached,
    },
  };
}

/** Records the provider a loaded model got (run-model.ts), for `mend info` and the UI. */
export function noteOnnxProvider(provider: OnnxProvider, failures: string[]): void {
  knownProvider = { provider, failures };
  if (!current) return;
  current.onnx.provider = provider;
  current.onnx.providerFailures = failures;
}
