/**
 * The Batch page's form and run state as plain data: defaults, restoring saved choices,
 * form -> BatchJobSpec with validation, and folding job events into what the page shows.
 * No runes, so it is unit-tested; the page keeps these objects in $state.
 */
import { PASS_COUNTS, type BatchJobSpec, type BatchPreset, type BatchResult, type ImageId, type JobStreamEvent } from '../../../src-main/shared/api.js';
import { amountForSigma } from '../../../src-main/shared/amount.js';
import { formatDuration } from '../format.js';

export const BATCH_FORMATS = ['same', 'jpeg', 'png', 'tiff', 'webp', 'avif'] as const;
export type BatchFormat = (typeof BATCH_FORMATS)[number];
export const LOSSY_FORMATS: readonly BatchFormat[] = ['same', 'jpeg', 'webp', 'avif'];
export const DEEP_FORMATS: readonly BatchFormat[] = ['png', 'tiff'];

export interface BatchForm {
  /** Server-side input folders (or files) under the roots. */
  folders: string[];
  recursive: boolean;
  /** 'workspace': a download folder in the app's workspace; 'folder': `outDir` on the server. */
  outMode: 'workspace' | 'folder';
  outDir: string;
  task: 'denoise' | 'inpaint';
  /** Model id; '' = the default model for each image. */
  model: string;
  /** 0 keeps the input, 1 = full denoise. */
  strength: number;
  /** Auto: each photo's level is read from it; manual: `amount` for every image. */
  amountMode: 'auto' | 'manual';
  /** How much noise to remove, 0-100 (shared/amount.ts), as the Edit page's Amount. */
  amount: number;
  /** 0-100: fine brightness texture given back, as the Edit page's Detail. */
  detail: number;
  /** Network passes over turned copies, averaged: 1, 2, 4 or 8. */
  passes: number;
  format: BatchFormat;
  quality: number;
  depth: 'same' | 8 | 16;
  keepMetadata: boolean;
  skipExisting: boolean;
}

