/**
 * The jobs the interface can start (MendApi.startJob), one valibot schema each: the single
 * declaration of a job's shape. shared/api.ts derives the TypeScript types from these
 * (v.InferOutput), the desktop app's main process checks the window's requests with them
 * (app/validate.ts), `mend serve` checks POST /api/jobs bodies with them (server/routes.ts) and
 * the engine parses every job with them before it runs (engine/engine.ts).
 *
 * strictObject: a key the schema does not name is refused, so a field the interface sends must
 * be declared here, and then every host takes it. Adding an optional field is one line in its
 * job below (e.g. `amount: v.optional(num(0, 100)),`); its type follows everywhere.
 */
import * as v from 'valibot';
import {
  bitDepth, fraction, fsPath, lambda, listOf, MAX_PATH_LENGTH, modelId, noiseSpec, num, numberIn, outDir, passes, quality, seed, sigma, text, workspaceId,
} from './fields.js';

const imageIds = listOf(workspaceId, 100_000);

export const DAMAGE_KINDS = ['scratches', 'dust', 'blobs'] as const;
export const AUTOENCODER_VARIANTS = ['undercomplete', 'sparse-l1', 'sparse-kl', 'denoising', 'contractive'] as const;
export const TRAIN_ARCHS = ['residual', 'unet', 'autoencoder'] as const;
/** The lab's models: PCA (the linear baseline) and one dense patch autoencoder per variant. */
export const LAB_VARIANTS = ['pca', 'linear', 'undercomplete', 'sparse-l1', 'sparse-kl', 'denoising', 'contractive'] as const;
/** Batch output formats: 'same' keeps each input's format. */
export const BATCH_FORMATS = ['same', 'jpeg', 'png', 'tiff', 'webp', 'avif', 'heif'] as const;

const oneOf = <const T extends readonly (string | number)[]>(values: T) => v.picklist(values, `must be one of ${values.join(', ')}`);
const labVariant = oneOf(LAB_VARIANTS);

export const DenoiseJobSchema = v.strictObject({
  type: v.literal('denoise'),
  image: workspaceId,
  /** Model id; default: the registry's default for the image's channels. */
  model: v.optional(modelId),
  sigma,
  passes: v.optional(passes),
  /** The photographer's level, 0-100 (core/infer/denoise.ts sigmaForAmount); with sigma 'auto' only. */
  amount: v.optional(num(0, 100)),
  /** Fine brightness structure given back, 0-100. */
  detail: v.optional(num(0, 100)),
});

export const InpaintJobSchema = v.strictObject({
  type: v.literal('inpaint'),
  image: workspaceId,
  /** A mask image (white = fill), same size as the image. */
  mask: workspaceId,
  model: v.optional(modelId),
  /** Grain of the photo's noise in the fill where the photo around it is visibly noisy (default true; infer/inpaint.ts addGrain). */
  grain: v.optional(v.boolean()),
  /** Wide holes get texture synthesized from patches of the photo (default true; infer/wide-holes.ts). */
  synthesis: v.optional(v.boolean()),
  /** A mask image (white = never copy from here) for the synthesis, same size as the image. */
  exclude: v.optional(workspaceId),
  /** The synthesis' random seed: another one re-rolls the fill. */
  seed: v.optional(seed),
});

export const AnomalyJobSchema = v.strictObject({
  type: v.literal('anomaly'),
  image: workspaceId,
  model: v.optional(modelId),
  /** In robust standard deviations of the reconstruction error (default 6). */
  threshold: v.optional(v.pipe(num(0, 1000), v.check((t: number) => t > 0, 'must be above 0'))),
});

export const CorruptJobSchema = v.strictObject({
  type: v.literal('corrupt'),
  image: workspaceId,
  /** Noise spec as `mend corrupt` takes it: "gaussian:25", "poisson-gaussian:0.01,0.0004", "salt-pepper:0.05". */
  noise: v.optional(noiseSpec),
  damage: v.optional(oneOf(DAMAGE_KINDS)),
  seed: v.optional(seed),
});

export const BatchJobSchema = v.strictObject({
  type: v.literal('batch'),
  /** Workspace images (uploads, a dropped folder) and/or server-side paths under the roots. */
  images: v.optional(imageIds),
  paths: v.optional(listOf(fsPath, 1000)),
  /** Output folder (a granted or root folder); default: a workspace folder offered for download. */
  outDir: v.optional(outDir),
  recursive: v.optional(v.boolean()),
  task: oneOf(['denoise', 'inpaint'] as const),
  model: v.optional(modelId),
  /** Denoise: the noise level on the 0-255 scale, for scripts; not with amount. */
  sigma: v.optional(sigma),
  /** Denoise: the photographer's level, 0-100 (shared/amount.ts); absent: read from each photo. */
  amount: v.optional(num(0, 100)),
  /** Denoise: fine brightness texture given back, 0-100. */
  detail: v.optional(num(0, 100)),
  strength: v.optional(fraction),
  /** Denoise: network passes averaged (1, 2, 4, 8). */
  passes: v.optional(passes),
  /** Inpaint: one mask for every image. */
  mask: v.optional(workspaceId),
  format: v.optional(oneOf(BATCH_FORMATS)),
  quality: v.optional(quality),
  depth: v.optional(bitDepth),
  keepMetadata: v.optional(v.boolean()),
  skipExisting: v.optional(v.boolean()),
});

