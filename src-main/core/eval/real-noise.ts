/**
 * Scoring real camera noise: a folder with `noisy/` and `clean/` sub-folders of images with the
 * same names (a noisy shot and its reference, e.g. the mean of many shots of a static scene).
 * Each noisy image is denoised with the default blind settings (no noise level given: what a
 * photographer gets) and scored against its reference: PSNR over all pixels and channels of
 * the 8-bit output, averaged; and how many came out below their own noisy input.
 */
import path from 'node:path';
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { readImage } from '../image/io.js';
import { denoiseRaster } from '../infer/denoise.js';
import { checkPasses } from '../infer/ensemble.js';
import { throwIfCancelled } from '../jobs/cancel.js';
import { EtaEstimator } from '../../shared/eta.js';
import { psnr, quantize8 } from '../metrics/psnr.js';
import { ssim } from '../metrics/ssim.js';
import { resolveModel } from '../models/registry.js';
import { joinIds, listEvalImages, mean, round } from './evaluate.js';

export interface RealNoiseOptions extends JobContext {
  /** Folder holding noisy/ and clean/. */
  data: string;
  model?: string;
  passes?: number;
  tileSize?: number;
}

export interface RealNoiseRow {
  set: string;
  images: number;
  inputPsnr: number;
  psnr: number;
  ssim: number;
  /** Images whose output scores below their noisy input. */
  belowInput: number;
  /** Mean Amount the blind estimate chose. */
  amount: number;
}

export async function evaluateRealNoise(opts: RealNoiseOptions): Promise<{ model: string; results: RealNoiseRow[] }> {
  const noisyDir = path.join(opts.data, 'noisy');
  const cleanDir = path.join(opts.data, 'clean');
  const files = await listEvalImages(noisyDir, 'noisy/');
  if (files.length === 0) throw new MendError('usage', `${noisyDir}: no images to score`);
  const passes = checkPasses(opts.passes ?? 1);
  const eta = new EtaEstimator(files.length);
  const acc = { psnr: [] as number[], ssim: [] as number[], input: [] as number[], amount: [] as number[] };
  const ids = new Set<string>();
  let below = 0;
  for (const [i, file] of files.entries()) {
    throwIfCancelled(opts.signal);
    const name = path.basename(file);
    const noisy = (await readImage(file)).raster;
    let clean;
    try {
      clean = quantize8((await readImage(path.join(cleanDir, name))).raster);
    } catch (e) {
      throw new MendError('not-found', `${name}: no reference of that name in ${cleanDir}`, { cause: e });
    }
    if (clean.width !== noisy.width || clean.height !== noisy.height || clean.channels !== noisy.channels) {
      throw new MendError('usage', `${name}: the noisy image and its reference differ in size or channels`);
    }
    const model = await resolveModel(opts.model, 'denoise', noisy.channels);
    ids.add(model.card.id);
    const res = await denoiseRaster(noisy, model, { passes, signal: opts.signal, tileSize: opts.tileSize });
    const out = quantize8(res.output);
    const p = psnr(out, clean);
    const q = psnr(noisy, clean);
    if (p < q) below++;
    acc.psnr.push(p);
    acc.input.push(q);
    acc.ssim.push(ssim(out, clean));
    acc.amount.push(res.amount);
    opts.onEvent?.({ type: 'progress', stage: 'eval', done: i + 1, total: files.length, etaSeconds: eta.secondsLeft(i + 1),
      detail: name, metrics: { psnr: p } });
  }
  return {
    model: joinIds(ids),
    results: [{
      set: path.basename(path.resolve(opts.data)), images: files.length,
      inputPsnr: round(mean(acc.input), 4), psnr: round(mean(acc.psnr), 4), ssim: round(mean(acc.ssim), 5),
      belowInput: below, amount: round(mean(acc.amount), 1),
    }],
  };
}

export function formatRealNoiseTable(model: string, rows: RealNoiseRow[]): string {
  const lines = [`model ${model}, blind (no noise level given)`, 'set                  images  input dB  output dB  SSIM     below input  mean amount'];
  for (const r of rows) {
    lines.push(`${r.set.padEnd(20)} ${String(r.images).padStart(6)}  ${r.inputPsnr.toFixed(2).padStart(8)}  ${r.psnr.toFixed(2).padStart(9)}  ${r.ssim.toFixed(4)}  ${String(r.belowInput).padStart(11)}  ${r.amount.toFixed(1).padStart(11)}`);
  }
  return lines.join('\n');
}
