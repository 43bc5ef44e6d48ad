/**
 * Inpainting: a classical prefill of the holes (inpaintPrefill, infer/fill.ts), refined by the inpainting
 * model (trained on the same prefill with random masks), blended with a non-local estimate near the
 * holes' edges (nonLocalBlend, infer/fill.ts), composited so every pixel outside the mask is the
 * input, then refined in rounds with the default denoiser as the image prior (infer/refine.ts).
 */
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { type Raster } from '../image/raster.js';
import { resolveModel } from '../models/registry.js';
import type { LoadedModel } from '../models/store.js';
import { denoiseRaster } from './denoise.js';
import { runStepsAsync } from '../jobs/steps.js';
import { inpaintPrefillSteps, nonLocalBlendSteps } from './fill.js';
import { refineHoles } from './refine.js';
import { runModel } from './run-model.js';

export interface InpaintOptions extends JobContext {
  tileSize?: number;
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

export async function inpaintRaster(raster: Raster, mask: Uint8Array, loaded: LoadedModel, opts: InpaintOptions = {}): Promise<Raster> {
  let any = false;
  for (let i = 0; i < mask.length && !any; i++) any = mask[i] !== 0;
  if (!any) return { ...raster, data: new Float32Array(raster.data) };
  const prefilled = await runStepsAsync(inpaintPrefillSteps(raster, mask), 'prefill', { ...opts, detail: 'smooth first fill' });
  const predicted = await runModel(loaded, prefilled, { ...opts, mask, stage: 'inpaint' });
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
  return filled;
}
