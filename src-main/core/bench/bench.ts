/**
 * `mend bench`: how fast and how good the shipped models are on this machine.
 *  - inference speed of each registry default model on a generated picture (megapixels/s and
 *    GFLOPS from the card's FLOPs per pixel);
 *  - for the default colour model, both inference runtimes (TensorFlow.js and ONNX Runtime) side
 *    by side, an sgemm of the machine (its practical peak) and the fraction of it inference
 *    reaches, and tiles one-after-another-with-all-threads vs side-by-side-single-threaded;
 *  - training throughput of the default colour denoiser's architecture, using the trainer's own
 *    step (patches/s; effective GFLOPS = 3 x forward FLOPs per second: forward + two backward);
 *  - with the Set12/McMaster benchmark images (`--data DIR`, else MEND_DATA; data-dir.ts):
 *    `mend eval` on Set12 and McMaster at sigma 15/25/50 and the inpainting masks, next to
 *    published reference numbers.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { makeDamageMask } from '../corrupt/damage.js';
import { addNoise } from '../corrupt/noise.js';
import { Rng } from '../math/rng.js';
import {
  BENCH_SIGMAS, evaluateDenoise, evaluateInpaint, type DenoiseEvalRow, type EvalResult, type InpaintEvalRow,
} from '../eval/evaluate.js';
import { denoiseRaster } from '../infer/denoise.js';
import { inpaintRaster } from '../infer/inpaint.js';
import { throwIfCancelled, yieldToEventLoop } from '../jobs/cancel.js';
import { buildModel, flopsPerPixel, inputChannels, sizeMultiple, type ArchSpec } from '../models/architectures.js';
import type { ModelTask } from '../models/card.js';
import { defaultChannels, readRegistry, resolveModel, shippedModelsDir } from '../models/registry.js';
import { loadModelFolder, modelToOnnx, type LoadedModel } from '../models/store.js';
import { backendStatus, describeBackend } from '../runtime/backend.js';
import { describeRuntime, inferenceRuntime, withRuntime, type RuntimeName } from '../infer/runtime-choice.js';
import { onnxAvailability } from '../runtime/onnx-runtime.js';
import { benchSgemm, benchThreading, type SgemmBench, type ThreadingBench } from './onnx-bench.js';
import { corruptBatch, type TrainCorruption } from '../train/corruption.js';
import { samplePatches } from '../train/patches.js';
import { createTrainStep } from '../train/step.js';
import { benchDataDir, NO_BENCH_DATA } from './data-dir.js';
import { REFERENCE_PSNR, type ReferenceRow } from './reference.js';
import { syntheticImage } from './synthetic.js';
import { benchBatchOverhead, type BatchOverheadResult } from './batch-bench.js';

export interface BenchOptions extends JobContext {
  /** 512x512 inference instead of 1024x1024, fewer training steps. */
  quick?: boolean;
  /** Benchmark data folder; undefined = MEND_DATA, or no eval when unset; null = skip the eval. */
  data?: string | null;
  /** Also time a batch of one-megapixel photos (issue: batch overhead under 10%); images count. */
  batchImages?: number;
}

export interface InferenceBench {
  model: string;
  /** The registry's default for its task and kind. */
  isDefault: boolean;
  task: ModelTask;
  kind: 'gray' | 'color';
  width: number;
  height: number;
  seconds: number;
  /** CPU time of the whole process (all threads) during the timed run. */
  cpuSeconds: number;
  megapixelsPerSecond: number;
  flopsPerPixel: number;
  gflops: number;
}

/** One model's inference speed on one runtime. */
export interface RuntimeSpeed {
  runtime: RuntimeName;
  /** e.g. "ONNX Runtime 1.30.0 (CPU, 2 threads)" or "TensorFlow.js (WebAssembly ...)". */
  description: string;
  seconds: number;
  /** CPU time of the whole process (all threads) during the timed run: on a shared machine, what it cost. */
  cpuSeconds: number;
  megapixelsPerSecond: number;
  gflops: number;
}

/** The default colour model on both runtimes, and how close ONNX Runtime gets to the machine's peak. */
export interface RuntimeComparison {
  model: string;
  width: number;
  height: number;
  tfjs: RuntimeSpeed;
  onnx: RuntimeSpeed | null;
  /** ONNX Runtime megapixels/s over TensorFlow.js megapixels/s. */
  speedup: number | null;
  sgemm: SgemmBench | null;
  /** ONNX Runtime inference GFLOPS (whole denoise, tiling included) over sgemm GFLOPS. */
  peakFraction: number | null;
  /** The same per CPU-second (GFLOP / CPU time of the process): steadier on a busy machine. */
  peakFractionPerCpuSecond: number | null;
  threading: ThreadingBench | null;
  /** 1-minute load average before and after (0 on Windows): other programs' share of the CPU. */
  loadAverage: [number, number];
}

