/**
 * The one typed API between the interface and the engine. It is implemented twice: by the
 * Electron preload (IPC to the engine process) and by the web bridge (HTTP + server-sent events
 * against `mend serve`). The renderer cannot tell them apart. Types and constants only: this file
 * is imported by the renderer too, so it must not import Node or DOM modules.
 *
 * Images live in the engine's workspace and are named by opaque ids; the renderer shows them
 * through `imageUrl` and never sees a filesystem path it did not get from the user.
 */
import type * as v from 'valibot';
import type { JobEvent } from './jobs.js';
import type { MendErrorCode } from './errors.js';
import type { BatchPreset } from './schema/presets.js';
// Requests (jobs, export options) are declared once, as schemas; their types are derived here.
import type * as s from './schema/index.js';

export type ImageId = string;
export type JobId = string;

/** What produced an image in the workspace. */
export type ImageRole = 'original' | 'corrupted' | 'denoised' | 'inpainted' | 'mask' | 'heatmap' | 'sample';

export interface ImageInfo {
  id: ImageId;
  /** File name shown to the user (the upload's or the opened file's base name). */
  name: string;
  role: ImageRole;
  width: number;
  height: number;
  /** Colour planes without alpha: 1 grey, 3 colour. */
  channels: number;
  bitDepth: 8 | 16;
  /** Encoded format of the source file (jpeg, png, tiff, webp, avif, heif). */
  format: string;
  hasAlpha: boolean;
  /** Estimated noise sigma (0-255 scale) for originals and corrupted images. */
  noiseSigma?: number;
  /** The image this one was computed from (for results, masks, heatmaps). */
  parent?: ImageId;
}

/** `imageUrl` variants: full-resolution 8-bit PNG (real pixels at 100%) and a small JPEG. */
export type ImageVariant = 'view' | 'thumb';

export interface ModelSummary {
  id: string;
  name: string;
  description: string;
  task: 'denoise' | 'inpaint' | 'reconstruct';
  channels: number;
  /** 'shipped' models are read-only; 'user' models can be renamed and deleted. */
  source: 'shipped' | 'user';
  /** True when the registry uses it as a default for its task (see defaultFor). */
  isDefault: boolean;
  /**
   * Channel counts (1 grey, 3 colour) of the images it is the registry's default for. A grey
   * denoiser can be the colour default: it denoises colour images through their luminance.
   */
  defaultFor: number[];
  arch: string;
  params?: number;
  flopsPerPixel?: number;
  sigmaRange?: [number, number];
  /** Best-known score, e.g. "McMaster sigma 25: 29.55 dB". */
  headline?: string;
}

export interface ModelDetails {
  summary: ModelSummary;
  /** card.json as stored (ModelCard of src-main/core/models/card.ts). */
  card: Record<string, unknown>;
  /** card.md, the human-readable card. */
  markdown: string;
}

export interface BackendInfo {
  /** cuda | native | wasm | cpu */
  name: string;
  /** e.g. "WASM (single thread, SIMD)". */
  label: string;
  /** What would make it faster, e.g. "Install @tensorflow/tfjs-node-gpu with CUDA 11.2 for GPU speed". */
  hint?: string;
}

export interface AppInfo {
  version: string;
  /** 'web' (mend serve) or 'desktop' (Electron). */
  mode: 'web' | 'desktop';
  backend: BackendInfo;
  /** Server-side folders the user allowed (`mend serve --root`); empty in a browser without roots. */
  roots: string[];
}

/** A folder listing for picking server-side inputs/outputs (only under AppInfo.roots). */
export interface FolderListing {
  path: string;
  parent?: string;
  entries: { name: string; path: string; kind: 'dir' | 'image' }[];
}

export interface ImageComparison {
  psnr: number;
  ssim: number;
}

// ---- Jobs (declared in schema/jobs.ts) ----------------------------------------------------

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

/** The autoencoder variants of shared/docs/AUTOENCODERS.md. */
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

