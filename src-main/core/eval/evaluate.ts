/**
 * Benchmark evaluation behind `mend eval` and `mend bench`.
 *
 * Denoising follows the published protocol (shared data README): the clean 8-bit image scaled to
 * [0,1] as float, i.i.d. Gaussian noise of std sigma/255 per pixel and channel from a fixed seed,
 * NOT clipped or quantized; the model is told the true sigma; its output is clamped to [0,1] and
 * rounded to 8 bits; PSNR over the full image (colour: one PSNR over all channels) against the
 * 8-bit clean image, averaged over the set. SSIM and the input PSNR are reported too.
 *
 * Inpainting: for each image, the mask with the same file stem (white = hole). The damaged input
 * has its hole pixels set to 0.5 (the model never sees them: inpaintRaster prefills holes from the
 * known pixels). PSNR is over the hole pixels (`psnr`) and over the whole image (`psnrWhole`);
 * `inputPsnr` is the hole PSNR of that 0.5-filled input, a trivial baseline.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { addNoise } from '../corrupt/noise.js';
import { Rng } from '../math/rng.js';
import { convertChannels } from '../image/channels.js';
import { FORMAT_LIST, formatFromPath } from '../image/formats.js';
import { readImage, readMask } from '../image/io.js';
import { type Raster } from '../image/raster.js';
import { denoiseRaster } from '../infer/denoise.js';
import { checkPasses } from '../infer/ensemble.js';
import { inpaintRaster } from '../infer/inpaint.js';
import { throwIfCancelled } from '../jobs/cancel.js';
import { EtaEstimator } from '../../shared/eta.js';
import { holeTextureRatio } from '../metrics/hole-texture.js';
import { psnr, quantize8 } from '../metrics/psnr.js';
import { ssim } from '../metrics/ssim.js';
import { resolveModel } from '../models/registry.js';
import type { LoadedModel } from '../models/store.js';

export const BENCH_SIGMAS: readonly number[] = [15, 25, 50];

export interface DenoiseEvalRow {
  /** The data folder's name, e.g. "Set12". */
  set: string;
  sigma: number;
  images: number;
  /** Mean PSNR (dB) of the 8-bit output against the 8-bit clean image. */
  psnr: number;
  ssim: number;
  /** Mean PSNR of the (unclipped) noisy input. */
  inputPsnr: number;
  /** With `estimate`: the mean sigma the noise estimator gave the model (0-255 scale). */
  estimatedSigma?: number;
  /** Network passes averaged (infer/ensemble.ts), when more than 1. */
  passes?: number;
}

export interface InpaintEvalRow {
  set: string;
  /** The mask set: a sub-folder name of --masks, or the --masks folder's own name. */
  masks: string;
  images: number;
  /** Mean PSNR over the hole pixels. */
  psnr: number;
  /** Mean PSNR over the whole image. */
  psnrWhole: number;
  ssim: number;
  /** Mean hole PSNR of the damaged input (holes filled with 0.5). */
  inputPsnr: number;
  /**
   * Texture in the fill: std of the Laplacian in the holes eroded by 2 px over the clean photo's
   * there (metrics/hole-texture.ts), median over the images that keep pixels after erosion. A
   * smooth smear scores near 0, the photo's own texture 1. NaN where no image keeps any.
   */
  texture: number;
}

export interface EvalResult<Row> {
  task: 'denoise' | 'inpaint';
  /** Model id; several joined with '+' when a folder mixes gray and colour images (defaults per kind). */
  model: string;
  results: Row[];
}

export interface DenoiseEvalOptions extends JobContext {
  data: string;
  sigmas: readonly number[];
  /** Base seed (default 0). */
  seed?: number;
  /** Model id or folder; default: the registry default for each image's kind. */
  model?: string;
  tileSize?: number;
  /**
   * Give the model the noise estimator's sigma instead of the true one: what `--sigma auto`
   * does on a photo, so the gap to the protocol's numbers is what estimation costs.
   */
  estimate?: boolean;
  /** Network passes over turned copies, averaged (1, 2, 4, 8; default 1). */
  passes?: number;
}

