/** `mend bench`'s training throughput: the trainer's own step on synthetic patches. */
import * as tf from '@tensorflow/tfjs';
import { MendError } from '../../shared/errors.js';
import { throwIfCancelled, yieldToEventLoop } from '../jobs/cancel.js';
import { Rng } from '../math/rng.js';
import { buildModel, flopsPerPixel, sizeMultiple, type ArchSpec } from '../models/architectures.js';
import { corruptBatch, type TrainCorruption } from '../train/corruption.js';
import { samplePatches } from '../train/patches.js';
import { createTrainStep } from '../train/step.js';
import { syntheticImage } from './synthetic.js';

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

/** What `mend train` uses when given no architecture options (unet, colour, noise-map). */
export const FALLBACK_ARCH: ArchSpec = { kind: 'residual', channels: 3, width: 40, depth: 10, codeActivation: 'relu', conditioning: 'noise-map' };

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
