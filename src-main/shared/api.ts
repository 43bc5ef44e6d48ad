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
import type { MendErrorCode } from './errors.js';
import type { BatchPreset } from './schema/presets.js';
// Requests (jobs, export options) are declared once, as schemas; their types are derived here.
import type * as s from './schema/index.js';
import type { JobHandle, JobSpec, JobStreamEvent } from './api/jobs.js';
import type { AppInfo, FolderListing, ImageComparison, ImageId, ImageInfo, ImageVariant, ModelDetails, ModelSummary } from './api/workspace.js';

// The API's types by area; importers keep one entry point.
export type * from './api/workspace.js';
export type * from './api/jobs.js';
export type * from './api/lab.js';

export interface ApiError {
  /**
   * 'unauthorized': web mode without a valid access token; 'forbidden': a server-side path
   * outside the `mend serve --root` folders (or no root given); 'engine-crashed': the engine
   * process died (the next call restarts it).
   */
  code: MendErrorCode | 'unauthorized' | 'forbidden' | 'engine-crashed';
  message: string;
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
