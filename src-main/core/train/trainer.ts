/**
 * The training loop behind `mend train`: random patches, on-the-fly corruption, Adam with a
 * cosine learning-rate decay and gradient clipping, optional code regularizer, validation PSNR,
 * checkpoints, resume and clean cancel.
 */
import * as tf from '@tensorflow/tfjs';
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { Rng } from '../math/rng.js';
import { throwIfCancelled, yieldToEventLoop } from '../jobs/cancel.js';
import { buildModel, flopsPerPixel, inputChannels, sizeMultiple, type ArchSpec } from '../models/architectures.js';
import type { ModelCard, ModelTask } from '../models/card.js';
import { saveModelFolder } from '../models/store.js';
import { backendStatus, describeBackend } from '../runtime/backend.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint.js';
import { corruptBatch, type TrainCorruption } from './corruption.js';
import { loadDataset } from './dataset.js';
import { samplePatches } from './patches.js';
import { type RegularizerSpec } from './regularizers.js';
import { createTrainStep } from './step.js';

export interface TrainOptions {
  data: string;
  out: string;
  arch: ArchSpec;
  task: ModelTask;
  corruption: TrainCorruption;
  /** As typed by the user, for the card. */
  corruptionText: string;
  regularizer?: RegularizerSpec;
  steps: number;
  batch: number;
  patch: number;
  learningRate: number;
  seed: number;
  valEvery: number;
  checkpointEvery: number;
  resume: boolean;
  maxImages?: number;
  id: string;
  name: string;
  description: string;
  /** The command line, recorded in the card so the model can be reproduced. */
  command: string;
  /** Fine-tuning: start from this model's weights (same architecture) instead of random ones. */
  init?: { id: string; model: tf.LayersModel };
  /**
   * Called after each validation with the first few fixed validation patches, for a live preview
   * of what the model does (the interface's training view). Optional: costs one small predict.
   */
  onSamples?: (samples: TrainSamples) => void | Promise<void>;
  /** Patches onSamples gets (default 3, at most the validation set). */
  sampleCount?: number;
}

/** Validation patches at one step: NHWC float32 in [0,1], `count` patches of size x size x channels. */
export interface TrainSamples {
  step: number;
  count: number;
  size: number;
  channels: number;
  clean: Float32Array;
  /** The model's input image planes (noisy, or prefilled holes), without the conditioning plane. */
  corrupted: Float32Array;
  output: Float32Array;
}

export interface TrainResult {
  dir: string;
  card: ModelCard;
  steps: number;
  valPsnr: number;
  wallSeconds: number;
  patchesPerSecond: number;
}

const VAL_PATCHES = 24;

/** The corruption used for validation: a fixed, mid-range setting so numbers are comparable. */
function validationCorruption(c: TrainCorruption): TrainCorruption {
  if (c.kind === 'gaussian') {
    const s = c.sigma[0] <= 25 && 25 <= c.sigma[1] ? 25 : (c.sigma[0] + c.sigma[1]) / 2;
    return { kind: 'gaussian', sigma: [s, s] };
  }
  if (c.kind === 'poisson-gaussian' || c.kind === 'photo') {
    const mid = (r: [number, number]): [number, number] => [(r[0] + r[1]) / 2, (r[0] + r[1]) / 2];
    return { kind: c.kind, a: mid(c.a), b: mid(c.b) };
  }
  if (c.kind === 'salt-pepper') return { kind: 'salt-pepper', p: [c.p[1], c.p[1]] };
  return c;
}

function psnrFromMse(mse: number): number {
  return 10 * Math.log10(1 / Math.max(mse, 1e-12));
}

