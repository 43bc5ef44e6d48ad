/**
 * The batch engine behind `mend batch` (and the desktop app's and web mode's batch views).
 *
 *   const job = new BatchJob({ inputs: ['shoot/'], outDir: 'out', recursive: true, onEvent });
 *   const summary = await job.run();      // job.pause(), job.resume(), job.cancel() meanwhile
 *
 * Per file: hash the input, compare with the journal (skip when done with the same settings),
 * decode (metadata kept with the pixels), run the model, write the output atomically, append the
 * journal. Any error in that chain fails that file only, with its reason. The next file is
 * decoded while the current one is in inference, and its output is encoded while the next one
 * is in inference (sharp works on its own threads), so batch overhead stays small.
 *
 * Pause takes effect between files (the file in inference finishes first); cancel stops the
 * file in inference at the next tile, and nothing partial is ever left (atomic writes).
 */
import { mkdir, readdir, realpath, rm, stat, lstat } from 'node:fs/promises';
import path from 'node:path';
import { MendError } from '../../shared/errors.js';
import type { JobEvent, ProgressEvent } from '../../shared/jobs.js';
import { TEMP_MARKER, unwritableError, writeFileAtomic } from '../image/atomic-write.js';
import { assertNotSameFile, readImage, readMask, writeImage, type DecodedImage, type ImageFormat } from '../image/io.js';
import { canHold16, formatFromPath } from '../image/formats.js';
import { checkAutoSigma } from '../image/small-images.js';
import { denoiseRaster } from '../infer/denoise.js';
import { inpaintRaster } from '../infer/inpaint.js';
import { DEFAULT_TILE } from '../infer/run-model.js';
import { resolveModel } from '../models/registry.js';
import type { LoadedModel } from '../models/store.js';
import { BatchEta } from './eta.js';
import { hashFile, Journal, JOURNAL_VERSION, settingsHash, type BatchSettingsKey } from './journal.js';
import { lockOutDir, pidAlive } from './lock.js';
import { isInside, planBatch, realpathOrSelf, type BatchPlan, type PlanItem, type SkippedEntry } from './plan.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export type BatchTask = 'denoise' | 'inpaint';
export const REPORT_NAME = 'mend-batch-report.json';
/** Bumped when the same settings would give different output bytes (part of the journal's settings). */
export const BATCH_ENGINE_VERSION = 1;

export interface BatchOptions {
  inputs: string[];
  outDir: string;
  recursive?: boolean;
  task?: BatchTask;
  /** Model id or folder; default: the registry default for each image's kind (grey/colour). */
  model?: string;
  sigma?: number | 'auto';
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

interface Ready {
  kind: 'ready';
  item: PlanItem;
  image: DecodedImage;
  mask?: Uint8Array;
  /** The mask file used (an input too: never written over). */
  maskPath?: string;
  model: LoadedModel;
  settings: BatchSettingsKey;
  settingsHash: string;
  inputHash: string;
  inputSize: number;
  seconds: number;
}
interface Finished {
  kind: 'finished';
  record: FileRecord;
}

const SKIP_ALREADY_DONE = 'already done (journal: same input and settings, output present)';
const SKIP_EXISTS = 'output exists (--skip-existing)';

function reasonOf(e: unknown): { reason: string; code: string } {
  if (e instanceof MendError) return { reason: e.message, code: e.code };
  const msg = e instanceof Error ? e.message : String(e);
  return { reason: msg.split('\n')[0].slice(0, 300), code: 'internal' };
}

function isCancel(e: unknown): boolean {
  return e instanceof MendError && e.code === 'cancelled';
}

/** sha256 of a model folder's topology and weights (cached): a retrained model under the same id differs. */
const modelHashes = new Map<string, Promise<string>>();
export function modelHash(loaded: LoadedModel): Promise<string> {
  let p = modelHashes.get(loaded.dir);
  if (!p) {
    p = (async () => {
      const h = createHash('sha256');
      for (const f of ['model.json', 'weights.bin']) {
        try {
          h.update(await readFile(path.join(loaded.dir, f)));
        } catch {
          h.update(`missing ${f}`);
        }
      }
      return h.digest('hex');
    })();
    modelHashes.set(loaded.dir, p);
  }
  return p;
}

/** Masks folder index: `sub/stem` and `stem` (lower case) to mask files. */
async function indexMasks(dir: string): Promise<{ byRel: Map<string, string>; byStem: Map<string, string[]> }> {
  const byRel = new Map<string, string>();
  const byStem = new Map<string, string[]>();
  const walk = async (d: string, rel: string[]): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const full = path.join(d, name);
      const st = await stat(full).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) await walk(full, [...rel, name]);
      else if (st.isFile() && formatFromPath(name)) {
        const stem = name.slice(0, name.length - path.extname(name).length).toLowerCase();
        byRel.set([...rel, stem].join('/'), full);
        byStem.set(stem, [...(byStem.get(stem) ?? []), full]);
      }
    }
  };
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new MendError('not-found', `Masks folder not found: ${dir}`);
  }
  await walk(dir, []);
  return { byRel, byStem };
}

