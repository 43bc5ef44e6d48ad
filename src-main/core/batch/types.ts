/** The batch engine's public types: its options, per-file records, progress and summary. */
import type { JobEvent, ProgressEvent } from '../../shared/jobs.js';
import type { ImageFormat } from '../image/io.js';
import type { SkippedEntry } from './plan.js';

export type BatchTask = 'denoise' | 'inpaint';

export interface BatchOptions {
  inputs: string[];
  outDir: string;
  recursive?: boolean;
  task?: BatchTask;
  /** Model id or folder; default: the registry default for each image's kind (grey/colour). */
  model?: string;
  /** Noise level on the 0-255 scale: an override for scripts (not with amount). */
  sigma?: number | 'auto';
  /** Denoise: the photographer's level, 0-100 (shared/amount.ts); absent: read from each photo. */
  amount?: number;
  /** Denoise: 0-100, fine brightness texture given back (default 0). */
  detail?: number;
  strength?: number;
  /** Denoise: network passes over turned copies, averaged (1, 2, 4, 8; default 1). */
  passes?: number;
  /** Inpaint: one mask for every image. */
  mask?: string;
  /** Inpaint: a folder of masks matched by file stem (mirrored sub-folder first, then anywhere). */
  masks?: string;
  format?: ImageFormat | 'same';
  quality?: number;
  depth?: 8 | 16;
  keepMetadata?: boolean;
  tileSize?: number;
  /** Skip a file whose output already exists, whatever made it. */
  skipExisting?: boolean;
  /** Images processed concurrently (default 1: TensorFlow.js runs one op at a time here). */
  jobs?: number;
  signal?: AbortSignal;
  onEvent?: (e: JobEvent) => void;
  /** Recorded in the report. */
  commandLine?: string;
}

export type FileStatus = 'done' | 'skipped' | 'failed' | 'pending';

export interface FileRecord {
  index: number;
  input: string;
  output: string;
  status: FileStatus;
  reason?: string;
  code?: string;
  width: number;
  height: number;
  /** Wall seconds spent on this file (hash, read, inference, write), excluding waits. */
  seconds?: number;
  /** Parts of `seconds`: hash + journal check + decode, the model, encode + write + journal. */
  readSeconds?: number;
  inferenceSeconds?: number;
  writeSeconds?: number;
  model?: string;
  sigma?: number;
}

export type BatchState = 'idle' | 'running' | 'pausing' | 'paused' | 'cancelling' | 'finished' | 'cancelled';

export interface BatchProgress {
  event: 'plan' | 'start' | 'tile' | 'file' | 'paused' | 'resumed' | 'end';
  /** Seconds since the batch started (wall clock, pauses included). */
  elapsedSeconds: number;
  filesDone: number;
  filesTotal: number;
  done: number;
  skipped: number;
  failed: number;
  pixelsDone: number;
  pixelsTotal: number;
  megapixelsPerSecond?: number;
  etaSeconds?: number;
  index?: number;
  input?: string;
  output?: string;
  /** 0..1 inside the current file (from the tiler). */
  fileFraction?: number;
  status?: FileStatus;
  reason?: string;
}

export interface BatchProgressEvent extends ProgressEvent {
  batch: BatchProgress;
}

export interface BatchSummary {
  status: 'completed' | 'cancelled';
  outDir: string;
  total: number;
  done: number;
  skipped: number;
  failed: number;
  /** Not reached because the batch was cancelled. */
  notProcessed: number;
  failures: { input: string; reason: string }[];
  /** Skipped files with why (already done, output exists). */
  skippedFiles: { input: string; reason: string }[];
  /** Entries of the input folders that are not images (listed, never processed). */
  notImages: SkippedEntry[];
  seconds: number;
  megapixels: number;
  megapixelsPerSecond: number;
  report: string;
  files: FileRecord[];
}