export const DEFAULT_BATCH_FORM: BatchForm = {
  folders: [],
  recursive: false,
  outMode: 'workspace',
  outDir: '',
  task: 'denoise',
  model: '',
  strength: 1,
  amountMode: 'auto',
  amount: 50,
  detail: 0,
  passes: 1,
  format: 'same',
  quality: 92,
  depth: 'same',
  keepMetadata: true,
  skipExisting: false,
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The saved choices (settings.batch) over the defaults; wrong types fall back field by field. */
export function restoreBatchForm(saved: unknown): BatchForm {
  const f: BatchForm = { ...DEFAULT_BATCH_FORM, folders: [] };
  if (!isObj(saved)) return f;
  const s = saved;
  if (Array.isArray(s.folders)) f.folders = s.folders.filter((p): p is string => typeof p === 'string' && p.length > 0);
  if (typeof s.recursive === 'boolean') f.recursive = s.recursive;
  if (s.outMode === 'workspace' || s.outMode === 'folder') f.outMode = s.outMode;
  if (typeof s.outDir === 'string') f.outDir = s.outDir;
  if (s.task === 'denoise' || s.task === 'inpaint') f.task = s.task;
  if (typeof s.model === 'string') f.model = s.model;
  if (typeof s.strength === 'number' && s.strength >= 0 && s.strength <= 1) f.strength = s.strength;
  const pct = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x <= 100;
  // Choices saved before Amount (a sigma on the 0-255 scale) carry over as the same level.
  if (s.sigmaMode === 'auto' || s.sigmaMode === 'manual') f.amountMode = s.sigmaMode;
  if (typeof s.sigma === 'number' && s.sigma > 0 && s.sigma <= 255) f.amount = amountForSigma(s.sigma);
  if (s.amountMode === 'auto' || s.amountMode === 'manual') f.amountMode = s.amountMode;
  if (pct(s.amount)) f.amount = Math.round(s.amount);
  if (pct(s.detail)) f.detail = Math.round(s.detail);
  if (typeof s.passes === 'number' && PASS_COUNTS.includes(s.passes)) f.passes = s.passes;
  if (typeof s.format === 'string' && (BATCH_FORMATS as readonly string[]).includes(s.format)) f.format = s.format as BatchFormat;
  if (typeof s.quality === 'number' && Number.isInteger(s.quality) && s.quality >= 1 && s.quality <= 100) f.quality = s.quality;
  if (s.depth === 'same' || s.depth === 8 || s.depth === 16) f.depth = s.depth;
  if (typeof s.keepMetadata === 'boolean') f.keepMetadata = s.keepMetadata;
  if (typeof s.skipExisting === 'boolean') f.skipExisting = s.skipExisting;
  return f;
}

// ---- Presets --------------------------------------------------------------------------------

/** The form's processing and output settings as a named preset (no inputs, folder or mask). */
export function presetFromForm(name: string, form: BatchForm): BatchPreset {
  const p: BatchPreset = { name: name.trim(), task: form.task, format: form.format, keepMetadata: form.keepMetadata, skipExisting: form.skipExisting };
  if (form.model) p.model = form.model;
  if (form.task === 'denoise') {
    if (form.amountMode === 'manual') p.amount = form.amount;
    else p.sigma = 'auto';
    if (form.detail > 0) p.detail = form.detail;
    p.strength = form.strength;
    p.passes = form.passes;
  }
  if (LOSSY_FORMATS.includes(form.format)) p.quality = form.quality;
  if (form.depth !== 'same') p.depth = form.depth;
  return p;
}

/** The form with a preset's settings (what it does not say goes back to the defaults); inputs and output stay. */
export function applyPreset(form: BatchForm, p: BatchPreset): BatchForm {
  const d = DEFAULT_BATCH_FORM;
  const f: BatchForm = { ...form, task: p.task, model: p.model ?? '', format: p.format === 'heif' ? 'same' : (p.format ?? d.format),
    quality: p.quality ?? d.quality, depth: p.depth ?? 'same', keepMetadata: p.keepMetadata ?? d.keepMetadata, skipExisting: p.skipExisting ?? d.skipExisting };
  if (p.task === 'denoise') {
    // A preset saved with a sigma (mend batch --sigma N --save-preset) shows as that Amount.
    const level = p.amount ?? (typeof p.sigma === 'number' ? amountForSigma(p.sigma) : undefined);
    f.amountMode = level === undefined ? 'auto' : 'manual';
    if (level !== undefined) f.amount = level;
    f.detail = p.detail ?? d.detail;
    f.strength = p.strength ?? d.strength;
    f.passes = p.passes ?? d.passes;
  }
  return f;
}

/** One line for a preset in a list: "Denoise · amount auto · detail 20 · 2 passes · PNG 16-bit". */
export function presetSummary(p: BatchPreset): string {
  const parts: string[] = [p.task === 'denoise' ? 'Denoise' : 'Inpaint'];
  if (p.model) parts.push(p.model);
  if (p.task === 'denoise') {
    parts.push(p.amount !== undefined ? `amount ${p.amount}` : typeof p.sigma === 'number' ? `sigma ${p.sigma}` : 'amount auto');
    if (p.detail) parts.push(`detail ${p.detail}`);
    if (p.strength !== undefined && p.strength !== 1) parts.push(`${Math.round(p.strength * 100)} %`);
    if (p.passes && p.passes > 1) parts.push(`${p.passes} passes`);
  }
  parts.push(`${!p.format || p.format === 'same' ? 'same format' : p.format.toUpperCase()}${p.depth ? ` ${p.depth}-bit` : ''}`);
  return parts.join(' · ');
}

export type BatchField = 'inputs' | 'outDir' | 'strength' | 'amount' | 'detail' | 'quality' | 'depth' | 'mask';

export type SpecResult<S, F extends string> =
  | { ok: true; spec: S }
  | { ok: false; errors: Partial<Record<F, string>>; message: string };

export interface BatchInputs {
  /** Workspace images chosen as inputs. */
  images: ImageId[];
  /** Inpaint: the mask for every image. */
  mask?: ImageId;
}

/** Checks the form and builds the job; every refusal says what to change. */
export function buildBatchSpec(form: BatchForm, inputs: BatchInputs): SpecResult<BatchJobSpec, BatchField> {
  const errors: Partial<Record<BatchField, string>> = {};
  if (inputs.images.length === 0 && form.folders.length === 0) {
    errors.inputs = 'Choose at least one loaded image or a folder to process.';
  }
  if (form.outMode === 'folder' && form.outDir.trim() === '') {
    errors.outDir = 'Choose an output folder, or write to the workspace for download.';
  }
  if (form.task === 'denoise') {
    if (!(Number.isFinite(form.strength) && form.strength >= 0 && form.strength <= 1)) {
      errors.strength = 'Strength must be between 0 % and 100 %.';
    }
    if (form.amountMode === 'manual' && !(Number.isFinite(form.amount) && form.amount >= 0 && form.amount <= 100)) {
      errors.amount = 'Amount must be from 0 to 100.';
    }
    if (!(Number.isFinite(form.detail) && form.detail >= 0 && form.detail <= 100)) {
      errors.detail = 'Detail must be from 0 to 100.';
    }
  } else if (!inputs.mask) {
    errors.mask = 'Choose a mask (white = area to fill) for inpainting.';
  }
  if (LOSSY_FORMATS.includes(form.format) && !(Number.isInteger(form.quality) && form.quality >= 1 && form.quality <= 100)) {
    errors.quality = 'Quality must be a whole number from 1 to 100.';
  }
  if (form.depth === 16 && form.format !== 'same' && !DEEP_FORMATS.includes(form.format)) {
    errors.depth = `16-bit output needs PNG or TIFF; ${form.format.toUpperCase()} holds 8 bits.`;
  }
  const messages = Object.values(errors);
  if (messages.length > 0) return { ok: false, errors, message: messages[0]! };

  const spec: BatchJobSpec = { type: 'batch', task: form.task };
  if (inputs.images.length > 0) spec.images = [...inputs.images];
  if (form.folders.length > 0) {
    spec.paths = [...form.folders];
    spec.recursive = form.recursive;
  }
  if (form.outMode === 'folder') spec.outDir = form.outDir.trim();
  if (form.model) spec.model = form.model;
  if (form.task === 'denoise') {
    // As the Edit page sends it: sigma auto, with Amount when set by hand.
    spec.sigma = 'auto';
    if (form.amountMode === 'manual') spec.amount = form.amount;
    if (form.detail > 0) spec.detail = form.detail;
    spec.strength = form.strength;
    if (form.passes > 1) spec.passes = form.passes;
  } else {
    spec.mask = inputs.mask;
  }
  if (form.format !== 'same') spec.format = form.format;
  if (LOSSY_FORMATS.includes(form.format)) spec.quality = form.quality;
  if (form.depth !== 'same') spec.depth = form.depth;
  spec.keepMetadata = form.keepMetadata;
  spec.skipExisting = form.skipExisting;
  return { ok: true, spec };
}

// ---- Run state ------------------------------------------------------------------------------

export type RunPhase = 'idle' | 'starting' | 'running' | 'paused' | 'completed' | 'cancelled' | 'failed';

export interface BatchRun {
  phase: RunPhase;
  /** Files finished (done + skipped + failed) and the total. */
  done: number;
  total: number;
  failed: number;
  skipped: number;
  /** Current file or what the job is doing. */
  current: string;
  etaSeconds?: number;
  failures: { input: string; reason: string }[];
  /** Skips seen as file events (the progress counts may arrive before or after them). */
  skipsSeen: number;
  outputs: string[];
  /** Before/after thumbnails by output name (data: URLs, from the file events). */
  thumbs: Record<string, { before: string; after: string }>;
  outDir?: string;
  result?: BatchResult;
  error?: string;
  /** Wall time the run started (ms, for elapsed time). */
  startedAt: number;
}

export function newBatchRun(now = Date.now()): BatchRun {
  return { phase: 'starting', done: 0, total: 0, failed: 0, skipped: 0, current: 'Starting…', failures: [], skipsSeen: 0, outputs: [], thumbs: {}, startedAt: now };
}

export const IDLE_BATCH_RUN: BatchRun = { ...newBatchRun(0), phase: 'idle', current: '' };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Folds one job event into the run (returns a new object). */
export function reduceBatchEvent(run: BatchRun, e: JobStreamEvent): BatchRun {
  const r: BatchRun = { ...run };
  switch (e.type) {
    case 'progress': {
      if (r.phase === 'starting') r.phase = 'running';
      if (e.stage !== 'batch') {
        r.current = e.detail ?? (e.stage === 'plan' ? 'Finding images…' : `${e.stage}…`);
        return r;
      }
      // The core's batch events carry counts in `batch`; the API also names them in metrics.
      const extra = (e as unknown as { batch?: Record<string, unknown> }).batch ?? {};
      const m = e.metrics ?? {};
      r.done = num(m.filesDone) ?? num(extra.filesDone) ?? e.done;
      r.total = num(m.filesTotal) ?? num(extra.filesTotal) ?? e.total;
      r.failed = Math.max(r.failed, num(m.failed) ?? num(extra.failed) ?? r.failed);
      r.skipped = Math.max(r.skipped, num(m.skipped) ?? num(extra.skipped) ?? r.skipped);
      r.etaSeconds = e.etaSeconds;
      if (e.detail) r.current = e.detail;
      return r;
    }
    case 'file':
      if (e.status === 'failed') {
        r.failures = [...r.failures, { input: e.input, reason: e.reason ?? 'failed' }];
        r.failed = Math.max(r.failed, r.failures.length);
      } else if (e.status === 'skipped') {
        r.skipsSeen += 1;
        r.skipped = Math.max(r.skipped, r.skipsSeen);
      } else if (e.output) {
        r.outputs = [...r.outputs, e.output];
        if (e.thumbs) r.thumbs = { ...r.thumbs, [e.output]: e.thumbs };
      }
      // File events can arrive before the progress event that counts them.
      if (r.total > 0) r.done = Math.min(r.total, Math.max(r.done, r.outputs.length + r.failures.length + r.skipsSeen));
      return r;
    case 'paused':
      if (r.phase === 'running' || r.phase === 'starting') r.phase = 'paused';
      r.etaSeconds = undefined;
      return r;
    case 'resumed':
      if (r.phase === 'paused') r.phase = 'running';
      return r;
    default:
      return r;
  }
}

/** The final state from the job's result (authoritative over the counted events). */
export function finishBatchRun(run: BatchRun, result: BatchResult): BatchRun {
  return {
    ...run,
    phase: result.status === 'cancelled' ? 'cancelled' : 'completed',
    done: result.done + result.skipped + result.failed,
    total: result.total,
    failed: result.failed,
    skipped: result.skipped,
    failures: result.failures,
    outputs: result.outputs,
    outDir: result.outDir,
    current: '',
    etaSeconds: undefined,
    result,
  };
}

export function failBatchRun(run: BatchRun, message: string, cancelled: boolean): BatchRun {
  return { ...run, phase: cancelled ? 'cancelled' : 'failed', error: cancelled ? undefined : message, current: '', etaSeconds: undefined };
}

export const isActive = (phase: RunPhase): boolean => phase === 'starting' || phase === 'running' || phase === 'paused';

/** One sentence for the end of a run: "Finished: 12 written, 1 skipped, 2 failed of 15 images in 3 min 05 s." */
export function batchSummary(result: BatchResult): string {
  const head = result.status === 'cancelled' ? 'Cancelled' : 'Finished';
  const parts = [`${result.done} written`];
  if (result.skipped > 0) parts.push(`${result.skipped} skipped`);
  parts.push(`${result.failed} failed`);
  const notReached = result.total - result.done - result.skipped - result.failed;
  if (notReached > 0) parts.push(`${notReached} not reached`);
  const noun = result.total === 1 ? 'image' : 'images';
  return `${head}: ${parts.join(', ')} of ${result.total} ${noun} in ${formatDuration(result.seconds)}.`;
}