const TEMP_RE = new RegExp(`^\\..+${TEMP_MARKER.replace('.', '\\.')}-(\\d+)-[0-9a-f]+$`);

/** Removes temp files of writes that a killed batch left in these folders. */
async function removeStaleTemps(dirs: Iterable<string>): Promise<number> {
  let removed = 0;
  for (const d of dirs) {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = TEMP_RE.exec(name);
      if (!m || pidAlive(Number(m[1]))) continue;
      const full = path.join(d, name);
      const st = await lstat(full).catch(() => undefined);
      if (st?.isFile()) {
        await rm(full, { force: true });
        removed++;
      }
    }
  }
  return removed;
}

export class BatchJob {
  private stateValue: BatchState = 'idle';
  private readonly ac = new AbortController();
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private waiting = 0;
  private workersAlive = 0;
  private pausedAt: number | undefined;
  private pausedTotal = 0;
  private t0 = 0;
  private startedWall = 0;
  private records: FileRecord[] = [];
  private plan: BatchPlan | undefined;
  private eta: BatchEta | undefined;
  private counts = { done: 0, skipped: 0, failed: 0 };
  private pixelsTotal = 0;
  private pixelsFinished = 0;
  private processedPixels = 0;
  private processingStart: number | undefined;
  private readonly pixelsOf: number[] = [];
  private models = new Map<number, Promise<LoadedModel>>();
  private maskCache = new Map<string, Promise<Uint8Array>>();
  private maskHashes = new Map<string, Promise<string>>();
  private masksIndex: Awaited<ReturnType<typeof indexMasks>> | undefined;
  private outReal = '';
  private journal: Journal | undefined;
  private ran = false;

  constructor(readonly options: BatchOptions) {
    if (options.signal) {
      if (options.signal.aborted) this.ac.abort();
      else options.signal.addEventListener('abort', () => this.cancel(), { once: true });
    }
  }

  get state(): BatchState {
    return this.stateValue;
  }

  /** Stops starting new files; the file in inference finishes. Emits a 'paused' event once idle. */
  pause(): void {
    if (this.stateValue !== 'running' && this.stateValue !== 'idle') return;
    this.gate = new Promise((r) => (this.openGate = r));
    this.stateValue = 'pausing';
    this.checkPaused();
  }

  resume(): void {
    if (this.stateValue !== 'pausing' && this.stateValue !== 'paused') return;
    const wasPaused = this.stateValue === 'paused';
    if (this.pausedAt !== undefined) this.pausedTotal += performance.now() - this.pausedAt;
    this.pausedAt = undefined;
    this.stateValue = 'running';
    const open = this.openGate;
    this.gate = undefined;
    this.openGate = undefined;
    open?.();
    if (wasPaused) this.emit({ event: 'resumed' }, 'Resumed');
  }

  /** Stops the batch: the file in inference stops at its next tile, nothing partial is written. */
  cancel(): void {
    if (this.stateValue === 'finished' || this.stateValue === 'cancelled') return;
    if (this.pausedAt !== undefined) this.pausedTotal += performance.now() - this.pausedAt;
    this.pausedAt = undefined;
    this.stateValue = 'cancelling';
    this.ac.abort();
    const open = this.openGate;
    this.gate = undefined;
    this.openGate = undefined;
    open?.();
  }

  /** Active seconds (pauses excluded) since the batch started. */
  private active(): number {
    const now = performance.now();
    const paused = this.pausedTotal + (this.pausedAt !== undefined ? now - this.pausedAt : 0);
    return (now - this.t0 - paused) / 1000;
  }