export interface TrainingBench {
  /** The model whose architecture was timed, or null for the built-in default spec. */
  model: string | null;
  arch: ArchSpec;
  batch: number;
  patch: number;
  warmupSteps: number;
  steps: number;
  seconds: number;
  patchesPerSecond: number;
  flopsPerPixel: number;
  /** 3 x forward FLOPs per second. */
  gflops: number;
}

export interface BenchEval {
  data: string;
  denoise: EvalResult<DenoiseEvalRow>[];
  inpaint: EvalResult<InpaintEvalRow>[];
  /** Published numbers for the sets evaluated (Set12, McMaster). */
  reference: ReferenceRow[];
}

export interface BenchResult {
  /** TensorFlow.js backend (training, and inference when the tfjs runtime runs it). */
  backend: string;
  backendDescription: string;
  /** The inference runtime the per-model timings used. */
  runtime: RuntimeName;
  runtimeDescription: string;
  runtimes: RuntimeComparison | null;
  quick: boolean;
  inference: InferenceBench[];
  training: TrainingBench;
  eval: BenchEval | null;
  batch: BatchOverheadResult | null;
  /** Things not measured, and why (no default model installed, no data...). */
  notes: string[];
  peakRssMB: number;
}

/** What `mend train` uses when given no architecture options (unet, colour, noise-map). */
const FALLBACK_ARCH: ArchSpec = { kind: 'residual', channels: 3, width: 40, depth: 10, codeActivation: 'relu', conditioning: 'noise-map' };

const DEFAULTS: { task: ModelTask; kind: 'gray' | 'color' }[] = [
  { task: 'denoise', kind: 'color' },
  { task: 'denoise', kind: 'gray' },
  { task: 'inpaint', kind: 'color' },
];

async function loadDefault(task: ModelTask, kind: 'gray' | 'color'): Promise<LoadedModel | string> {
  const id = readRegistry().defaults[task]?.[kind];
  if (!id) return `no default ${kind} ${task} model in the registry`;
  try {
    return await resolveModel(id, task, kind === 'gray' ? 1 : 3);
  } catch (e) {
    if (e instanceof MendError && e.code === 'model') return e.message;
    throw e;
  }
}

/**
 * Times the model on a synthetic `size` x `size` image of `channels` (default: the model's own):
 * a grey denoiser on a colour image is timed through the luminance route the colour default takes.
 */
async function timeInference(loaded: LoadedModel, size: number, signal?: AbortSignal, channels = loaded.card.channels): Promise<Omit<InferenceBench, 'isDefault'>> {
  const card = loaded.card;
  const rng = new Rng(7);
  let cpu0 = process.cpuUsage();
  const run = async (side: number): Promise<number> => {
    const clean = syntheticImage(side, side, channels, 11);
    let t0: number;
    if (card.task === 'inpaint') {
      const mask = makeDamageMask('blobs', side, side, rng);
      t0 = performance.now();
      cpu0 = process.cpuUsage();
      await inpaintRaster(clean, mask, loaded, { signal, grain: false });
    } else {
      const noisy = addNoise(clean, { kind: 'gaussian', sigma: 25 }, rng);
      t0 = performance.now();
      cpu0 = process.cpuUsage();
      await denoiseRaster(noisy, loaded, { sigma: 25, signal });
    }
    return (performance.now() - t0) / 1000;
  };
  // Warm-up: first calls compile kernels and allocate; not what a user waits for per photo.
  await run(Math.max(64, sizeMultiple(card.arch) * 8));
  const seconds = await run(size);
  const cpu = process.cpuUsage(cpu0);
  const fpp = card.flopsPerPixel ?? flopsPerPixel(loaded.model);
  const pixels = size * size;
  return {
    model: card.id,
    task: card.task,
    kind: channels === 1 ? 'gray' : 'color',
    width: size,
    height: size,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    megapixelsPerSecond: pixels / 1e6 / seconds,
    flopsPerPixel: fpp,
    gflops: (fpp * pixels) / seconds / 1e9,
  };
}