export interface InpaintEvalOptions extends JobContext {
  data: string;
  masks: string;
  model?: string;
  tileSize?: number;
}

/** Image files directly in `dir` (not sub-folders), in natural order (2.png before 10.png). */
export async function listEvalImages(dir: string, what = 'data'): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new MendError('not-found', `${dir}: ${what} folder not found or unreadable`, { cause: e });
  }
  return entries
    .filter((e) => e.isFile() && formatFromPath(e.name) !== undefined)
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((name) => path.join(dir, name));
}

async function requireImages(dir: string): Promise<string[]> {
  const files = await listEvalImages(dir);
  if (files.length === 0) throw new MendError('usage', `${dir}: no images to evaluate (Mend reads ${FORMAT_LIST})`);
  return files;
}

function mix32(h: number, v: number): number {
  h = Math.imul(h ^ (v | 0), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The noise seed for one image at one sigma: a hash of the base seed, sigma (to 1/1000) and the
 * image's index in the sorted folder, so every (image, sigma) pair has its own fixed noise.
 */
export function evalNoiseSeed(seed: number, sigma: number, index: number): number {
  let h = mix32(0x9e3779b9, seed);
  h = mix32(h, Math.floor(seed / 4294967296));
  h = mix32(h, Math.round(sigma * 1000));
  return mix32(h, index);
}

/** The protocol's noisy input: clean + N(0, (sigma/255)^2) per value, unclipped and unquantized. */
export function evalNoisyInput(clean: Raster, sigma: number, seed: number): Raster {
  return addNoise(clean, { kind: 'gaussian', sigma }, new Rng(seed), { clip: false });
}

/** The image in the model's channel count (only converted if the kinds differ), as 8-bit values. */
function cleanFor(raster: Raster, model: LoadedModel): Raster {
  return quantize8(convertChannels(raster, model.card.channels));
}

/** Mean of the non-NaN values (NaN if none). */
export function mean(values: number[]): number {
  const ok = values.filter((v) => !Number.isNaN(v));
  return ok.length === 0 ? NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
}

export const round = (v: number, digits: number): number => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

export function joinIds(ids: Set<string>): string {
  return [...ids].join('+');
}

export async function evaluateDenoise(opts: DenoiseEvalOptions): Promise<EvalResult<DenoiseEvalRow>> {
  if (opts.sigmas.length === 0) throw new MendError('usage', 'Give at least one noise level (--sigma 15,25,50)');
  const files = await requireImages(opts.data);
  const seed = opts.seed ?? 0;
  const passes = checkPasses(opts.passes ?? 1);
  const set = path.basename(path.resolve(opts.data));
  const emit = opts.onEvent ?? (() => undefined);
  const acc = opts.sigmas.map(() => ({ psnr: [] as number[], ssim: [] as number[], input: [] as number[], used: [] as number[] }));
  const ids = new Set<string>();
  const total = files.length * opts.sigmas.length;
  const eta = new EtaEstimator(total);
  let done = 0;
  for (const [index, file] of files.entries()) {
    throwIfCancelled(opts.signal);
    const { raster } = await readImage(file);
    const model = await resolveModel(opts.model, 'denoise', raster.channels);
    ids.add(model.card.id);
    // Scored in the image's own channels: denoiseRaster runs a grayscale model on colour images
    // through luminance and chroma (infer/luma-chroma.ts), as it does for a user's photo.
    const clean = quantize8(raster);
    for (const [k, sigma] of opts.sigmas.entries()) {
      throwIfCancelled(opts.signal);
      const noisy = evalNoisyInput(clean, sigma, evalNoiseSeed(seed, sigma, index));
      const { output, sigma: used } = await denoiseRaster(noisy, model, {
        sigma: opts.estimate ? 'auto' : sigma, passes, signal: opts.signal, tileSize: opts.tileSize,
      });
      const out = quantize8(output);
      const p = psnr(out, clean);
      acc[k]!.used.push(used);
      acc[k]!.psnr.push(p);
      acc[k]!.ssim.push(ssim(out, clean));
      acc[k]!.input.push(psnr(noisy, clean));
      done++;
      emit({ type: 'progress', stage: 'eval', done, total, etaSeconds: eta.secondsLeft(done),
        detail: `${path.basename(file)} sigma ${sigma}`, metrics: { psnr: p } });
    }
  }
  return {
    task: 'denoise',
    model: joinIds(ids),
    results: opts.sigmas.map((sigma, k) => ({
      set,
      sigma,
      images: files.length,
      psnr: round(mean(acc[k]!.psnr), 4),
      ssim: round(mean(acc[k]!.ssim), 5),
      inputPsnr: round(mean(acc[k]!.input), 4),
      ...(opts.estimate ? { estimatedSigma: round(mean(acc[k]!.used), 3) } : {}),
      ...(passes > 1 ? { passes } : {}),
    })),
  };
}

/** Mask sets under `dir`: each sub-folder holding images, plus `dir` itself if it holds images. */
export async function listMaskSets(dir: string): Promise<{ name: string; dir: string }[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new MendError('not-found', `${dir}: masks folder not found or unreadable`, { cause: e });
  }
  const sets: { name: string; dir: string }[] = [];
  if (entries.some((e) => e.isFile() && formatFromPath(e.name) !== undefined)) {
    sets.push({ name: path.basename(path.resolve(dir)), dir });
  }
  const subs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const name of subs) {
    const sub = path.join(dir, name);
    if ((await listEvalImages(sub, 'masks')).length > 0) sets.push({ name, dir: sub });
  }
  if (sets.length === 0) throw new MendError('usage', `${dir}: no mask images (white = hole), directly or in sub-folders`);
  return sets;
}