  private checkPaused(): void {
    if (this.stateValue === 'pausing' && this.waiting >= this.workersAlive && this.workersAlive > 0) {
      this.stateValue = 'paused';
      this.pausedAt = performance.now();
      this.emit({ event: 'paused' }, 'Paused');
    }
  }

  private async waitIfPaused(): Promise<void> {
    while (this.gate && !this.ac.signal.aborted) {
      this.waiting++;
      this.checkPaused();
      try {
        await this.gate;
      } finally {
        this.waiting--;
      }
    }
  }

  private mps(): number | undefined {
    if (this.processingStart === undefined || this.processedPixels === 0) return undefined;
    const t = this.active() - this.processingStart;
    return t > 0 ? this.processedPixels / 1e6 / t : undefined;
  }

  private emit(b: Partial<BatchProgress> & { event: BatchProgress['event'] }, detail?: string): void {
    if (!this.options.onEvent) return;
    const total = this.plan?.items.length ?? 0;
    const finished = this.counts.done + this.counts.skipped + this.counts.failed;
    const mps = this.mps();
    const eta = this.stateValue === 'paused' ? undefined : this.eta?.secondsLeft(this.active());
    const batch: BatchProgress = {
      elapsedSeconds: (performance.now() - this.startedWall) / 1000,
      filesDone: finished,
      filesTotal: total,
      ...this.counts,
      pixelsDone: this.pixelsFinished,
      pixelsTotal: this.pixelsTotal,
      ...(mps !== undefined ? { megapixelsPerSecond: mps } : {}),
      ...(eta !== undefined ? { etaSeconds: eta } : {}),
      ...b,
    };
    const e: BatchProgressEvent = {
      type: 'progress',
      stage: 'batch',
      done: finished,
      total,
      ...(eta !== undefined ? { etaSeconds: eta } : {}),
      ...(detail ? { detail } : {}),
      ...(mps !== undefined ? { metrics: { 'MP/s': Math.round(mps * 1000) / 1000 } } : {}),
      batch,
    };
    this.options.onEvent(e);
  }

  private log(level: 'info' | 'warn', message: string): void {
    this.options.onEvent?.({ type: 'log', level, message });
  }

  private modelFor(channels: number): Promise<LoadedModel> {
    const key = channels === 1 ? 1 : 3;
    let p = this.models.get(key);
    if (!p) {
      p = resolveModel(this.options.model, this.options.task ?? 'denoise', key);
      this.models.set(key, p);
    }
    return p;
  }

  private async settingsFor(model: LoadedModel, item: PlanItem, maskHash: string | undefined): Promise<BatchSettingsKey> {
    const o = this.options;
    const task = o.task ?? 'denoise';
    return {
      task,
      model: model.card.id,
      modelCreated: model.card.created,
      modelHash: await modelHash(model),
      // passes only when above 1, so journals written before the option still match.
      ...(task === 'denoise' ? { sigma: o.sigma ?? 'auto', strength: o.strength ?? 1, ...((o.passes ?? 1) > 1 ? { passes: o.passes } : {}) } : { maskHash }),
      format: item.outputFormat,
      // Only what the encoder uses: quality for lossy formats, depth for PNG/TIFF.
      quality: item.outputFormat === 'png' || item.outputFormat === 'tiff' ? null : (o.quality ?? null),
      depth: canHold16(item.outputFormat) ? (o.depth ?? null) : null,
      keepMetadata: o.keepMetadata ?? true,
      tile: o.tileSize ?? DEFAULT_TILE,
      engine: BATCH_ENGINE_VERSION,
    };
  }

  private maskPathFor(item: PlanItem): string {
    if (this.options.mask) return path.resolve(this.options.mask);
    const idx = this.masksIndex!;
    const display = item.display;
    const stem = path.posix.basename(display, path.posix.extname(display)).toLowerCase();
    const dir = path.posix.dirname(display);
    const rel = (dir === '.' ? stem : `${dir.toLowerCase()}/${stem}`);
    const exact = idx.byRel.get(rel);
    if (exact) return exact;
    const any = idx.byStem.get(stem) ?? [];
    if (any.length === 1) return any[0];
    if (any.length > 1) throw new MendError('usage', `Several masks named "${stem}" in ${this.options.masks}: ${any.map((a) => path.relative(this.options.masks!, a)).join(', ')}`);
    throw new MendError('not-found', `No mask for ${display} in ${this.options.masks} (masks are matched by file name without extension)`);
  }

