/**
 * `mend bench`'s inference timings: each shipped model on a synthetic image (the registry's
 * defaults loaded by task and kind), and the default colour model on both runtimes next to the
 * machine's matrix-multiply peak and the threading choice.
 */
import os from 'node:os';
import { MendError } from '../../shared/errors.js';
import { makeDamageMask } from '../corrupt/damage.js';
import { addNoise } from '../corrupt/noise.js';
import { denoiseRaster } from '../infer/denoise.js';
import { inpaintRaster } from '../infer/inpaint.js';
import { describeRuntime, inferenceRuntime, withRuntime, type RuntimeName } from '../infer/runtime-choice.js';
import { throwIfCancelled } from '../jobs/cancel.js';
import { Rng } from '../math/rng.js';
import { flopsPerPixel, inputChannels, sizeMultiple } from '../models/architectures.js';
import type { ModelTask } from '../models/card.js';
import { readRegistry, resolveModel } from '../models/registry.js';
import { modelToOnnx, type LoadedModel } from '../models/store.js';
import { onnxAvailability } from '../runtime/onnx-runtime.js';
import { benchSgemm, benchThreading, type SgemmBench, type ThreadingBench } from './onnx-bench.js';
import { syntheticImage } from './synthetic.js';

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

export const DEFAULTS: { task: ModelTask; kind: 'gray' | 'color' }[] = [
  { task: 'denoise', kind: 'color' },
  { task: 'denoise', kind: 'gray' },
  { task: 'inpaint', kind: 'color' },
];

export async function loadDefault(task: ModelTask, kind: 'gray' | 'color'): Promise<LoadedModel | string> {
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
export async function timeInference(loaded: LoadedModel, size: number, signal?: AbortSignal, channels = loaded.card.channels): Promise<Omit<InferenceBench, 'isDefault'>> {
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

/** Both runtimes on the default colour model, on a colour image. */
export async function compareRuntimes(
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
