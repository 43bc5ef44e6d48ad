/**
 * The jobs the interface starts (requests declared as schemas in schema/jobs.ts, their types
 * derived here), their results, and the events and handle of a running job.
 */
import type * as v from 'valibot';
import type { JobEvent } from '../jobs.js';
import type { ImageComparison, ImageInfo, JobId, ModelSummary } from './workspace.js';
import type { LabJobResult, LabJobSpec } from './lab.js';
import type * as s from '../schema/index.js';

export type DenoiseJob = v.InferOutput<typeof s.DenoiseJobSchema>;
export interface DenoiseResult {
  type: 'denoise';
  /** The full-strength output; the strength blend is applied by the viewer and on export. */
  image: ImageInfo;
  model: string;
  sigma: number;
  /** The level as the Amount control shows it (0-100). */
  amount: number;
  estimated: boolean;
  seconds: number;
}

export type InpaintJob = v.InferOutput<typeof s.InpaintJobSchema>;
export interface InpaintResult {
  type: 'inpaint';
  image: ImageInfo;
  model: string;
  maskedPixels: number;
  seconds: number;
}

export type AnomalyJob = v.InferOutput<typeof s.AnomalyJobSchema>;
export interface AnomalyResult {
  type: 'anomaly';
  /** Colour heat map with alpha (transparent = normal), for overlaying. */
  heatmap: ImageInfo;
  /** Suggested inpainting mask (white = anomalous). */
  mask: ImageInfo;
  flaggedPixels: number;
}

export type NoiseKind = 'gaussian' | 'poisson-gaussian' | 'salt-pepper';
export type DamageKind = (typeof s.DAMAGE_KINDS)[number];

export type CorruptJob = v.InferOutput<typeof s.CorruptJobSchema>;
export interface CorruptResult {
  type: 'corrupt';
  image: ImageInfo;
  /** The damage mask when damage was added (ready for inpainting). */
  mask?: ImageInfo;
  /** The corrupted image against the clean one. */
  comparison: ImageComparison;
}

export type BatchJobSpec = v.InferOutput<typeof s.BatchJobSchema>;
export interface BatchResult {
  type: 'batch';
  status: 'completed' | 'cancelled';
  outDir: string;
  total: number;
  done: number;
  skipped: number;
  failed: number;
  failures: { input: string; reason: string }[];
  /** Outputs written (base names), for listing and download. */
  outputs: string[];
  seconds: number;
}

/** The autoencoder variants (docs/models-and-benchmarks.md, "The autoencoder lab"). */
export type AutoencoderVariant = (typeof s.AUTOENCODER_VARIANTS)[number];

export type TrainJobSpec = v.InferOutput<typeof s.TrainJobSchema>;
export interface TrainResult {
  type: 'train';
  model: ModelSummary;
  steps: number;
  valPsnr: number;
  wallSeconds: number;
  patchesPerSecond: number;
  cancelled: boolean;
}

export type JobSpec = DenoiseJob | InpaintJob | AnomalyJob | CorruptJob | BatchJobSpec | TrainJobSpec | LabJobSpec;
export type JobResult = DenoiseResult | InpaintResult | AnomalyResult | CorruptResult | BatchResult | TrainResult | LabJobResult;
export type JobResultFor<S extends JobSpec> = Extract<JobResult, { type: S['type'] }>;

/**
 * Events a running job streams. Progress and log events are the core's (shared/jobs.ts);
 * batch progress carries `metrics` {filesDone, filesTotal, failed, ...} and `detail` (current
 * file); training progress carries `metrics` {step, loss, valPsnr?, patchesPerSecond}.
 */
export type JobStreamEvent =
  | JobEvent
  /** Training: reconstructions of fixed validation patches, each image tiled as clean | corrupted | output. */
  | { type: 'samples'; step: number; images: ImageInfo[] }
  /** Batch: one file finished. */
  | {
    type: 'file'; input: string; output?: string; status: 'done' | 'skipped' | 'failed'; reason?: string;
    /** Done files (the first BATCH_THUMB_LIMIT of a batch): small JPEGs of the input and the output, as data: URLs. */
    thumbs?: { before: string; after: string };
  }
  | { type: 'paused' }
  | { type: 'resumed' };

export interface JobHandle<S extends JobSpec = JobSpec> {
  id: JobId;
  /** Resolves with the result, rejects with an ApiError (code 'cancelled' after cancel). */
  done: Promise<JobResultFor<S>>;
  cancel(): Promise<void>;
  /** Batch only. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}