  private maskHash(file: string): Promise<string> {
    let p = this.maskHashes.get(file);
    if (!p) {
      p = hashFile(file).then((h) => h.hash);
      this.maskHashes.set(file, p);
      p.catch(() => this.maskHashes.delete(file));
    }
    return p;
  }

  private readMaskCached(file: string, width: number, height: number): Promise<Uint8Array> {
    const key = `${file}\n${width}x${height}`;
    let p = this.maskCache.get(key);
    if (!p) {
      p = readMask(file, width, height);
      this.maskCache.set(key, p);
      p.catch(() => this.maskCache.delete(key));
      // Per-file masks are used once: do not keep them.
      if (this.options.masks) p.finally(() => this.maskCache.delete(key)).catch(() => undefined);
    }
    return p;
  }

  private baseRecord(item: PlanItem): FileRecord {
    return { index: item.index, input: item.input, output: item.output, status: 'pending', width: item.width, height: item.height };
  }

  /** Hash, journal check, decode: everything before inference. Never throws. */
  private async prepare(item: PlanItem): Promise<Ready | Finished> {
    const t = performance.now();
    const rec = this.baseRecord(item);
    const fail = (e: unknown): Finished => {
      const r = reasonOf(e);
      return { kind: 'finished', record: { ...rec, status: 'failed', reason: r.reason, code: r.code, seconds: (performance.now() - t) / 1000 } };
    };
    try {
      const { hash, size } = await hashFile(item.input).catch((e: NodeJS.ErrnoException) => {
        throw new MendError('not-found', `${item.input} cannot be read (${e.code ?? e.message})`);
      });
      let model = await this.modelFor(item.channels);
      const task = this.options.task ?? 'denoise';
      const maskPath = task === 'inpaint' ? this.maskPathFor(item) : undefined;
      const mHash = maskPath ? await this.maskHash(maskPath) : undefined;
      let settings = await this.settingsFor(model, item, mHash);
      let sHash = settingsHash(settings);
      const entry = this.journal!.match(item.outputRel, hash, sHash);
      if (entry) {
        const st = await stat(item.output).catch(() => undefined);
        if (st?.isFile() && st.size === entry.outputSize) {
          return { kind: 'finished', record: { ...rec, status: 'skipped', reason: SKIP_ALREADY_DONE, seconds: (performance.now() - t) / 1000 } };
        }
      }
      if (this.options.skipExisting && (await stat(item.output).catch(() => undefined))) {
        return { kind: 'finished', record: { ...rec, status: 'skipped', reason: SKIP_EXISTS, seconds: (performance.now() - t) / 1000 } };
      }
      const image = await readImage(item.input);
      if (image.raster.channels !== item.channels) {
        model = await this.modelFor(image.raster.channels);
        settings = await this.settingsFor(model, item, mHash);
        sHash = settingsHash(settings);
      }
      const mask = maskPath ? await this.readMaskCached(maskPath, image.raster.width, image.raster.height) : undefined;
      return {
        kind: 'ready', item, image, mask, maskPath, model, settings, settingsHash: sHash, inputHash: hash, inputSize: size,
        seconds: (performance.now() - t) / 1000,
      };
    } catch (e) {
      return fail(e);
    }
  }