// ---- The autoencoder lab (shared/docs/AUTOENCODERS.md made visible) ------------------------

/** The lab's models: PCA (the linear baseline) and one dense patch autoencoder per variant. */
export type LabVariantId = (typeof s.LAB_VARIANTS)[number];

/**
 * Trains every variant with the same code size on the same grey patches (`mend lab compare`).
 * Data: server folders and/or workspace images; neither = generated photo-like scenes.
 * Progress events: stage 'lab', `detail` the variant's label, `metrics` {variant (index in
 * LAB_VARIANTS order), step, loss, mse, jacobian} (test error and Jacobian norm so far).
 */
export type LabCompareJob = v.InferOutput<typeof s.LabCompareJobSchema>;
export interface LabCurvePoint {
  step: number;
  loss: number;
  /** Test reconstruction error (contrast units) at this step. */
  mse: number;
  jacobian: number;
}
export interface LabVariantReport {
  id: LabVariantId;
  label: string;
  activation: 'linear' | 'sigmoid' | 'relu';
  lambda?: number;
  rho?: number;
  steps: number;
  seconds: number;
  /** Test reconstruction error (patch mean removed, divided by the data's contrast scale). */
  mse: number;
  /** PSNR of the test reconstructions, dB. */
  psnr: number;
  /** Fraction of near-zero code activations. */
  nearZero: number;
  meanActivation: number;
  /** Mean Frobenius norm of the encoder Jacobian dh/dx. */
  jacobian: number;
  /** PSNR of the model's output for noisy test patches, dB. */
  denoisePsnr: number;
  /** Sparse variants: what they aim for and whether they got there. */
  target?: { kind: 'near-zero' | 'mean-activation'; value: number; reached: boolean };
  curve: LabCurvePoint[];
  /** Encoder weights as patch-shaped tiles (0 = mid-grey). */
  filters: ImageInfo;
  /** The sample patches as this model rebuilds them (one strip). */
  reconstructions: ImageInfo;
  /** Its output for the noisy sample patches (one strip). */
  denoised: ImageInfo;
}
export interface LabCompareResult {
  type: 'lab-compare';
  /** Names this run for lab-codes jobs. */
  lab: string;
  /** What it trained on, in words. */
  data: string;
  patch: number;
  code: number;
  trainPatches: number;
  testPatches: number;
  noiseSigma: number;
  /** PSNR of the noisy test patches, dB. */
  noisyPsnr: number;
  /** The sample patches (one strip each): clean, and with the test noise. */
  samples: { clean: ImageInfo; noisy: ImageInfo; count: number };
  variants: LabVariantReport[];
  /** The contractive variant against the undercomplete one at the same reconstruction error. */
  matched?: { mse: number; plainJacobian: number; contractiveJacobian: number };
  seconds: number;
}

/** What one lab model's code looks like over a picture: one map per code unit. */
export type LabCodesJob = v.InferOutput<typeof s.LabCodesJobSchema>;
export interface LabCodesResult {
  type: 'lab-codes';
  variant: LabVariantId;
  /** The grey picture analysed (downscaled). */
  input: ImageInfo;
  /** A grid of the code units' maps (bright = that unit fires there). */
  maps: ImageInfo;
  /** The picture rebuilt from its codes alone. */
  reconstruction: ImageInfo;
  psnr: number;
  code: number;
  /** Patches across and down. */
  cols: number;
  rows: number;
  /** Mean activation of each unit over the picture. */
  unitMeans: number[];
  /** Fraction of near-zero activations over the picture. */
  nearZero: number;
}

/**
 * Sensor dust and hot pixels over a shoot (`mend anomaly --batch`): spots at the same place in
 * most frames. Frames: server folders/files and/or workspace images, all of one size.
 */
