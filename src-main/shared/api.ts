/**
 * The one typed API between the interface and the engine. It is implemented twice: by the
 * Electron preload (IPC to the engine process) and by the web bridge (HTTP + server-sent events
 * against `mend serve`). The renderer cannot tell them apart. Types and constants only: this file
 * is imported by the renderer too, so it must not import Node or DOM modules.
 *
 * Images live in the engine's workspace and are named by opaque ids; the renderer shows them
 * through `imageUrl` and never sees a filesystem path it did not get from the user.
 */
import type { JobEvent } from './jobs.js';
import type { MendErrorCode } from './errors.js';

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
  /** True when the registry uses it as the default for its task and channel count. */
  isDefault: boolean;
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

// ---- Jobs ----------------------------------------------------------------------------------

export interface DenoiseJob {
  type: 'denoise';
  image: ImageId;
  /** Model id; default: the registry's default for the image's channels. */
  model?: string;
  /** Noise level on the 0-255 scale, or 'auto' (estimated). */
  sigma: number | 'auto';
}
export interface DenoiseResult {
  type: 'denoise';
  /** The full-strength output; the strength blend is applied by the viewer and on export. */
  image: ImageInfo;
  model: string;
  sigma: number;
  estimated: boolean;
  seconds: number;
}

export interface InpaintJob {
  type: 'inpaint';
  image: ImageId;
  /** A mask image (white = fill), same size as the image. */
  mask: ImageId;
  model?: string;
}
export interface InpaintResult {
  type: 'inpaint';
  image: ImageInfo;
  model: string;
  maskedPixels: number;
  seconds: number;
}

export interface AnomalyJob {
  type: 'anomaly';
  image: ImageId;
  model?: string;
  /** In robust standard deviations of the reconstruction error (default 6). */
  threshold?: number;
}
export interface AnomalyResult {
  type: 'anomaly';
  /** Colour heat map with alpha (transparent = normal), for overlaying. */
  heatmap: ImageInfo;
  /** Suggested inpainting mask (white = anomalous). */
  mask: ImageInfo;
  flaggedPixels: number;
}

export type NoiseKind = 'gaussian' | 'poisson-gaussian' | 'salt-pepper';
export type DamageKind = 'scratches' | 'dust' | 'blobs';

export interface CorruptJob {
  type: 'corrupt';
  image: ImageId;
  /** Noise spec as `mend corrupt` takes it: "gaussian:25", "poisson-gaussian:0.01,0.0004", "salt-pepper:0.05". */
  noise?: string;
  damage?: DamageKind;
  seed?: number;
}
export interface CorruptResult {
  type: 'corrupt';
  image: ImageInfo;
  /** The damage mask when damage was added (ready for inpainting). */
  mask?: ImageInfo;
  /** The corrupted image against the clean one. */
  comparison: ImageComparison;
}

export interface BatchJobSpec {
  type: 'batch';
  /** Workspace images (uploads, a dropped folder) and/or server-side paths under the roots. */
  images?: ImageId[];
  paths?: string[];
  /** Server-side output folder under a root; default: a workspace folder offered for download. */
  outDir?: string;
  recursive?: boolean;
  task: 'denoise' | 'inpaint';
  model?: string;
  sigma?: number | 'auto';
  strength?: number;
  /** Inpaint: one mask for every image. */
  mask?: ImageId;
  format?: string;
  quality?: number;
  depth?: 8 | 16;
  keepMetadata?: boolean;
  skipExisting?: boolean;
}
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
export type AutoencoderVariant = 'undercomplete' | 'sparse-l1' | 'sparse-kl' | 'denoising' | 'contractive';

export interface TrainJobSpec {
  type: 'train';
  /** Server-side folder(s) of training images and/or workspace images. */
  paths?: string[];
  images?: ImageId[];
  /** Name for the new user model (its id is derived from it). */
  name: string;
  arch: 'residual' | 'unet' | 'autoencoder';
  variant: AutoencoderVariant;
  /** Regularizer weight for sparse and contractive variants. */
  lambda?: number;
  /** Training corruption, as `mend train --noise` takes it (denoising variant). */
  noise?: string;
  channels: 1 | 3;
  patch: number;
  steps: number;
  batch?: number;
  /** Continue an earlier run of this user model from its checkpoint. */
  resume?: boolean;
}
export interface TrainResult {
  type: 'train';
  model: ModelSummary;
  steps: number;
  valPsnr: number;
  wallSeconds: number;
  patchesPerSecond: number;
  cancelled: boolean;
}

export type JobSpec = DenoiseJob | InpaintJob | AnomalyJob | CorruptJob | BatchJobSpec | TrainJobSpec;
export type JobResult = DenoiseResult | InpaintResult | AnomalyResult | CorruptResult | BatchResult | TrainResult;
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
  | { type: 'file'; input: string; output?: string; status: 'done' | 'skipped' | 'failed'; reason?: string }
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

export interface ExportOptions {
  image: ImageId;
  /** Blend with this image by `strength` (the denoise strength slider): out = base + s*(image-base). */
  base?: ImageId;
  strength?: number;
  /** Takes metadata (EXIF/ICC/XMP) and the default name from this original. */
  source?: ImageId;
  format: 'jpeg' | 'png' | 'tiff' | 'webp' | 'avif';
  quality?: number;
  depth?: 8 | 16;
  keepMetadata: boolean;
  /** Suggested file name; web mode downloads it, desktop shows a save dialog. */
  fileName: string;
}

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
}

/** Upload and request limits shared by server and renderer. */
export const LIMITS = {
  /** Largest single upload (bytes). */
  maxUploadBytes: 512 * 1024 * 1024,
  /** sharp's decompression-bomb guard (pixels). */
  maxPixels: 268_402_689,
} as const;