  /** Inference: the output raster and its time, or a failure. Throws only 'cancelled'. */
  private async infer(r: Ready): Promise<{ raster: DecodedImage['raster']; seconds: number; sigma?: number } | Finished> {
    const t = performance.now();
    const o = this.options;
    const onEvent = (e: JobEvent): void => {
      if (e.type !== 'progress' || e.total <= 0) return;
      this.emit({ event: 'tile', index: r.item.index, input: r.item.input, output: r.item.output, fileFraction: Math.min(1, e.done / e.total) },
        `${r.item.display} ${Math.round((100 * e.done) / e.total)}%`);
    };
    const ctx = { signal: this.ac.signal, onEvent, tileSize: o.tileSize };
    try {
      if ((o.task ?? 'denoise') === 'denoise') {
        if ((o.sigma ?? 'auto') === 'auto') checkAutoSigma(r.item.input, r.image.raster);
        const res = await denoiseRaster(r.image.raster, r.model, { ...ctx, sigma: o.sigma ?? 'auto', strength: o.strength ?? 1, passes: o.passes ?? 1 });
        return { raster: res.output, seconds: (performance.now() - t) / 1000, sigma: res.sigma };
      }
      const out = await inpaintRaster(r.image.raster, r.mask!, r.model, ctx);
      return { raster: out, seconds: (performance.now() - t) / 1000 };
    } catch (e) {
      if (isCancel(e) || this.ac.signal.aborted) throw new MendError('cancelled', 'Cancelled');
      const rr = reasonOf(e);
      return { kind: 'finished', record: { ...this.baseRecord(r.item), status: 'failed', reason: rr.reason, code: rr.code, seconds: r.seconds + (performance.now() - t) / 1000 } };
    }
  }

  /** Atomic write + journal. Never throws. */
  private async write(r: Ready, out: { raster: DecodedImage['raster']; seconds: number; sigma?: number }): Promise<FileRecord> {
    const t = performance.now();
    const o = this.options;
    const item = r.item;
    const rec = { ...this.baseRecord(item), model: r.model.card.id, inferenceSeconds: out.seconds, ...(out.sigma !== undefined ? { sigma: out.sigma } : {}) };
    try {
      const dir = path.dirname(item.output);
      // Checked before mkdir (a link inside OUTDIR must not get folders made at its target), and after.
      await this.checkInsideOut(dir, item.output);
      await mkdir(dir, { recursive: true }).catch((e) => {
        throw unwritableError(item.output, e);
      });
      await this.checkInsideOut(dir, item.output);
      assertNotSameFile(item.input, item.output);
      if (r.maskPath) assertNotSameFile(r.maskPath, item.output);
      await writeImage(item.output, { ...r.image, raster: out.raster }, {
        format: item.outputFormat, quality: o.quality, depth: o.depth, keepMetadata: o.keepMetadata ?? true,
      });
      const size = (await stat(item.output)).size;
      const seconds = r.seconds + out.seconds + (performance.now() - t) / 1000;
      try {
        await this.journal!.append({
          v: JOURNAL_VERSION, input: item.input, inputHash: r.inputHash, inputSize: r.inputSize, output: item.outputRel, outputSize: size,
          settingsHash: r.settingsHash, settings: r.settings, finished: new Date().toISOString(), seconds,
        });
      } catch (e) {
        // Not in the journal, so not done: an output left behind would push the rerun's to "-2".
        await rm(item.output, { force: true }).catch(() => undefined);
        throw e;
      }
      return { ...rec, status: 'done', seconds, readSeconds: r.seconds, writeSeconds: (performance.now() - t) / 1000 };
    } catch (e) {
      const rr = reasonOf(e);
      return { ...rec, status: 'failed', reason: rr.reason, code: rr.code, seconds: r.seconds + out.seconds + (performance.now() - t) / 1000 };
    }
  }

  /** Throws unless `dir` (existing or not) resolves inside OUTDIR, through symbolic links. */
  private async checkInsideOut(dir: string, output: string): Promise<void> {
    if (!isInside(this.outReal, await realpathOrSelf(dir))) {
      throw new MendError('unwritable', `Cannot write ${output}: the folder leads outside ${this.plan!.outDir} (symbolic link)`);
    }
  }

  private finish(record: FileRecord): void {
    this.records[record.index] = record;
    const pixels = this.pixelsOf[record.index];
    if (record.status === 'done') {
      this.counts.done++;
      this.processedPixels += record.width * record.height;
    } else if (record.status === 'skipped') this.counts.skipped++;
    else this.counts.failed++;
    this.pixelsFinished += pixels;
    this.eta?.complete(pixels, this.active(), record.status === 'done');
    const item = this.plan!.items[record.index];
    if (record.status === 'failed') this.log('warn', `failed: ${item.display}: ${record.reason}`);
    this.emit(
      { event: 'file', index: record.index, input: record.input, output: record.output, status: record.status, ...(record.reason ? { reason: record.reason } : {}) },
      `${record.status} ${item.display}`,
    );
  }

