/**
 * Denoising: the noise level (given, set by Amount, or estimated blind: infer/noise-level.ts),
 * the model pass conditioned on a per-pixel noise map, and the Detail and strength blends.
 */
import { amountForSigma, sigmaForAmount } from '../../shared/amount.js';
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { type Raster } from '../image/raster.js';
import type { LoadedModel } from '../models/store.js';
import { checkPasses, selfEnsemble, shareProgress } from './ensemble.js';
import { denoiseLumaChroma, toOpponent } from './luma-chroma.js';
import { estimateNoiseLevel, luminance, noiseMapFor, type NoiseLevel } from './noise-level.js';
import { runModel } from './run-model.js';

export interface DenoiseOptions extends JobContext {
  /** Noise sigma on the 0-255 scale, or 'auto' (default) to estimate it from the image. */
  sigma?: number | 'auto';
  /**
   * The photographer's control for the level, 0-100 (sigmaForAmount), instead of a sigma: it
   * replaces the estimated level and keeps the estimate's shape over the tones. --sigma wins.
   */
  amount?: number;
  /** 0-100: how much of the fine brightness structure the network removed is given back (0 default). */
  detail?: number;
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
  /** The sigma used (0-255 scale; at the image's mean brightness when it varies). */
  sigma: number;
  /** The same level as Amount (0-100). */
  amount: number;
  estimated: boolean;
  /** What the blind estimate found (absent when the level was given). */
  noise?: NoiseLevel['kind'];
}

export { amountForSigma, sigmaForAmount };

/** Largest share of the removed brightness structure Detail 100 gives back. */
export const DETAIL_FULL = 0.6;

/**
 * Detail: gives back `detail` (0-1) times DETAIL_FULL of what the network removed from the
 * brightness, in place on `denoised`. Colour noise stays removed, so fine texture (skin, foliage,
 * fabric) comes back with fine grain, not with colour speckle.
 */
export function giveBackDetail(input: Raster, denoised: Raster, detail: number): Raster {
  if (!(detail > 0)) return denoised;
  const k = detail * DETAIL_FULL;
  const c = input.channels;
  if (c === 1) {
    for (let i = 0; i < denoised.data.length; i++) denoised.data[i] += k * (input.data[i]! - denoised.data[i]!);
    return denoised;
  }
  const yIn = toOpponent(input).y;
  const yOut = toOpponent(denoised).y;
  const d = denoised.data;
  for (let p = 0; p < yIn.length; p++) {
    const add = k * (yIn[p]! - yOut[p]!);
    for (let j = 0; j < c; j++) d[p * c + j] += add;
  }
  return denoised;
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
  const detail = opts.detail ?? 0;
  if (!(detail >= 0 && detail <= 100)) throw new MendError('usage', `--detail must be between 0 and 100, got ${detail}`);
  if (opts.amount !== undefined && !(opts.amount >= 0 && opts.amount <= 100)) {
    throw new MendError('usage', `--amount must be between 0 and 100, got ${opts.amount}`);
  }
  const estimated = opts.sigma === undefined || opts.sigma === 'auto';
  const level: NoiseLevel | undefined = estimated ? await estimateNoiseLevel(raster, loaded, opts.signal) : undefined;
  let sigma = level ? level.sigma : (opts.sigma as number);
  if (estimated && opts.amount !== undefined) sigma = sigmaForAmount(opts.amount);
  if (!(sigma >= 0 && sigma <= 255)) throw new MendError('usage', `--sigma must be between 0 and 255, got ${sigma}`);
  const done = (output: Raster): DenoiseResult => ({
    output: blendStrength(raster, giveBackDetail(raster, output, detail / 100), strength),
    sigma, amount: amountForSigma(sigma), estimated, ...(level ? { noise: level.kind } : {}),
  });
  // Nothing to remove: the network at level 0 gives the input back within rounding, so skip it.
  if (sigma === 0) return done({ ...raster, data: new Float32Array(raster.data) });
  const shape = level?.shape;
  const range = loaded.card.sigmaRange;
  const clampSigma = (s: number): number => (range ? Math.min(Math.max(s, range[0]), range[1]) : s);
  const passes = checkPasses(opts.passes ?? 1);
  // A grayscale denoiser on a colour image: luminance through the network, chroma guided by it
  // (and with more than one pass, also through the network).
  const luminanceRoute = loaded.card.arch.channels === 1 && raster.channels === 3;
  // Camera noise (read blind as correlated) leaves colour blotches a few pixels wide that the
  // guided filter keeps: a network pass on each colour plane at half resolution removes them
  // (real Canon photos 38.26 -> 38.53 dB; 24 MP 14.4 -> 17.7 s; docs/real-noise.md). White noise keeps
  // the filter alone: there the half-resolution pass lost 0.36 dB (McMaster, sigma 25).
  const camera = level?.kind === 'camera';
  const chromaPasses = luminanceRoute && (passes > 1 || camera) ? 2 : 0;
  const total = passes + chromaPasses;
  // The map follows each plane it is made for (turned copies included); colour planes get a flat level.
  const once = (r: Raster, s: number, onEvent = opts.onEvent, flat = false): Promise<Raster> => {
    const noiseLevel = clampSigma(s) / 255;
    const noiseMap = shape && !flat ? noiseMapFor(luminance(r), r.width, r.height, noiseLevel, shape) : undefined;
    return runModel(loaded, r, { ...opts, onEvent, noiseLevel, noiseMap, stage: 'denoise' });
  };
  const run = (r: Raster, s: number): Promise<Raster> =>
    selfEnsemble(r, passes, (t, onEvent) => once(t, s, onEvent), { signal: opts.signal, onEvent: shareProgress(opts.onEvent, 0, passes, total) });
  const chroma = (r: Raster, s: number, k: number): Promise<Raster> =>
    once(r, s, shareProgress(opts.onEvent, passes + k, 1, total, `colour plane ${k + 1} of 2`), true);
  const output = luminanceRoute
    ? await denoiseLumaChroma(raster, sigma, run, opts.signal, chromaPasses ? chroma : undefined, camera ? 2 : 1)
    : await run(raster, sigma);
  return done(output);
}
