/**
 * "Evaluate" on the Models page: a model scored on the photos open in Mend, next to the model
 * the interface would use by default, so a freshly trained model that does much worse says so.
 *
 * Each photo gets known damage (Gaussian noise of sigma 25, or scratches for an inpainter,
 * fixed seed), the model restores it, and the result is measured against the photo (PSNR; for
 * inpainting inside the scratches only). Only engine jobs the Edit page already runs; the
 * intermediate images are removed again.
 */
import { api, type ImageId, type ImageInfo, type JobResultFor, type JobSpec, type ModelSummary } from '../api';
import { corruptRequest, denoiseRequest, inpaintRequest } from '../api/requests';
import { fitsPhoto, modelsForTask } from './model-card';
import { pickModel } from '../components/editor/models';

export const EVAL_SIGMA = 25;
/** At most this many photos, the smallest first: an evaluation should take seconds. */
export const EVAL_PHOTOS = 3;
/** A model this far (dB) under the default is worth a warning. */
export const FAR_BELOW_DB = 1;

export interface EvalScore {
  model: ModelSummary;
  /** Mean PSNR of the restored photos, dB. */
  psnr: number;
  /** Mean PSNR of the damaged photos, dB. */
  inputPsnr: number;
}

export interface EvalReport {
  photos: number;
  condition: string;
  scores: EvalScore[];
  /** The user's model against the default, when they differ: negative = worse. */
  gapDb?: number;
}

/** Photos the model can work on, smallest first. */
export function evalPhotos(model: ModelSummary, loaded: ImageInfo[]): ImageInfo[] {
  const task = model.task === 'inpaint' ? 'inpaint' : 'denoise';
  return loaded
    .filter((p) => p.role === 'original' && fitsPhoto(model, task, p.channels))
    .sort((a, b) => a.width * a.height - b.width * b.height)
    .slice(0, EVAL_PHOTOS);
}

/** The model the Edit page would pick for these photos' task and channels, if not `model` itself. */
export function referenceModel(model: ModelSummary, all: ModelSummary[], channels: number): ModelSummary | undefined {
  const ref = pickModel(modelsForTask(all, model.task, channels).filter((m) => m.source === 'shipped'), '', channels);
  return ref && ref.id !== model.id ? ref : undefined;
}

async function run<S extends JobSpec>(spec: S, signal: { cancelled: boolean }): Promise<JobResultFor<S>> {
  if (signal.cancelled) throw Object.assign(new Error('Cancelled'), { code: 'cancelled' });
  const handle = await api.startJob(spec, () => undefined);
  return handle.done;
}

/** Scores `models` on `photos`; `onProgress` gets a 0..1 fraction. */
export async function evaluateModels(
  models: ModelSummary[], photos: ImageInfo[], onProgress: (f: number) => void, signal = { cancelled: false },
): Promise<EvalReport> {
  const inpaint = models[0]?.task === 'inpaint';
  const sums = models.map(() => ({ psnr: 0, input: 0 }));
  const made: ImageId[] = [];
  let done = 0;
  const total = photos.length * (1 + models.length);
  try {
    for (const photo of photos) {
      const damaged = await run(corruptRequest(photo.id, { ...(inpaint ? { damage: 'scratches' as const } : { noise: `gaussian:${EVAL_SIGMA}` }), seed: 1 }), signal);
      made.push(damaged.image.id);
      if (damaged.mask) made.push(damaged.mask.id);
      const input = inpaint && damaged.mask ? await api.compare(photo.id, damaged.image.id, damaged.mask.id) : damaged.comparison;
      onProgress(++done / total);
      for (const [i, m] of models.entries()) {
        let out: ImageId;
        if (inpaint && damaged.mask) {
          // No grain: the fill is scored against the clean photo, where grain counts as error.
          out = (await run(inpaintRequest(damaged.image.id, damaged.mask.id, m.id, false), signal)).image.id;
        } else {
          out = (await run(denoiseRequest(damaged.image.id, { model: m.id, sigma: EVAL_SIGMA, passes: 1 }), signal)).image.id;
        }
        made.push(out);
        const score = await api.compare(photo.id, out, inpaint ? damaged.mask?.id : undefined);
        sums[i]!.psnr += score.psnr;
        sums[i]!.input += input.psnr;
        onProgress(++done / total);
      }
    }
  } finally {
    for (const id of made.reverse()) await api.removeImage(id).catch(() => undefined);
  }
  const scores = models.map((model, i) => ({ model, psnr: sums[i]!.psnr / photos.length, inputPsnr: sums[i]!.input / photos.length }));
  return {
    photos: photos.length,
    condition: inpaint ? 'inside added scratches' : `Gaussian noise σ ${EVAL_SIGMA}`,
    scores,
    gapDb: scores.length > 1 ? scores[0]!.psnr - scores[1]!.psnr : undefined,
  };
}

/** The warning for a model far below the default, or undefined. */
export function farBelowNote(report: EvalReport): string | undefined {
  if (report.gapDb === undefined || report.gapDb > -FAR_BELOW_DB || report.scores.length < 2) return undefined;
  const [mine, ref] = report.scores;
  const advice = mine!.model.source === 'user' ? 'keep using the shipped model for real photos, or train longer or on more photos' : `“${ref!.model.name}” does better here`;
  return `“${mine!.model.name}” scores ${(-report.gapDb).toFixed(1)} dB below the shipped “${ref!.model.name}” on these photos: ${advice}.`;
}

/**
 * After training: the new model scored on the open photos next to the shipped one, and the
 * warning when it is far below (undefined when it is not, or there is nothing to score it on).
 * A courtesy check: failures stay quiet here, the Models page's Evaluate reports them.
 */
export async function farBelowAfterTraining(model: ModelSummary, all: ModelSummary[], loaded: ImageInfo[]): Promise<string | undefined> {
  if (model.task !== 'denoise' && model.task !== 'inpaint') return undefined;
  const photos = evalPhotos(model, loaded);
  const ref = photos.length ? referenceModel(model, all, photos[0]!.channels) : undefined;
  if (!ref) return undefined;
  try {
    return farBelowNote(await evaluateModels([model, ref], photos, () => undefined));
  } catch {
    return undefined;
  }
}