  private async worker(next: () => PlanItem | undefined): Promise<void> {
    let item = next();
    let prepared = item ? this.prepare(item) : undefined;
    let pendingWrite: Promise<void> = Promise.resolve();
    try {
      while (item && prepared) {
        if (this.gate) {
          // Pausing: let the output in flight land first, so no progress happens while paused.
          await pendingWrite;
          pendingWrite = Promise.resolve();
        }
        await this.waitIfPaused();
        if (this.ac.signal.aborted) break;
        const p = await prepared;
        if (p.kind === 'finished') {
          this.finish(p.record);
          item = next();
          prepared = item ? this.prepare(item) : undefined;
          continue;
        }
        // Decode the next file while this one is in inference.
        item = next();
        prepared = item ? this.prepare(item) : undefined;
        if (this.processingStart === undefined) this.processingStart = this.active();
        this.emit({ event: 'start', index: p.item.index, input: p.item.input, output: p.item.output, fileFraction: 0 }, p.item.display);
        let out;
        try {
          out = await this.infer(p);
        } catch (e) {
          if (isCancel(e)) break;
          throw e;
        }
        if ('kind' in out) {
          this.finish(out.record);
          continue;
        }
        // Encode and write while the next file is in inference (one write in flight per worker).
        await pendingWrite;
        const done = out;
        pendingWrite = this.write(p, done).then((rec) => this.finish(rec));
      }
    } finally {
      await pendingWrite;
      // A file decoded ahead and then not used (cancel): let its reads end before returning.
      await prepared;
      this.workersAlive--;
      this.checkPaused();
    }
  }

  /** Runs the batch once; resolves with the summary (also when cancelled), rejects only on set-up errors. */
  async run(): Promise<BatchSummary> {
    if (this.ran) throw new MendError('internal', 'A BatchJob runs once');
    this.ran = true;
    const o = this.options;
    const task = o.task ?? 'denoise';
    if (task !== 'denoise' && task !== 'inpaint') throw new MendError('usage', `--task must be denoise or inpaint, got "${task}"`);
    if (task === 'inpaint' && !o.mask === !o.masks) throw new MendError('usage', 'An inpaint batch needs --mask M.png (one mask for all) or --masks DIR (one per image), not both');
    if (task === 'denoise' && (o.mask || o.masks)) throw new MendError('usage', '--mask and --masks are for --task inpaint');
    const jobs = Math.max(1, Math.floor(o.jobs ?? 1));
    this.startedWall = performance.now();
    this.t0 = this.startedWall;
    if (this.stateValue === 'idle') this.stateValue = 'running';

    const outDir = path.resolve(o.outDir);
    const journal = await Journal.load(outDir);
    const preferred = new Map<string, string>();
    for (const [input, e] of journal.byInput) preferred.set(input, e.output);
    if (o.mask && !(await stat(o.mask).then((s) => s.isFile(), () => false))) throw new MendError('not-found', `Mask file not found: ${o.mask}`);
    if (o.masks) this.masksIndex = await indexMasks(path.resolve(o.masks));
    const exclude = [o.mask, o.masks].filter((x): x is string => !!x);
    const plan = await planBatch(o.inputs, { outDir, recursive: o.recursive, format: o.format ?? 'same', exclude, preferredOutputs: preferred });
    this.plan = plan;
    this.records = plan.items.map((it) => this.baseRecord(it));

    // Pixel weights for the ETA; a file whose header is unreadable counts as an average one.
    const known = plan.items.filter((i) => i.width * i.height > 0);
    const avg = known.length > 0 ? known.reduce((s, i) => s + i.width * i.height, 0) / known.length : 1;
    for (const it of plan.items) this.pixelsOf.push(it.width * it.height > 0 ? it.width * it.height : avg);
    this.pixelsTotal = this.pixelsOf.reduce((s, p) => s + p, 0);

    // Models: loaded once, up front, so a missing model fails the batch before any work.
    for (const c of new Set(plan.items.map((i) => i.channels))) await this.modelFor(c);

    // No file system change before every folder is known to lie inside OUTDIR (links are
    // resolved first): stale temp files are removed only there.
    this.outReal = await realpathOrSelf(outDir);
    const dirs = new Set([outDir, ...plan.items.map((i) => path.dirname(i.output))]);
    const inside: string[] = [];
    for (const d of dirs) if (isInside(this.outReal, await realpathOrSelf(d))) inside.push(d);
    await mkdir(outDir, { recursive: true }).catch((e) => {
      throw unwritableError(outDir, e);
    });
    this.outReal = await realpath(outDir);
    const unlock = await lockOutDir(outDir);
    try {
      return await this.runLocked(plan, journal, inside, jobs);
    } finally {
      await unlock();
    }
  }

