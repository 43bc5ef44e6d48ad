/**
 * Inpainting: a classical prefill of the holes (inpaintPrefill, infer/fill.ts), refined by the inpainting
 * model (trained on the same prefill with random masks; run on crops around the holes), blended
 * with a non-local estimate near the holes' edges (nonLocalBlend, infer/fill.ts), composited so
 * every pixel outside the mask is the input, then refined in rounds with the default denoiser as
 * the image prior (infer/refine.ts).
 */
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { Rng } from '../corrupt/rng.js';
import { type Raster } from '../image/raster.js';
import { runStepsAsync } from '../jobs/steps.js';
import { estimateNoiseSigma } from '../metrics/noise-estimate.js';
import { resolveModel } from '../models/registry.js';
import type { LoadedModel } from '../models/store.js';
import { denoiseRaster } from './denoise.js';
import { shareProgress } from './ensemble.js';
import { cutCrop, cutMask, holeTiles, indexInCrop } from './hole-tiles.js';
import { inpaintPrefillSteps, nonLocalBlendSteps } from './fill.js';
import { refineHoles } from './refine.js';
import { runModel } from './run-model.js';

export interface InpaintOptions extends JobContext {
  tileSize?: number;
  /**
   * Add grain matching the photo's noise to the filled pixels of a visibly noisy photo (see
   * MIN_GRAIN_SIGMA): the fill is clean, and in a noisy photo a clean patch shows as a smear.
   * Off by default: the noise estimate reads fine texture as noise on some clean photos (three of
   * 36 colour training photos estimate 10-11.6), and there the grain shows as a speckled band.
   */
  grain?: boolean;
  /** The denoiser of the last step; default: the registry's default for the image's kind. */
  denoiser?: LoadedModel;
}

/** The default denoiser for the refinement, or undefined where none is installed (the step is skipped). */
async function defaultDenoiser(channels: number): Promise<LoadedModel | undefined> {
  try {
    return await resolveModel(undefined, 'denoise', channels);
  } catch (e) {
    if (e instanceof MendError && e.code === 'model') return undefined;
    throw e;
  }
}

/**
 * Tiles and context of the network pass: its output is used in the holes only, so it runs on
 * crops around them. 64 pixels of context are well past what the shipped inpainter sees (a
 * residual network of 10 convolutions sees 10), so the result is the whole-image pass's.
 */
const NET_TILE = 512;
const NET_MARGIN = 64;

/** The inpainting network's output in the holes of `prefilled` (elsewhere, `prefilled` itself). */
export async function predictHoles(loaded: LoadedModel, prefilled: Raster, mask: Uint8Array, opts: InpaintOptions): Promise<Raster> {
  const { width, height, channels: c } = prefilled;
  const out = { ...prefilled, data: new Float32Array(prefilled.data) };
  const crops = holeTiles(width, height, mask, NET_TILE, NET_MARGIN);
  for (const [i, crop] of crops.entries()) {
    const onEvent = shareProgress(opts.onEvent, i, 1, crops.length);
    const res = await runModel(loaded, cutCrop(prefilled, crop), { ...opts, onEvent, mask: cutMask(mask, width, crop), stage: 'inpaint' });
    for (const p of crop.holes) {
      const q = indexInCrop(crop, p, width);
      for (let k = 0; k < c; k++) out.data[p * c + k] = res.data[q * c + k]!;
    }
  }
  return out;
}

export async function inpaintRaster(raster: Raster, mask: Uint8Array, loaded: LoadedModel, opts: InpaintOptions = {}): Promise<Raster> {
  let any = false;
  for (let i = 0; i < mask.length && !any; i++) any = mask[i] !== 0;
  if (!any) return { ...raster, data: new Float32Array(raster.data) };
  const prefilled = await runStepsAsync(inpaintPrefillSteps(raster, mask), 'prefill', { ...opts, detail: 'smooth first fill' });
  const predicted = await predictHoles(loaded, prefilled, mask, opts);
  await runStepsAsync(nonLocalBlendSteps(raster, mask, predicted), 'texture', { ...opts, detail: 'texture from nearby' });
  const c = raster.channels;
  const out = new Float32Array(raster.data);
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    for (let k = 0; k < c; k++) out[p * c + k] = Math.min(1, Math.max(0, predicted.data[p * c + k]));
  }
  const filled = { width: raster.width, height: raster.height, channels: c, data: out };
  const denoiser = opts.denoiser ?? (await defaultDenoiser(c));
  if (denoiser) {
    const denoise = async (crop: Raster, sigma: number): Promise<Raster> =>
      (await denoiseRaster(crop, denoiser, { sigma, signal: opts.signal, tileSize: opts.tileSize })).output;
    await refineHoles(filled, mask, denoise, opts);
  }
  if (opts.grain) addGrain(filled, mask, estimateNoiseSigma(raster));
  return filled;
}

/**
 * The estimated noise (sigma, 0-255 scale) from which the fill gets grain. Clean photos with fine
 * texture estimate up to about 7 (McMaster: 1.5-6.8), and there white grain would add a speckle
 * the photo does not have (seen on McMaster 1's wood); from 8 on a photo is visibly noisy
 * (RNI6's Building: 10.5) and a clean fill shows as a smooth smear.
 */
export const MIN_GRAIN_SIGMA = 8;

/**
 * Adds white Gaussian grain of `sigma` (0-255 scale, the photo's estimated noise) to the hole
 * pixels, clamped to [0,1], from a fixed seed so a run can be repeated.
 */
export function addGrain(r: Raster, mask: Uint8Array, sigma: number): void {
  if (!(sigma >= MIN_GRAIN_SIGMA)) return;
  const rng = new Rng(GRAIN_SEED);
  const s = sigma / 255;
  const c = r.channels;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    for (let k = 0; k < c; k++) r.data[p * c + k] = Math.min(1, Math.max(0, r.data[p * c + k]! + s * rng.normal()));
  }
}
const GRAIN_SEED = 20261128;
