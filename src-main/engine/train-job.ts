/**
 * Training from the interface: the autoencoder variants (docs/cli.md, Training) mapped
 * onto `mend train` settings, a new user model under userModelsDir()/<id from the name>, live
 * progress and validation previews. Cancel stops at the next step and keeps a checkpoint, so the
 * same name with `resume` continues.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm, rmdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { ImageId, JobStreamEvent, TrainJobSpec, TrainResult } from '../shared/api.js';
import { MendError } from '../shared/errors.js';
import type { ArchSpec, CodeActivation, Conditioning } from '../core/models/architectures.js';
import { sizeMultiple } from '../core/models/architectures.js';
import type { ModelTask } from '../core/models/card.js';
import { forgetModel, listModels, userModelsDir } from '../core/models/registry.js';
import { hasCheckpoint } from '../core/train/checkpoint.js';
import { parseTrainCorruption } from '../core/train/corruption.js';
import { listImages } from '../core/train/dataset.js';
import { parseRegularizer, type RegularizerSpec } from '../core/train/regularizers.js';
import { trainModel, type TrainSamples } from '../core/train/trainer.js';
import { EngineError } from '../host/errors.js';
import { readableFileFor } from './batch-job.js';
import type { JobRuntime } from './image-jobs.js';
import { slugify, summaryOf, uniqueUserModelId } from './models.js';
import { resolveUnderRoots } from '../host/roots.js';

export interface TrainRuntime extends JobRuntime {
  roots: string[] | undefined;
}

/** What a variant means in `mend train` terms (see cli/commands/train.ts for the same defaults). */
export interface TrainPlan {
  arch: ArchSpec;
  task: ModelTask;
  noise: string;
  regularizer?: RegularizerSpec;
}

export function planTraining(spec: TrainJobSpec): TrainPlan {
  const lambda = spec.lambda ?? 1e-3;
  // An undercomplete autoencoder is defined by its bottleneck: always the pure autoencoder arch.
  const kind = spec.variant === 'undercomplete' ? 'autoencoder' : spec.arch;
  const noise = spec.variant === 'undercomplete' ? 'none' : spec.variant === 'denoising' ? (spec.noise || 'gaussian:0-55') : (spec.noise || 'none');
  const corruption = parseTrainCorruption(noise);
  if (spec.variant === 'denoising' && corruption.kind === 'none') throw new EngineError('usage', 'A denoising autoencoder needs a training noise, e.g. gaussian:0-55');
  const regularizer =
    spec.variant === 'sparse-l1' ? parseRegularizer('l1', lambda)
    : spec.variant === 'sparse-kl' ? parseRegularizer('kl', lambda)
    : spec.variant === 'contractive' ? parseRegularizer('contractive', lambda)
    : undefined;
  const conditioning: Conditioning = corruption.kind === 'damage' ? 'mask' : corruption.kind === 'none' || kind === 'autoencoder' ? 'none' : 'noise-map';
  // KL sparsity needs activations in (0,1): a sigmoid code, as `mend train --regularizer kl` picks.
  const codeActivation: CodeActivation = spec.variant === 'sparse-kl' ? 'sigmoid' : 'relu';
  const channels = spec.channels;
  let arch: ArchSpec;
  if (kind === 'unet') arch = { kind, channels, width: 48, levels: 3, blocks: 2, codeActivation, conditioning };
  else if (kind === 'residual') arch = { kind, channels, width: 40, depth: 10, codeActivation, conditioning };
  else arch = { kind, channels, width: 40, levels: 2, codeChannels: 16, codeActivation, conditioning };
  if (corruption.kind === 'damage' && arch.conditioning !== 'mask') throw new EngineError('usage', 'Inpainting training needs an architecture with a mask input');
  const task: ModelTask = corruption.kind === 'damage' ? 'inpaint' : corruption.kind === 'none' ? 'reconstruct' : 'denoise';
  return { arch, task, noise, ...(regularizer ? { regularizer } : {}) };
}