/** Times the trainer's step on synthetic patches (same sampling and corruption as training). */
export async function benchTraining(
  arch: ArchSpec,
  opts: { batch?: number; patch?: number; warmup?: number; steps?: number; signal?: AbortSignal; onStep?: (done: number, total: number) => void } = {},
): Promise<Omit<TrainingBench, 'model'>> {
  const batch = opts.batch ?? 16;
  const patch = opts.patch ?? 64;
  const warmup = opts.warmup ?? 2;
  const steps = opts.steps ?? 4;
  if (patch % sizeMultiple(arch) !== 0) throw new MendError('internal', `Patch ${patch} is not a multiple of ${sizeMultiple(arch)}`);
  const model = buildModel(arch);
  const optimizer = tf.train.adam(1e-3);
  try {
    const fpp = flopsPerPixel(model);
    const step = createTrainStep(model, optimizer, arch.channels);
    const images = [syntheticImage(256, 256, arch.channels, 3), syntheticImage(256, 256, arch.channels, 4)];
    const corruption: TrainCorruption = arch.conditioning === 'mask' ? { kind: 'damage' } : { kind: 'gaussian', sigma: [0, 55] };
    const rng = new Rng(5);
    const clean = new Float32Array(batch * patch * patch * arch.channels);
    const one = async (): Promise<void> => {
      samplePatches(images, batch, patch, rng, clean);
      const { input, mask } = await corruptBatch(clean, batch, patch, arch.channels, corruption, arch.conditioning, rng);
      step({ input, clean, mask, batch, patch });
    };
    let t0 = 0;
    for (let i = 0; i < warmup + steps; i++) {
      throwIfCancelled(opts.signal);
      if (i === warmup) t0 = performance.now();
      await one();
      opts.onStep?.(i + 1, warmup + steps);
      await yieldToEventLoop();
    }
    const seconds = (performance.now() - t0) / 1000;
    const patchesPerSecond = (steps * batch) / seconds;
    return {
      arch, batch, patch, warmupSteps: warmup, steps, seconds, patchesPerSecond, flopsPerPixel: fpp,
      gflops: (3 * fpp * patch * patch * patchesPerSecond) / 1e9,
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/** Both runtimes on the default colour model, on a colour image. */
async function compareRuntimes(
  loaded: LoadedModel,
  size: number,
  signal: AbortSignal | undefined,
  stage: (detail: string, done: number, total: number) => void,
): Promise<RuntimeComparison> {
  const id = loaded.card.id;
  const load0 = os.loadavg()[0]!;
  const speed = async (runtime: RuntimeName): Promise<RuntimeSpeed> =>
    withRuntime(runtime, async () => {
      const t = await timeInference(loaded, size, signal, 3);
      return {
        runtime, description: describeRuntime(await inferenceRuntime()), seconds: t.seconds, cpuSeconds: t.cpuSeconds,
        megapixelsPerSecond: t.megapixelsPerSecond, gflops: t.gflops,
      };
    });
  stage(`${id} on TensorFlow.js ${size}x${size}`, 0, 4);
  const tfjs = await speed('tfjs');
  if (!onnxAvailability().available) {
    return {
      model: id, width: size, height: size, tfjs, onnx: null, speedup: null, sgemm: null, peakFraction: null,
      peakFractionPerCpuSecond: null, threading: null,
      loadAverage: [load0, os.loadavg()[0]!],
    };
  }
  stage(`${id} on ONNX Runtime ${size}x${size}`, 1, 4);
  const onnx = await speed('onnx');
  throwIfCancelled(signal);
  stage('sgemm 2048x2048 on ONNX Runtime', 2, 4);
  const sgemm = await benchSgemm();
  throwIfCancelled(signal);
  stage('threads per tile vs tiles in parallel', 3, 4);
  const threading = (await benchThreading(loaded.onnx ?? modelToOnnx(loaded.model, loaded.card), inputChannels(loaded.card.arch))) ?? null;
  stage('runtimes compared', 4, 4);
  return {
    model: id, width: size, height: size, tfjs, onnx,
    speedup: onnx.megapixelsPerSecond / tfjs.megapixelsPerSecond,
    sgemm,
    peakFraction: onnx.gflops / sgemm.gflops,
    peakFractionPerCpuSecond: (onnx.gflops * onnx.seconds) / onnx.cpuSeconds / sgemm.gflopsPerCpuSecond,
    threading,
    loadAverage: [load0, os.loadavg()[0]!],
  };
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const emit = opts.onEvent ?? (() => undefined);
  const quick = opts.quick ?? false;
  const size = quick ? 512 : 1024;
  const notes: string[] = [];
  const stage = (detail: string, done: number, total: number): void =>
    emit({ type: 'progress', stage: 'bench', done, total, detail });
  // Checked first: a mistyped folder fails at once, not after minutes of timing.
  const data = opts.data === null ? undefined : benchDataDir(opts.data);

  // Inference: every shipped model (the issue asks for FLOPs/px and MP/s of each) on its own kind
  // of image, defaults first, and each default on the kind it is the default for (a grey model
  // can be the colour default).
  const inference: InferenceBench[] = [];
  const registry = readRegistry();
  const defaultIds = new Set(DEFAULTS.map((d) => registry.defaults[d.task]?.[d.kind]).filter((id) => id !== undefined));
  for (const d of DEFAULTS) {
    if (!registry.defaults[d.task]?.[d.kind]) notes.push(`inference ${d.kind} ${d.task}: no default model in the registry`);
  }
  const entries = [...registry.models].sort((a, b) => Number(defaultIds.has(b.id)) - Number(defaultIds.has(a.id)));
  for (const [i, entry] of entries.entries()) {
    throwIfCancelled(opts.signal);
    let loaded: LoadedModel;
    try {
      loaded = await loadModelFolder(path.join(shippedModelsDir(), entry.path));
    } catch (e) {
      if (!(e instanceof MendError)) throw e;
      notes.push(`inference ${entry.id}: ${e.message}`);
      continue;
    }
    const kinds = new Set([loaded.card.channels, ...defaultChannels(registry, loaded.card.task, entry.id)]);
    stage(`inference ${loaded.card.id} ${size}x${size}`, i, entries.length);
    for (const channels of [...kinds].sort((a, b) => b - a)) {
      inference.push({ ...(await timeInference(loaded, size, opts.signal, channels)), isDefault: defaultIds.has(entry.id) });
    }
    stage(`inference ${loaded.card.id} ${size}x${size}`, i + 1, entries.length);
  }

  // Both runtimes on the default colour model, against the machine's sgemm.
  const colour = await loadDefault('denoise', 'color');
  let runtimes: RuntimeComparison | null = null;
  if (typeof colour === 'string') notes.push(`runtime comparison: ${colour}`);
  else {
    runtimes = await compareRuntimes(colour, size, opts.signal, (detail, done, total) => stage(detail, done, total));
    if (!runtimes.onnx) notes.push(`runtime comparison: ONNX Runtime is not available (${onnxAvailability().reason})`);
  }
  const active = await inferenceRuntime();

  // Training throughput of the default colour denoiser's architecture.
  let archModel: string | null = null;
  let arch = FALLBACK_ARCH;
  if (typeof colour === 'string') notes.push(`training: ${colour}; timed the default \`mend train\` architecture instead`);
  else {
    archModel = colour.card.id;
    arch = colour.card.arch;
  }
  const trained = await benchTraining(arch, {
    warmup: quick ? 1 : 2,
    steps: quick ? 2 : 4,
    signal: opts.signal,
    onStep: (done, total) => stage('training steps (batch 16, patch 64)', done, total),
  });
  const training: TrainingBench = { model: archModel, ...trained };

  // Quality on the benchmark sets.
  let evalResult: BenchEval | null = null;
  if (opts.data === null) notes.push('eval: skipped (--no-eval)');
  else if (!data) notes.push(NO_BENCH_DATA);
  else {
    evalResult = { data, denoise: [], inpaint: [], reference: [] };
    const job = { signal: opts.signal, onEvent: opts.onEvent };
    for (const [set, kind] of [['Set12', 'gray'], ['McMaster', 'color']] as const) {
      const dir = path.join(data, 'bench', set);
      if (!existsSync(dir)) {
        notes.push(`eval ${set}: ${dir} not found`);
        continue;
      }
      const model = await loadDefault('denoise', kind);
      if (typeof model === 'string') {
        notes.push(`eval ${set}: ${model}`);
        continue;
      }
      evalResult.denoise.push(await evaluateDenoise({ ...job, data: dir, sigmas: [...BENCH_SIGMAS], seed: 0, model: model.card.id }));
      evalResult.reference.push(...REFERENCE_PSNR.filter((r) => r.set === set));
    }
    const images = path.join(data, 'bench', 'McMaster');
    const masks = path.join(data, 'bench', 'masks', 'McMaster');
    const inpainter = await loadDefault('inpaint', 'color');
    if (!existsSync(images) || !existsSync(masks)) notes.push(`eval inpaint: ${masks} not found`);
    else if (typeof inpainter === 'string') notes.push(`eval inpaint: ${inpainter}`);
    else evalResult.inpaint.push(await evaluateInpaint({ ...job, data: images, masks, model: inpainter.card.id }));
  }

  let batch: BatchOverheadResult | null = null;
  if (opts.batchImages) {
    batch = await benchBatchOverhead({ images: opts.batchImages, signal: opts.signal, onEvent: opts.onEvent });
  } else notes.push('batch overhead: not run (add --batch N to time a batch of N one-megapixel photos)');

  const backend = backendStatus()?.active ?? (tf.getBackend() as 'cpu');
  return {
    backend,
    backendDescription: describeBackend(backend),
    runtime: active.active,
    runtimeDescription: describeRuntime(active),
    runtimes,
    quick,
    inference,
    training,
    eval: evalResult,
    batch,
    notes,
    // maxRSS is in kilobytes.
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
