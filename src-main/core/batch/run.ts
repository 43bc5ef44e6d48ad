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
import { mkdir, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { MendError } from '../../shared/errors.js';
import type { JobEvent } from '../../shared/jobs.js';
import { unwritableError } from '../image/atomic-write.js';
import { assertNotSameFile, readImage, writeImage, type DecodedImage } from '../image/io.js';
import { inpaintRaster } from '../infer/inpaint.js';
import type { LoadedModel } from '../models/store.js';
import type { RawMosaic } from '../raw/dng.js';
import { BatchEta } from '../../shared/eta.js';
import { checkBatchDenoiseOptions, denoiseBatchFile } from './denoise-file.js';
import { hashFile, Journal, JOURNAL_VERSION, settingsHash, type BatchSettingsKey } from './journal.js';
import { lockOutDir } from './lock.js';
import { BatchMasks } from './masks.js';
import { BatchModels, batchSettings } from './models.js';
import { PauseGate } from './pause-gate.js';
import { isInside, planBatch, realpathOrSelf, type BatchPlan, type PlanItem } from './plan.js';
import { batchProgressEvent } from './progress.js';
import { reasonOf, writeBatchReport } from './report.js';
import { readRawInput, writeRawBatchOutput } from './raw-items.js';
import { removeStaleTemps } from './stale-temps.js';
import type { BatchOptions, BatchProgress, BatchState, BatchSummary, FileRecord } from './types.js';

interface Ready {
  kind: 'ready';
  item: PlanItem;
  image: DecodedImage;
  /** A camera RAW input's mosaic (image then holds it as a grey raster). */
  raw?: RawMosaic;
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

function isCancel(e: unknown): boolean {
  return e instanceof MendError && e.code === 'cancelled';
}

export class BatchJob {
  private stateValue: BatchState = 'idle';
  private readonly ac = new AbortController();
  private readonly gate = new PauseGate(() => this.checkPaused());
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
  private readonly models: BatchModels;
  private readonly masks: BatchMasks;
  private outReal = '';
  private journal: Journal | undefined;
  private ran = false;

  constructor(readonly options: BatchOptions) {
    this.models = new BatchModels(options);
    this.masks = new BatchMasks(options);
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
    this.gate.close();
    this.stateValue = 'pausing';
    this.checkPaused();
  }

  resume(): void {
    if (this.stateValue !== 'pausing' && this.stateValue !== 'paused') return;
    const wasPaused = this.stateValue === 'paused';
    this.stateValue = 'running';
    this.gate.open();
    if (wasPaused) this.emit({ event: 'resumed' }, 'Resumed');
  }

  /** Stops the batch: the file in inference stops at its next tile, nothing partial is written. */
  cancel(): void {
    if (this.stateValue === 'finished' || this.stateValue === 'cancelled') return;
    this.stateValue = 'cancelling';
    this.ac.abort();
    this.gate.open();
  }

  /** Active seconds (pauses excluded) since the batch started. */
  private active(): number {
    return this.gate.activeSeconds();
  }

  private checkPaused(): void {
    if (this.stateValue === 'pausing' && this.gate.allWaiting) {
      this.stateValue = 'paused';
      this.gate.markPaused();
      this.emit({ event: 'paused' }, 'Paused');
    }
  }

  private mps(): number | undefined {
    if (this.processingStart === undefined || this.processedPixels === 0) return undefined;
    const t = this.active() - this.processingStart;
    return t > 0 ? this.processedPixels / 1e6 / t : undefined;
  }

  private emit(b: Partial<BatchProgress> & { event: BatchProgress['event'] }, detail?: string): void {
    if (!this.options.onEvent) return;
    this.options.onEvent(batchProgressEvent({
      filesTotal: this.plan?.items.length ?? 0,
      counts: this.counts,
      pixelsDone: this.pixelsFinished,
      pixelsTotal: this.pixelsTotal,
      elapsedSeconds: (performance.now() - this.startedWall) / 1000,
      megapixelsPerSecond: this.mps(),
      etaSeconds: this.stateValue === 'paused' ? undefined : this.eta?.secondsLeft(this.active()),
    }, b, detail));
  }

  private log(level: 'info' | 'warn', message: string): void {
    this.options.onEvent?.({ type: 'log', level, message });
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
      let model = await this.models.forChannels(item.channels);
      const task = this.options.task ?? 'denoise';
      const maskPath = task === 'inpaint' ? this.masks.pathFor(item) : undefined;
      const mHash = maskPath ? await this.masks.hash(maskPath) : undefined;
      let settings = await batchSettings(this.options, model, item, mHash);
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
      const { image, raw } = item.raw ? await readRawInput(item.input, task) : { image: await readImage(item.input), raw: undefined };
      if (image.raster.channels !== item.channels) {
        model = await this.models.forChannels(image.raster.channels);
        settings = await batchSettings(this.options, model, item, mHash);
        sHash = settingsHash(settings);
      }
      const mask = maskPath ? await this.masks.read(maskPath, image.raster.width, image.raster.height) : undefined;
      return {
        kind: 'ready', item, image, raw, mask, maskPath, model, settings, settingsHash: sHash, inputHash: hash, inputSize: size,
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
      if (r.raw || (o.task ?? 'denoise') === 'denoise') {
        const res = await denoiseBatchFile(r.item.input, r.image.raster, r.raw, r.model, o, ctx);
        return { raster: res.raster, seconds: (performance.now() - t) / 1000, sigma: res.sigma };
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
      if (r.raw) await writeRawBatchOutput(item.output, r.raw, out.raster.data, item.outputFormat, o);
      else if (item.outputFormat !== 'dng') await writeImage(item.output, { ...r.image, raster: out.raster }, {
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
        if (this.gate.closed) {
          // Pausing: let the output in flight land first, so no progress happens while paused.
          await pendingWrite;
          pendingWrite = Promise.resolve();
        }
        await this.gate.wait(this.ac.signal);
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
      this.gate.workerStopped();
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
    checkBatchDenoiseOptions(o);
    const jobs = Math.max(1, Math.floor(o.jobs ?? 1));
    this.startedWall = performance.now();
    this.gate.startClock(this.startedWall);
    if (this.stateValue === 'idle') this.stateValue = 'running';

    const outDir = path.resolve(o.outDir);
    const journal = await Journal.load(outDir);
    const preferred = new Map<string, string>();
    for (const [input, e] of journal.byInput) preferred.set(input, e.output);
    await this.masks.load();
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
    for (const c of new Set(plan.items.map((i) => i.channels))) await this.models.forChannels(c);

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
    this.gate.setWorkers(n);
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
    const summary = await writeBatchReport({
      options: this.options, plan, files: this.records, counts: this.counts, megapixels: this.processedPixels / 1e6,
      megapixelsPerSecond: this.mps() ?? 0, cancelled, seconds, warn: (m) => this.log('warn', m),
    });
    this.emit({ event: 'end' }, cancelled ? 'cancelled' : 'finished');
    return summary;
  }
}

/** Convenience: run a batch to the end. */
export function runBatch(options: BatchOptions): Promise<BatchSummary> {
  return new BatchJob(options).run();
}