/** The equivalent command line, recorded in the card so the model can be reproduced. */
function commandLine(spec: TrainJobSpec, plan: TrainPlan, data: string, out: string, steps: number, batch: number): string {
  const q = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const parts = ['mend', 'train', '--data', data, '--out', out, '--arch', plan.arch.kind, '--channels', String(plan.arch.channels),
    '--noise', plan.noise, '--steps', String(steps), '--batch', String(batch), '--patch', String(spec.patch), '--name', spec.name];
  if (plan.regularizer) parts.push('--regularizer', plan.regularizer.kind, '--lambda', String(plan.regularizer.lambda));
  if (spec.resume) parts.push('--resume');
  return `${parts.map(q).join(' ')}  # from the Mend interface (${spec.variant} autoencoder)`;
}

/** Links (or copies, where links are not allowed) every training image into one folder. */
async function gatherData(spec: TrainJobSpec, rt: TrainRuntime): Promise<{ dir: string; cleanup?: string; shown: string }> {
  const images: ImageId[] = spec.images ?? [];
  const paths = spec.paths ?? [];
  if (images.length + paths.length === 0) throw new EngineError('usage', 'No training images: add images or folders');
  const resolved: string[] = [];
  for (const p of paths) resolved.push(await resolveUnderRoots(p, rt.roots, 'Training folder'));
  if (images.length === 0 && resolved.length === 1) return { dir: resolved[0]!, shown: resolved[0]! };
  const dir = await rt.ws.tempFolder('train-data');
  let n = 0;
  const add = async (file: string, name: string): Promise<void> => {
    const target = path.join(dir, `${String(n++).padStart(5, '0')}-${path.basename(name)}`);
    await symlink(file, target).catch(() => copyFile(file, target));
  };
  for (const p of resolved) {
    const files = await listImages(p).catch(() => [p]);
    for (const f of files) await add(f, f);
  }
  const tmp = async (): Promise<string> => dir;
  for (const id of images) {
    const { file, name } = await readableFileFor(rt.ws, id, tmp);
    if (file.startsWith(dir + path.sep)) {
      // A result written straight into the data folder: already in place.
      n++;
      continue;
    }
    await add(file, name);
  }
  return { dir, cleanup: dir, shown: `${images.length + resolved.length} sources` };
}

/** One image of the validation previews: a row per patch, columns clean | corrupted | output. */
function tileSamples(s: TrainSamples): { width: number; height: number; channels: number; data: Float32Array } {
  const { size, channels, count } = s;
  const width = 3 * size;
  const height = count * size;
  const data = new Float32Array(width * height * channels);
  const cols = [s.clean, s.corrupted, s.output];
  for (let k = 0; k < count; k++) {
    for (let y = 0; y < size; y++) {
      for (let col = 0; col < 3; col++) {
        const from = ((k * size + y) * size) * channels;
        const to = ((k * size + y) * width + col * size) * channels;
        data.set(cols[col]!.subarray(from, from + size * channels), to);
      }
    }
  }
  return { width, height, channels, data };
}