const stem = (file: string): string => path.basename(file, path.extname(file));

export async function evaluateInpaint(opts: InpaintEvalOptions): Promise<EvalResult<InpaintEvalRow>> {
  const files = await requireImages(opts.data);
  if (!(await stat(opts.masks).catch(() => undefined))?.isDirectory()) {
    throw new MendError('usage', `--masks ${opts.masks} is not a folder`);
  }
  const sets = await listMaskSets(opts.masks);
  const set = path.basename(path.resolve(opts.data));
  const emit = opts.onEvent ?? (() => undefined);
  const ids = new Set<string>();
  // Pair every image with its mask in each set (by file stem).
  const plan: { set: string; pairs: { image: string; mask: string }[] }[] = [];
  for (const s of sets) {
    const masks = new Map((await listEvalImages(s.dir, 'masks')).map((m) => [stem(m), m]));
    const pairs = files.flatMap((image) => {
      const mask = masks.get(stem(image));
      return mask ? [{ image, mask }] : [];
    });
    if (pairs.length === 0) {
      throw new MendError('usage', `${s.dir}: no mask has the file name (stem) of an image in ${opts.data}`);
    }
    if (pairs.length < files.length) {
      emit({ type: 'log', level: 'warn', message: `${s.dir}: ${files.length - pairs.length} of ${files.length} images have no mask and are skipped` });
    }
    plan.push({ set: s.name, pairs });
  }
  const total = plan.reduce((n, p) => n + p.pairs.length, 0);
  const eta = new EtaEstimator(total);
  let done = 0;
  const results: InpaintEvalRow[] = [];
  for (const { set: masksName, pairs } of plan) {
    const acc = { psnr: [] as number[], whole: [] as number[], ssim: [] as number[], input: [] as number[], texture: [] as number[] };
    for (const { image, mask: maskFile } of pairs) {
      throwIfCancelled(opts.signal);
      const { raster } = await readImage(image);
      const model = await resolveModel(opts.model, 'inpaint', raster.channels);
      ids.add(model.card.id);
      const clean = cleanFor(raster, model);
      const mask = await readMask(maskFile, clean.width, clean.height);
      const damaged = { ...clean, data: new Float32Array(clean.data) };
      const c = clean.channels;
      for (let p = 0; p < mask.length; p++) if (mask[p]) for (let k = 0; k < c; k++) damaged.data[p * c + k] = 0.5;
      const out = quantize8(await inpaintRaster(damaged, mask, model, { signal: opts.signal, tileSize: opts.tileSize, grain: false }));
      const p = psnr(out, clean, { mask });
      acc.psnr.push(p);
      acc.whole.push(psnr(out, clean));
      acc.ssim.push(ssim(out, clean));
      acc.input.push(psnr(damaged, clean, { mask }));
      const texture = holeTextureRatio(out, clean, mask);
      if (Number.isFinite(texture)) acc.texture.push(texture);
      done++;
      emit({ type: 'progress', stage: 'eval', done, total, etaSeconds: eta.secondsLeft(done),
        detail: `${path.basename(image)} ${masksName}`, metrics: Number.isNaN(p) ? undefined : { psnr: p } });
    }
    results.push({
      set,
      masks: masksName,
      images: pairs.length,
      psnr: round(mean(acc.psnr), 4),
      psnrWhole: round(mean(acc.whole), 4),
      ssim: round(mean(acc.ssim), 5),
      inputPsnr: round(mean(acc.input), 4),
      texture: round(median(acc.texture), 3),
    });
  }
  return { task: 'inpaint', model: joinIds(ids), results };
}