export type DustJob = v.InferOutput<typeof s.DustJobSchema>;
export interface DustSpot {
  kind: 'dust' | 'hot';
  /** Centre and radius in frame pixels. */
  x: number;
  y: number;
  radius: number;
  /** Fraction of frames it showed in. */
  frames: number;
  /** Dust: darkening at the core (0.1 = 10%); hot: excess brightness. */
  strength: number;
}
export interface DustResult {
  type: 'dust';
  frames: number;
  skipped: { name: string; reason: string }[];
  width: number;
  height: number;
  /** The mean of the frames (dust shows as fixed dark spots), at the analysis resolution. */
  mean: ImageInfo;
  /** Heat map with alpha over `mean` (transparent = nothing), same size as `mean`. */
  heatmap: ImageInfo;
  /** One inpainting mask for every frame of the shoot (white = fill), full frame size. */
  mask: ImageInfo;
  spots: DustSpot[];
  maskedPixels: number;
  seconds: number;
}

/** One image of a similar-image index. */
export interface SimilarItem {
  /** Path relative to the indexed folder, or the workspace image id. */
  key: string;
  name: string;
  /** Server path (for openPath), for folder indexes. */
  path?: string;
  /** Workspace image, for indexes of loaded images. */
  image?: ImageId;
  /** A small JPEG as a data: URL. */
  thumb: string;
  width: number;
  height: number;
  /** Position on the 2-D map of the codes (their two principal components). */
  x: number;
  y: number;
}
/** Indexes a server folder (under the roots) or the given workspace images, incrementally. */
export type SimilarIndexJob = v.InferOutput<typeof s.SimilarIndexJobSchema>;
export interface SimilarIndexResult {
  type: 'similar-index';
  /** Names the index for similar-find: the folder, or 'workspace'. */
  index: string;
  items: SimilarItem[];
  /** Near-duplicate groups (bursts), as item keys, largest first. */
  groups: string[][];
  decoded: number;
  reused: number;
  removed: number;
  retrained: boolean;
  failed: { path: string; reason: string }[];
  seconds: number;
}
/** The images of an index nearest to a query: an indexed item, a workspace image or a server file. */
export type SimilarFindJob = v.InferOutput<typeof s.SimilarFindJobSchema>;
export interface SimilarFindResult {
  type: 'similar-find';
  query: { name: string; thumb?: string; key?: string };
  /** Nearest first; distance = cosine distance of the codes (0 = same). */
  matches: (SimilarItem & { distance: number })[];
}

export type LabJobSpec = LabCompareJob | LabCodesJob | DustJob | SimilarIndexJob | SimilarFindJob;
export type LabJobResult = LabCompareResult | LabCodesResult | DustResult | SimilarIndexResult | SimilarFindResult;

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

export interface ApiError {
  /**
   * 'unauthorized': web mode without a valid access token; 'forbidden': a server-side path
   * outside the `mend serve --root` folders (or no root given); 'engine-crashed': the engine
   * process died (the next call restarts it).
   */
  code: MendErrorCode | 'unauthorized' | 'forbidden' | 'engine-crashed';
  message: string;
}