export async function runTrainJob(spec: TrainJobSpec, rt: TrainRuntime): Promise<TrainResult> {
  // The job's schema (shared/schema/jobs.ts) checked the fields' types and ranges at the engine's edge.
  const name = spec.name.replace(/\s+/g, ' ').trim();
  if (!name) throw new EngineError('usage', 'Give the new model a name');
  const plan = planTraining(spec);
  const steps = spec.steps;
  const batch = spec.batch ?? 16;
  const patch = spec.patch;
  const multiple = sizeMultiple(plan.arch);
  if (patch % multiple !== 0) throw new EngineError('usage', `Patch size must be a multiple of ${multiple} for the ${plan.arch.kind} architecture`);

  let id: string;
  if (spec.resume) {
    id = slugify(name);
    const known = (await listModels()).find((m) => m.source === 'user' && (m.id === id || m.card.name === name));
    if (known) id = known.id;
    if (!hasCheckpoint(path.join(userModelsDir(), id))) throw new EngineError('not-found', `No checkpoint of a model named "${name}" to resume`);
  } else {
    id = await reserveUserModelId(name);
  }
  const out = path.join(userModelsDir(), id);
  const data = await gatherData(spec, rt);
  const valEvery = Math.max(5, Math.min(100, Math.round(steps / 20)));
  let previous: string[] = [];
  const onSamples = async (s: TrainSamples): Promise<void> => {
    const image = await rt.ws.addResult({ name: `${id}-step${s.step}.png`, role: 'sample', raster: tileSamples(s), bitDepth: 8 });
    rt.emit({ type: 'samples', step: s.step, images: [image] } satisfies JobStreamEvent);
    // Keep the last two previews (the one shown and the one before it); older ones only fill the disk.
    previous.push(image.id);
    if (previous.length > 2) {
      const old = previous.shift()!;
      await rt.ws.remove(old).catch(() => undefined);
    }
  };
  try {
    const result = await trainModel({
      data: data.dir, out, arch: plan.arch, task: plan.task, corruption: parseTrainCorruption(plan.noise), corruptionText: plan.noise,
      ...(plan.regularizer ? { regularizer: plan.regularizer } : {}),
      steps, batch, patch, learningRate: 1e-3, seed: 1, valEvery, checkpointEvery: 100, resume: spec.resume ?? false,
      id, name, description: `${spec.variant} autoencoder (${plan.task}) trained in Mend`,
      command: commandLine(spec, plan, data.shown, out, steps, batch),
      onSamples,
    }, {
      signal: rt.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.stage === 'train') {
          const m = e.metrics ?? {};
          const metrics: Record<string, number> = { step: e.done, loss: m.loss ?? NaN, patchesPerSecond: m.patchesPerSecond ?? 0 };
          if (Number.isFinite(m.valPsnr)) metrics.valPsnr = m.valPsnr!;
          if (Number.isFinite(m.gflops)) metrics.gflops = m.gflops!;
          rt.emit({ ...e, metrics });
        } else rt.emit(e);
      },
    });
    forgetModel(out);
    const entry = (await listModels()).find((m) => m.id === id && m.source === 'user');
    if (!entry) throw new EngineError('internal', `The trained model ${id} was not found after saving`);
    return {
      type: 'train', model: summaryOf(entry), steps: result.steps, valPsnr: result.valPsnr,
      wallSeconds: result.wallSeconds, patchesPerSecond: result.patchesPerSecond, cancelled: false,
    };
  } catch (e) {
    if (e instanceof MendError && e.code === 'cancelled') {
      const m = /at step (\d+)/.exec(e.message);
      throw new EngineError('cancelled', m
        ? `Training cancelled at step ${m[1]}; the checkpoint is kept: train "${name}" again with Resume to continue`
        : 'Training cancelled before the first step');
    }
    throw e;
  } finally {
    previous = [];
    if (data.cleanup && existsSync(data.cleanup)) await rm(data.cleanup, { recursive: true, force: true });
    // A run that failed or was cancelled before its first checkpoint leaves its reserved folder empty.
    if (!spec.resume) await rmdir(out).catch(() => undefined);
  }
}

/**
 * A fresh user-model id whose folder this job creates at once (mkdir fails when it exists), so two
 * trainings started under one name get two folders: one never writes over the other's model.
 */
async function reserveUserModelId(name: string): Promise<string> {
  await mkdir(userModelsDir(), { recursive: true });
  for (let attempt = 0; attempt < 50; attempt++) {
    const id = await uniqueUserModelId(name);
    try {
      await mkdir(path.join(userModelsDir(), id));
      return id;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new EngineError('unwritable', `Cannot create a folder for the model "${name}" in your models folder (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  throw new EngineError('internal', `No free folder name for the model "${name}"`);
}