/** Median; NaN for none. */
function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Parses "15,25,50" (0-255 scale). */
export function parseSigmaList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map((s) => (/^\d+(\.\d+)?$/.test(s) ? Number(s) : NaN));
  if (parts.length === 0 || values.some((v) => !(v > 0 && v <= 255))) {
    throw new MendError('usage', `--sigma must be a comma-separated list of noise levels between 0 and 255 (e.g. 15,25,50), got "${text}"`);
  }
  return values;
}

const fmt = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A readable table of an evaluation, for the terminal. */
export function formatEvalTable(result: EvalResult<DenoiseEvalRow> | EvalResult<InpaintEvalRow>): string {
  const set = result.results[0]?.set ?? '';
  if (result.task === 'denoise') {
    const rows = result.results as DenoiseEvalRow[];
    const estimated = rows.some((r) => r.estimatedSigma !== undefined);
    const cells = rows.map((r) => [String(r.sigma), ...(estimated ? [fmt(r.estimatedSigma ?? NaN, 2)] : []),
      String(r.images), fmt(r.inputPsnr, 2), fmt(r.psnr, 2), fmt(r.ssim, 4)]);
    const passes = rows[0]?.passes ? `; ${rows[0].passes} passes averaged` : '';
    return `Denoising ${set} with ${result.model} (PSNR in dB, 8-bit output${estimated ? '; the model was given the estimated sigma' : ''}${passes})\n` +
      table(['sigma', ...(estimated ? ['estimated'] : []), 'images', 'input PSNR', 'PSNR', 'SSIM'], cells);
  }
  const rows = (result.results as InpaintEvalRow[]).map((r) =>
    [r.masks, String(r.images), fmt(r.inputPsnr, 2), fmt(r.psnr, 2), fmt(r.psnrWhole, 2), fmt(r.ssim, 4), fmt(r.texture, 2)]);
  return `Inpainting ${set} with ${result.model} (PSNR in dB; input = holes filled with 0.5; texture = std of the Laplacian in the holes eroded by 2 px over the clean photo's, median)\n` +
    table(['masks', 'images', 'input PSNR (holes)', 'PSNR (holes)', 'PSNR (whole)', 'SSIM', 'texture'], rows);
}