export async function trainModel(opts: TrainOptions, ctx: JobContext = {}): Promise<TrainResult> {
  const { arch, batch, patch } = opts;
  const multiple = sizeMultiple(arch);
  if (patch % multiple !== 0) throw new MendError('usage', `--patch must be a multiple of ${multiple} for this architecture`);
  if (opts.corruption.kind === 'damage' && arch.conditioning !== 'mask') {
    throw new MendError('usage', 'Inpainting training (noise "damage") needs an architecture with a mask input');
  }
  const emit = ctx.onEvent ?? (() => undefined);
  const data = await loadDataset(opts.data, arch.channels, {
    minSide: patch,
    maxImages: opts.maxImages,
    signal: ctx.signal,
    onLoaded: (done, total) => emit({ type: 'progress', stage: 'load', done, total, detail: 'reading training images' }),
    onSkipped: (_file, reason) => emit({ type: 'log', level: 'warn', message: `Skipped ${reason}` }),
  });

  const optimizer = tf.train.adam(opts.learningRate);
  let model: tf.LayersModel;
  let state: CheckpointState = { step: 0, elapsedSeconds: 0 };
  // The card records every command that contributed, so a resumed model stays reproducible.
  let command = opts.command;
  let initFrom = opts.init?.id;
  if (opts.resume && hasCheckpoint(opts.out)) {
    const ck = await loadCheckpoint(opts.out, optimizer);
    model = ck.model;
    state = ck.state;
    initFrom = ck.card.initFrom;
    if (ck.card.training?.command) command = `${ck.card.training.command}\n${opts.command}`;
    emit({ type: 'log', level: 'info', message: `Resuming from step ${state.step} (checkpoint in ${opts.out})` });
  } else {
    model = buildModel(arch);
    if (opts.init) {
      const from = opts.init.model.getWeights();
      const shapes = (ws: tf.Tensor[]): string => ws.map((w) => w.shape.join('x')).join(',');
      if (shapes(from) !== shapes(model.getWeights())) {
        throw new MendError('usage', `Cannot fine-tune from ${opts.init.id}: its architecture differs from the one requested`);
      }
      model.setWeights(from);
      emit({ type: 'log', level: 'info', message: `Fine-tuning from ${opts.init.id}` });
    }
  }
  const fpp = flopsPerPixel(model);
  const channels = arch.channels;
  const cin = inputChannels(arch);

  const reg = opts.regularizer;
  const trainStep = createTrainStep(model, optimizer, channels, reg);

  // Fixed validation patches (same seed every run and on resume).
  const valRng = new Rng(opts.seed ^ 0x5eed);
  const valSize = Math.max(multiple, Math.min(96, Math.floor(Math.min(...data.val.map((r) => Math.min(r.width, r.height))) / multiple) * multiple));
  const valClean = samplePatches(data.val, VAL_PATCHES, valSize, valRng);
  const valBatch = await corruptBatch(valClean, VAL_PATCHES, valSize, channels, validationCorruption(opts.corruption), arch.conditioning, valRng);

  const validate = (): number =>
    tf.tidy(() => {
      const out = tf.clipByValue(model.predict(tf.tensor4d(valBatch.input, [VAL_PATCHES, valSize, valSize, cin])) as tf.Tensor, 0, 1);
      const clean = tf.tensor4d(valClean, [VAL_PATCHES, valSize, valSize, channels]);
      const sq = tf.square(tf.sub(out, clean));
      if (valBatch.mask) {
        const m = tf.tensor4d(valBatch.mask, [VAL_PATCHES, valSize, valSize, 1]);
        return psnrFromMse(tf.sum(tf.mul(sq, m)).dataSync()[0] / Math.max(1, tf.sum(m).dataSync()[0] * channels));
      }
      return psnrFromMse(tf.mean(sq).dataSync()[0]);
    });

  const sampleCount = Math.min(VAL_PATCHES, Math.max(1, Math.floor(opts.sampleCount ?? 3)));
  const samples = (at: number): TrainSamples => {
    const px = valSize * valSize;
    const input = valBatch.input.subarray(0, sampleCount * px * cin);
    const output = tf.tidy(() => {
      const y = tf.clipByValue(model.predict(tf.tensor4d(input, [sampleCount, valSize, valSize, cin])) as tf.Tensor, 0, 1);
      return Float32Array.from(y.dataSync());
    });
    const corrupted = new Float32Array(sampleCount * px * channels);
    for (let p = 0; p < sampleCount * px; p++) {
      for (let c = 0; c < channels; c++) corrupted[p * channels + c] = input[p * cin + c];
    }
    return { step: at, count: sampleCount, size: valSize, channels, clean: valClean.slice(0, sampleCount * px * channels), corrupted, output };
  };

  const rng = new Rng(opts.seed + state.step * 7919);
  const cleanBuf = new Float32Array(batch * patch * patch * channels);
  const makeCard = (step: number, wall: number, valPsnr?: number, loss?: number): ModelCard => ({
    id: opts.id,
    name: opts.name,
    description: opts.description,
    task: opts.task,
    channels,
    arch,
    sigmaRange: opts.corruption.kind === 'gaussian' ? opts.corruption.sigma : undefined,
    ...(initFrom ? { initFrom } : {}),
    flopsPerPixel: fpp,
    params: model.countParams(),
    training: {
      command,
      data: opts.data,
      images: data.files,
      steps: step,
      batch,
      patch,
      noise: opts.corruptionText,
      regularizer: reg?.kind,
      lambda: reg?.lambda,
      wallSeconds: wall,
      // Over the whole training, resumed runs included.
      patchesPerSecond: wall > 0 ? (step * batch) / wall : 0,
      backend: describeBackend(backendStatus()?.active ?? 'cpu'),
      finalLoss: loss,
      valPsnr,
    },
    created: new Date().toISOString(),
  });

  const startStep = state.step;
  const startElapsed = state.elapsedSeconds;
  const t0 = performance.now();
  const elapsed = (): number => startElapsed + (performance.now() - t0) / 1000;
  let lastLoss = state.lastLoss ?? NaN;
  let valPsnr = state.lastValPsnr ?? NaN;

  const checkpoint = async (step: number): Promise<void> => {
    await saveCheckpoint(opts.out, model, makeCard(step, elapsed(), valPsnr, lastLoss), optimizer, {
      step,
      elapsedSeconds: elapsed(),
      lastLoss,
      lastValPsnr: valPsnr,
    });
  };

  let step = state.step;
  try {
    while (step < opts.steps) {
      throwIfCancelled(ctx.signal);
      // Cosine decay to 2% of the starting rate over the whole run, with a short warm-up.
      const progress = step / opts.steps;
      const warm = Math.min(1, (step + 1) / 50);
      (optimizer as unknown as { learningRate: number }).learningRate =
        opts.learningRate * warm * (0.02 + 0.98 * 0.5 * (1 + Math.cos(Math.PI * progress)));

      samplePatches(data.train, batch, patch, rng, cleanBuf);
      const { input, mask } = await corruptBatch(cleanBuf, batch, patch, channels, opts.corruption, arch.conditioning, rng);
      const lossValue = trainStep({ input, clean: cleanBuf, mask, batch, patch });
      if (!Number.isFinite(lossValue)) throw new MendError('internal', `Training diverged at step ${step + 1} (loss ${lossValue}); try a lower --lr`);
      lastLoss = lossValue;
      step++;
      if (step % opts.valEvery === 0 || step === opts.steps) {
        valPsnr = validate();
        if (opts.onSamples) await opts.onSamples(samples(step));
      }
      const secs = (performance.now() - t0) / 1000;
      const rate = ((step - startStep) * batch) / secs;
      emit({
        type: 'progress',
        stage: 'train',
        done: step,
        total: opts.steps,
        etaSeconds: ((opts.steps - step) * batch) / rate,
        metrics: { loss: lossValue, valPsnr, patchesPerSecond: rate, gflops: (3 * fpp * rate * patch * patch) / 1e9 },
      });
      if (step % opts.checkpointEvery === 0 && step < opts.steps) await checkpoint(step);
      await yieldToEventLoop();
    }
  } catch (e) {
    if (e instanceof MendError && e.code === 'cancelled' && step > startStep) {
      await checkpoint(step);
      throw new MendError('cancelled', `Training cancelled at step ${step}; checkpoint saved, continue with --resume`);
    }
    throw e;
  }
  const wall = elapsed();
  const card = makeCard(step, wall, valPsnr, lastLoss);
  await saveModelFolder(opts.out, model, card);
  await checkpoint(step);
  return { dir: opts.out, card, steps: step, valPsnr, wallSeconds: wall, patchesPerSecond: card.training!.patchesPerSecond };
}