export interface JobHandle<S extends JobSpec = JobSpec> {
  id: JobId;
  /** Resolves with the result, rejects with an ApiError (code 'cancelled' after cancel). */
  done: Promise<JobResultFor<S>>;
  cancel(): Promise<void>;
  /** Batch only. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export type ExportOptions = v.InferOutput<typeof s.ExportOptionsSchema>;

/** Menu commands the desktop app's native menus hand to the page, which owns these actions. */
export type MenuCommand = 'export' | 'undo' | 'redo' | 'shortcuts' | 'page:editor' | 'page:batch' | 'page:train' | 'page:models';

/** The desktop app's engine process ended (a crash, or the kill that stops a job ignoring cancel). */
export interface EngineStatus {
  state: 'restarted';
  /** What happened, in words; the job that was running can be started again. */
  message: string;
  /** True for the kill after a cancel's grace period, false for a crash. */
  planned: boolean;
}

/** What only the desktop app has (the Electron preload provides it; absent in a browser). */
export interface DesktopApi {
  /**
   * The native folder dialog: a folder to process ('input'), write to ('output') or train on
   * ('train'). Resolves with its path (the only way a folder path reaches the page), or undefined
   * when the user cancels.
   */
  chooseFolder(purpose: 'input' | 'output' | 'train'): Promise<string | undefined>;
  /**
   * Images the app opened for the window: File > Open and Open Recent, files double-clicked in
   * the file manager or dropped on the dock/taskbar icon, a second launch with files. Failures
   * (one per file that could not be opened) come with them. Returns an unsubscribe function.
   */
  onImagesOpened(handler: (images: ImageInfo[], failures: ApiError[]) => void): () => void;
  onMenuCommand(handler: (command: MenuCommand) => void): () => void;
  onEngineStatus(handler: (status: EngineStatus) => void): () => void;
}

export interface MendApi {
  /** Present in the desktop app only. */
  desktop?: DesktopApi;
  info(): Promise<AppInfo>;
  /** Adds an image file (drop, picker, paste) to the workspace; decodes and validates it. */
  addImage(name: string, data: Blob): Promise<ImageInfo>;
  /** Opens a server-side/desktop path (under the allowed roots in web mode). */
  openPath(path: string): Promise<ImageInfo>;
  /** URL the renderer can put in <img src> or fetch (carries the access token in web mode). */
  imageUrl(id: ImageId, variant?: ImageVariant): string;
  /** URL of the amplified |b - a| difference image. */
  diffUrl(a: ImageId, b: ImageId, gain: number): string;
  removeImage(id: ImageId): Promise<void>;
  /** PSNR/SSIM of `image` against `reference` (optionally only where mask is white). */
  compare(reference: ImageId, image: ImageId, mask?: ImageId): Promise<ImageComparison>;
  browse(path?: string): Promise<FolderListing>;

  startJob<S extends JobSpec>(spec: S, onEvent: (e: JobStreamEvent) => void): Promise<JobHandle<S>>;

  /** Encodes and saves/downloads; returns the name it was saved under. Never overwrites an original. */
  exportImage(opts: ExportOptions): Promise<string>;
  /** Download URL of a batch output file (web mode, workspace batches). */
  batchOutputUrl(outDir: string, name: string): string;

  listModels(): Promise<ModelSummary[]>;
  modelDetails(id: string): Promise<ModelDetails>;
  renameModel(id: string, name: string): Promise<ModelSummary>;
  deleteModel(id: string): Promise<void>;
  /** Imports a `.mendmodel` file (made by exportModel). */
  importModel(name: string, data: Blob): Promise<ModelSummary>;
  /** Saves/downloads the model as one `.mendmodel` file. */
  exportModel(id: string): Promise<string>;

  /** Batch presets, shared with `mend batch --preset NAME` (the Batch page hides presets without them). */
  listPresets?(): Promise<BatchPreset[]>;
  savePreset?(preset: BatchPreset): Promise<BatchPreset[]>;
  deletePreset?(name: string): Promise<BatchPreset[]>;
  /** A new folder inside `parent` (web mode's folder picker; the desktop app's dialogs have their own). */
  makeFolder?(parent: string, name: string): Promise<string>;
}

export type { BatchPreset } from './schema/presets.js';
/** Batch 'file' events carry thumbnails for this many done files; later ones are listed by name only. */
export const BATCH_THUMB_LIMIT = 200;

/** The denoise pass counts offered (core/infer/ensemble.ts): 1, or 2, 4 or 8 turned copies averaged. */
export const PASS_COUNTS: readonly number[] = [1, 2, 4, 8];

/** Upload and request limits shared by server and renderer. */
export const LIMITS = {
  /** Largest single upload (bytes). */
  maxUploadBytes: 512 * 1024 * 1024,
  /** sharp's decompression-bomb guard (pixels). */
  maxPixels: 268_402_689,
} as const;
