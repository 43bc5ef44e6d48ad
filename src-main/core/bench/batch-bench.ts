/**
 * Batch overhead for `mend bench`: a batch of N generated one-megapixel photos (JPEG, like a
 * shoot) against the sum of the per-image inference times measured inside that batch. The
 * overhead is everything else the batch does: planning, hashing, decoding, encoding, atomic
 * writes, the journal and the report (partly hidden behind inference by the read-ahead and
 * write-behind). Target: under 10% with a real model.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { JobContext } from '../../shared/jobs.js';
import { syntheticImage } from './synthetic.js';
import { writeImage } from '../image/io.js';
import { throwIfCancelled } from '../jobs/cancel.js';
import { BatchJob } from '../batch/run.js';

export interface BatchOverheadOptions extends JobContext {
  /** Images (default 50). */
  images?: number;
  /** Side of the square images (default 1000: one megapixel). */
  size?: number;
  /** Model id or folder (default: the registry's default colour denoiser). */
  model?: string;
  /** Noise sigma passed to the denoiser (default 25; fixed so no estimate is timed). */
  sigma?: number;
  /** Work folder (default: a new temp folder, removed afterwards). */
  dir?: string;
}

export interface BatchOverheadResult {
  images: number;
  width: number;
  height: number;
  model: string;
  /** Wall time of the whole batch, planning and report included. */
  batchSeconds: number;
  /** Sum of the per-image inference times (the denoise call) inside the batch. */
  inferenceSeconds: number;
  /** Sums over the files of the time spent reading (hash, decode) and writing (encode, atomic write, journal); partly overlapped with inference. */
  readSeconds: number;
  writeSeconds: number;
  /** batchSeconds / inferenceSeconds - 1. */
  overhead: number;
  megapixelsPerSecond: number;
  failed: number;
}

export async function benchBatchOverhead(opts: BatchOverheadOptions = {}): Promise<BatchOverheadResult> {
  const n = opts.images ?? 50;
  const side = opts.size ?? 1000;
  const own = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'mend-batch-bench-')));
  try {
    const inDir = path.join(dir, 'in');
    const outDir = path.join(dir, 'out');
    await mkdir(inDir, { recursive: true });
    for (let i = 0; i < n; i++) {
      throwIfCancelled(opts.signal);
      const raster = syntheticImage(side, side, 3, i + 1);
      await writeImage(path.join(inDir, `img-${String(i).padStart(3, '0')}.jpg`), { raster, bitDepth: 8, format: 'jpeg' }, { quality: 92 });
      opts.onEvent?.({ type: 'progress', stage: 'batch-bench-setup', done: i + 1, total: n });
    }
    const job = new BatchJob({
      inputs: [inDir], outDir, task: 'denoise', model: opts.model, sigma: opts.sigma ?? 25, signal: opts.signal,
      onEvent: opts.onEvent ? (e) => (e.type === 'progress' && (e as { batch?: { event: string } }).batch?.event === 'file' ? opts.onEvent!(e) : undefined) : undefined,
    });
    const t = performance.now();
    const summary = await job.run();
    const batchSeconds = (performance.now() - t) / 1000;
    throwIfCancelled(opts.signal);
    const inferenceSeconds = summary.files.reduce((s, f) => s + (f.inferenceSeconds ?? 0), 0);
    return {
      images: n,
      width: side,
      height: side,
      model: summary.files.find((f) => f.model)?.model ?? opts.model ?? 'default',
      batchSeconds,
      inferenceSeconds,
      readSeconds: summary.files.reduce((s, f) => s + (f.readSeconds ?? 0), 0),
      writeSeconds: summary.files.reduce((s, f) => s + (f.writeSeconds ?? 0), 0),
      overhead: inferenceSeconds > 0 ? batchSeconds / inferenceSeconds - 1 : Number.NaN,
      megapixelsPerSecond: summary.megapixelsPerSecond,
      failed: summary.failed,
    };
  } finally {
    if (own) await rm(dir, { recursive: true, force: true });
  }
}
