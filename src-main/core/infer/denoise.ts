/** Denoising: noise level (given or estimated), the model pass, and the strength blend. */
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { type Raster } from '../image/raster.js';
import { estimateNoiseSigma } from '../metrics/noise-estimate.js';
import type { LoadedModel } from '../models/store.js';
import { checkPasses, selfEnsemble, shareProgress } from './ensemble.js';
import { denoiseLumaChroma } from './luma-chroma.js';
import { runModel } from './run-model.js';

export interface DenoiseOptions extends JobContext {
  /** Noise sigma on the 0-255 scale, or 'auto' (default) to estimate it from the image. */
  sigma?: number | 'auto';
  /** 0 = input, 1 = full denoise (default). */
  strength?: number;
  /**
   * Network passes over turned and mirrored copies, averaged: 1 (default), 2, 4 or 8. Above 1, a
   * grey model on a colour photo also makes one pass on each colour plane (2 passes more).
   */
  passes?: number;
  tileSize?: number;
}

export interface DenoiseResult {
  output: Raster;
  /** The sigma used (0-255 scale). */
  sigma: number;
  estimated: boolean;
}

/** out = input + strength * (denoised - input), in place on `denoised`. */
export function blendStrength(input: Raster, denoised: Raster, strength: number): Raster {
  if (strength === 1) return denoised;
  const a = input.data;
  const d = denoised.data;
  for (let i = 0; i < d.length; i++) d[i] = a[i] + strength * (d[i] - a[i]);
  return denoised;
}

export async function denoiseRaster(raster: Raster, loaded: LoadedModel, opts: DenoiseOptions = {}): Promise<DenoiseResult> {
  const strength = opts.strength ?? 1;
  if (!(strength >= 0 && strength <= 1)) throw new MendError('usage', `--strength must be between 0 and 1, got ${strength}`);
  const estimated = opts.sigma === undefined || opts.sigma === 'auto';
  const sigma = estimated ? estimateNoiseSigma(raster) : (opts.sigma as number);
  if (!(sigma >= 0 && sigma <= 255)) throw new MendError('usage', `--sigma must be between 0 and 255, got ${sigma}`);
  const range = loaded.card.sigmaRange;
  const clampSigma = (s: number): number => (range ? Math.min(Math.max(s, range[0]), range[1]) : s);
  const passes = checkPasses(opts.passes ?? 1);
  // A grayscale denoiser on a colour image: luminance through the network, chroma guided by it
  // (and with more than one pass, also through the network).
  const luminanceRoute = loaded.card.arch.channels === 1 && raster.channels === 3;
  const chromaPasses = luminanceRoute && passes > 1 ? 2 : 0;
  const total = passes + chromaPasses;
  const once = (r: Raster, s: number, onEvent = opts.onEvent): Promise<Raster> =>
    runModel(loaded, r, { ...opts, onEvent, noiseLevel: clampSigma(s) / 255, stage: 'denoise' });
  const run = (r: Raster, s: number): Promise<Raster> =>
    selfEnsemble(r, passes, (t, onEvent) => once(t, s, onEvent), { signal: opts.signal, onEvent: shareProgress(opts.onEvent, 0, passes, total) });
  const chroma = (r: Raster, s: number, k: number): Promise<Raster> =>
    once(r, s, shareProgress(opts.onEvent, passes + k, 1, total, `colour plane ${k + 1} of 2`));
  const output = luminanceRoute
    ? await denoiseLumaChroma(raster, sigma, run, opts.signal, chromaPasses ? chroma : undefined)
    : await run(raster, sigma);
  return { output: blendStrength(raster, output, strength), sigma, estimated };
}