export const TrainJobSchema = v.strictObject({
  type: v.literal('train'),
  /** Server-side folder(s) of training images and/or workspace images. */
  paths: v.optional(listOf(fsPath, 100)),
  images: v.optional(imageIds),
  /** Name for the new user model (its id is derived from it). */
  name: text(100, { min: 1 }),
  arch: oneOf(TRAIN_ARCHS),
  variant: oneOf(AUTOENCODER_VARIANTS),
  /** Regularizer weight for sparse and contractive variants. */
  lambda: v.optional(lambda),
  /** Training corruption, as `mend train --noise` takes it (denoising variant). */
  noise: v.optional(noiseSpec),
  channels: v.picklist([1, 3] as const, 'must be 1 (grey) or 3 (colour)'),
  patch: num(8, 1024, { integer: true }),
  steps: num(1, 1_000_000, { integer: true }),
  batch: v.optional(num(1, 1024, { integer: true })),
  /** Continue an earlier run of this user model from its checkpoint. */
  resume: v.optional(v.boolean()),
});

/**
 * Trains every lab variant with the same code size on the same grey patches (`mend lab compare`).
 * Data: server folders and/or workspace images; neither = generated photo-like scenes.
 */
export const LabCompareJobSchema = v.pipe(v.strictObject({
  type: v.literal('lab-compare'),
  paths: v.optional(listOf(fsPath, 100)),
  images: v.optional(imageIds),
  variants: v.optional(v.pipe(listOf(labVariant, LAB_VARIANTS.length), v.minLength(1, 'is empty'))),
  /** Patch side: 8 (default), 12 or 16. */
  patch: v.optional(numberIn([8, 12, 16])),
  /** Code units, the same for every variant (default 16). */
  code: v.optional(num(1, 256, { integer: true })),
  /** Training steps per variant (default 2000). */
  steps: v.optional(num(10, 100_000, { integer: true })),
  /** Noise of the denoising variant and of the denoising test, 0-255 scale (default 20). */
  noiseSigma: v.optional(num(0, 255)),
  l1Lambda: v.optional(lambda),
  klLambda: v.optional(lambda),
  /** Target mean activation of the sparse-KL variant. */
  rho: v.optional(num(0.001, 0.999)),
  contractiveLambda: v.optional(lambda),
  seed: v.optional(seed),
}), v.forward(v.check((s) => (s.code ?? 16) <= (s.patch ?? 8) ** 2, 'must be at most the patch size squared'), ['code']));

/** What one lab model's code looks like over a picture: one map per code unit. */
export const LabCodesJobSchema = v.strictObject({
  type: v.literal('lab-codes'),
  lab: workspaceId,
  variant: labVariant,
  image: workspaceId,
});

/** Sensor dust and hot pixels over a shoot: server folders/files and/or workspace images, all of one size. */
export const DustJobSchema = v.strictObject({
  type: v.literal('dust'),
  paths: v.optional(listOf(fsPath, 100_000)),
  images: v.optional(imageIds),
  /** z-score the median darkening must reach (default 5; lower finds fainter spots). */
  sensitivity: v.optional(num(0.5, 100)),
  /** Smallest darkening that counts (fraction of the light, default 0.04). */
  darkening: v.optional(fraction),
});

/** Indexes a server folder (under the roots) or the given workspace images, incrementally. */
export const SimilarIndexJobSchema = v.strictObject({
  type: v.literal('similar-index'),
  path: v.optional(fsPath),
  images: v.optional(imageIds),
  retrain: v.optional(v.boolean()),
  /** Code distance that links near-duplicates into groups (default 0.12). */
  groupDistance: v.optional(num(0, 2)),
});

/** The images of an index nearest to a query: an indexed item, a workspace image or a server file. */
export const SimilarFindJobSchema = v.strictObject({
  type: v.literal('similar-find'),
  index: fsPath,
  key: v.optional(text(MAX_PATH_LENGTH, { min: 1 })),
  image: v.optional(workspaceId),
  path: v.optional(fsPath),
  /** How many (default 8). */
  k: v.optional(num(1, 1000, { integer: true })),
});

/** Every job, by its `type`. */
export const JOB_SCHEMAS = {
  denoise: DenoiseJobSchema,
  inpaint: InpaintJobSchema,
  anomaly: AnomalyJobSchema,
  corrupt: CorruptJobSchema,
  batch: BatchJobSchema,
  train: TrainJobSchema,
  'lab-compare': LabCompareJobSchema,
  'lab-codes': LabCodesJobSchema,
  dust: DustJobSchema,
  'similar-index': SimilarIndexJobSchema,
  'similar-find': SimilarFindJobSchema,
} as const;

export type JobType = keyof typeof JOB_SCHEMAS;
export const JOB_TYPES = Object.keys(JOB_SCHEMAS) as JobType[];

export const JobSpecSchema = v.variant('type', Object.values(JOB_SCHEMAS) as unknown as [
  typeof DenoiseJobSchema, typeof InpaintJobSchema, typeof AnomalyJobSchema, typeof CorruptJobSchema, typeof BatchJobSchema,
  typeof TrainJobSchema, typeof LabCompareJobSchema, typeof LabCodesJobSchema, typeof DustJobSchema, typeof SimilarIndexJobSchema,
  typeof SimilarFindJobSchema,
], `must be one of ${JOB_TYPES.join(', ')}`);