  private async runLocked(plan: BatchPlan, journal: Journal, tempDirs: string[], jobs: number): Promise<BatchSummary> {
    await removeStaleTemps(tempDirs);
    await journal.begin().catch((e) => {
      throw unwritableError(journal.file, e);
    });
    this.journal = journal;
    const outDir = plan.outDir;

    this.log('info', `${plan.items.length} image${plan.items.length === 1 ? '' : 's'} to process into ${outDir}` +
      (plan.skipped.length > 0 ? `; ${plan.skipped.length} other entr${plan.skipped.length === 1 ? 'y' : 'ies'} skipped (not images, listed in the report)` : ''));
    this.eta = new BatchEta(this.pixelsOf, this.active());
    this.emit({ event: 'plan' });

    let cursor = 0;
    const next = (): PlanItem | undefined => (!this.ac.signal.aborted && cursor < plan.items.length ? plan.items[cursor++] : undefined);
    const n = Math.min(jobs, Math.max(1, plan.items.length));
    this.workersAlive = n;
    let failure: unknown;
    try {
      await Promise.all(Array.from({ length: n }, () => this.worker(next).catch((e) => {
        failure ??= e;
        this.ac.abort();
      })));
    } finally {
      await journal.close().catch(() => undefined);
    }
    if (failure) throw failure;

    const cancelled = this.ac.signal.aborted;
    this.stateValue = cancelled ? 'cancelled' : 'finished';
    const seconds = (performance.now() - this.startedWall) / 1000;
    const summary = await this.writeReport(cancelled, seconds);
    this.emit({ event: 'end' }, cancelled ? 'cancelled' : 'finished');
    return summary;
  }

  private async writeReport(cancelled: boolean, seconds: number): Promise<BatchSummary> {
    const o = this.options;
    const plan = this.plan!;
    const files = this.records;
    const megapixels = this.processedPixels / 1e6;
    const summary: BatchSummary = {
      status: cancelled ? 'cancelled' : 'completed',
      outDir: plan.outDir,
      total: plan.items.length,
      ...this.counts,
      notProcessed: files.filter((f) => f.status === 'pending').length,
      failures: files.filter((f) => f.status === 'failed').map((f) => ({ input: f.input, reason: f.reason ?? 'unknown' })),
      skippedFiles: files.filter((f) => f.status === 'skipped').map((f) => ({ input: f.input, reason: f.reason ?? '' })),
      notImages: plan.skipped,
      seconds,
      megapixels,
      megapixelsPerSecond: this.mps() ?? 0,
      report: path.join(plan.outDir, REPORT_NAME),
      files,
    };
    const report = {
      tool: 'mend batch',
      version: 1,
      command: o.commandLine,
      finished: new Date().toISOString(),
      settings: {
        task: o.task ?? 'denoise', model: o.model ?? null, sigma: o.sigma ?? 'auto', strength: o.strength ?? 1, passes: o.passes ?? 1, mask: o.mask ?? null, masks: o.masks ?? null,
        format: o.format ?? 'same', quality: o.quality ?? null, depth: o.depth ?? null, keepMetadata: o.keepMetadata ?? true,
        recursive: !!o.recursive, skipExisting: !!o.skipExisting, jobs: o.jobs ?? 1, inputs: o.inputs.map((i) => path.resolve(i)),
      },
      ...summary,
    };
    try {
      await writeFileAtomic(summary.report, Buffer.from(JSON.stringify(report, null, 2) + '\n'));
    } catch (e) {
      // The outputs and the journal are what count; a report that does not fit is said, not fatal.
      this.log('warn', `${reasonOf(e).reason}; the summary is only shown here`);
    }
    return summary;
  }
}

/** Convenience: run a batch to the end. */
export function runBatch(options: BatchOptions): Promise<BatchSummary> {
  return new BatchJob(options).run();
}
