// Denoising in the raw domain: the mosaic's four CFA planes (half resolution, white noise of one
// colour each), variance-stabilised by the generalised Anscombe transform so the Poisson-Gaussian
// noise becomes one known level, through a grey noise-level-conditioned denoiser (Mend's
// `gray-unet` by default), back through the unbiased inverse, then demosaiced.
//
// The network was trained on Gaussian noise in gamma-encoded photos, not on raw data: the transform
// is what makes its input look like what it knows (square-root-like tones, constant noise). A model
// trained on unprocessed raw (Brooks et al. 2019) would do better; none is shipped yet.
import type { JobContext } from '../../shared/jobs.js';
import type { LoadedModel } from '../models/store.js';
import { selfEnsemble } from '../infer/ensemble.js';
import { runModel } from '../infer/run-model.js';
import { demosaic, medianChroma, packBayer, unpackBayer } from './bayer.js';
import { daylightMatrix } from './colour.js';
import { CHROMA_SIGMA_PER_RAW_SIGMA, filterRenderedChroma } from './rendered-chroma.js';
import { anscombe, inverseAnscombe, type PoissonGaussian } from './sensor-noise.js';
import type { RawMosaic } from './dng.js';

export interface RawDenoiseOptions extends JobContext {
  tileSize?: number;
  /** 0 = keep the noisy mosaic, 1 = full denoise (default). */
  strength?: number;
  /** Network passes over turned/mirrored copies, averaged: 1 (default), 2, 4 or 8. */
  passes?: number;
  /**
   * The network's level (0-255 scale, on the stabilised planes) set by hand (Amount, --sigma)
   * instead of the one the noise model gives; the chroma filter follows it.
   */
  sigma?: number;
}

/**
 * Below this level (0-255 scale on the stabilised planes) the network is skipped and the mosaic
 * kept: a clean raw file reads about 0.04 (the transform's floor on shot noise), a camera at base
 * ISO 0.2-0.5 (ISO-50- and ISO-100-like noise unprocessed into a 12-bit DNG: 0.19 and 0.45).
 */
const MIN_RAW_SIGMA = 0.1;

export interface RawDenoiseResult {
  /** Denoised mosaic (0 black, 1 white). */
  mosaic: Float32Array;
  /** The network's noise level, 0-255 scale, after stabilisation and scaling. */
  sigma: number;
  /** The level for cameraRgb's chroma filter after demosaicing (0: none), by the noise and strength. */
  chromaSigma: number;
}

/** Denoises the mosaic of `raw` whose noise is `noise`. */
export async function denoiseMosaic(raw: RawMosaic, noise: PoissonGaussian, model: LoadedModel, opts: RawDenoiseOptions = {}): Promise<RawDenoiseResult> {
  const { width, height } = raw;
  const packed = packBayer(raw.data, width, height);
  const out = new Float32Array(raw.data);
  // A tiny shot-noise term keeps the transform defined on read-noise-only (or synthetic) data.
  const n: PoissonGaussian = { a: Math.max(noise.a, 1e-7), b: Math.max(noise.b, 0) };
  // In transform units the noise has sd 1 at every level; black..white is scaled to the network's
  // [0,1], with a margin below black for the read noise. (An orthonormal sum/difference transform
  // of the four planes, tried on 4 McMaster photos unprocessed at two noise levels, did no better:
  // 29.89 against 30.12 dB and 27.11 against 27.08.)
  const lo = anscombe(-3 * Math.sqrt(n.b + n.a * 1e-3), n);
  const hi = anscombe(1, n);
  const scale = 1 / (hi - lo);
  const sigma255 = opts.sigma ?? 255 * scale;
  // Nothing to remove (a clean file, or Amount 0): the mosaic as it is, as the sRGB route does at level 0.
  if (!(sigma255 >= MIN_RAW_SIGMA)) return { mosaic: out, sigma: sigma255, chromaSigma: 0 };
  const d = packed.data;
  const z = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) z[i] = (anscombe(d[i], n) - lo) * scale;
  const range = model.card.sigmaRange;
  const sigma = range ? Math.min(Math.max(sigma255, range[0]), range[1]) : sigma255;
  // With passes > 1, the network also runs on turned and mirrored copies of the planes, averaged
  // (each CFA plane is a regular grid, so turning it is turning the picture).
  const res = await selfEnsemble({ width: packed.width, height: packed.height, channels: 4, data: z }, opts.passes ?? 1,
    (r, onEvent) => runModel(model, r, { noiseLevel: sigma / 255, stage: 'denoise', tileSize: opts.tileSize, signal: opts.signal, onEvent }),
    { signal: opts.signal, onEvent: opts.onEvent });
  const strength = opts.strength ?? 1;
  const back = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const x = inverseAnscombe(res.data[i] / scale + lo, n);
    back[i] = d[i] + strength * (x - d[i]);
  }
  unpackBayer(back, out, width, height);
  return { mosaic: out, sigma: sigma255, chromaSigma: CHROMA_SIGMA_PER_RAW_SIGMA * sigma255 * strength };
}

/**
 * Demosaiced camera RGB of a mosaic (0 black, 1 white), interleaved. With `chromaSigma` (a
 * denoised mosaic's RawDenoiseResult.chromaSigma), its chroma is then guided-filtered by its
 * luminance in the default rendering (rendered-chroma.ts).
 */
export function cameraRgb(mosaic: Float32Array, raw: RawMosaic, chromaSigma = 0): Float32Array {
  // White-balanced first, as dcraw does: the demosaicer corrects each colour by the others' detail,
  // which is only right when a grey has the same value in all three.
  const n = raw.meta.asShotNeutral;
  const balanced = new Float32Array(mosaic.length);
  const { width, height, cfa } = raw;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) balanced[y * width + x] = mosaic[y * width + x] / n[cfa[(y & 1) * 2 + (x & 1)]];
  }
  // Interpolated in a square-root domain (sign kept for the read noise below black): the
  // demosaicer's errors at edges then scale with how visible the tones are, not with linear light
  // (6 McMaster photos through the camera pipeline: the clean mosaic demosaiced 33.70 -> 34.59 dB;
  // cube root: 34.66, no better for the denoised ones).
  for (let i = 0; i < balanced.length; i++) balanced[i] = balanced[i] < 0 ? -Math.sqrt(-balanced[i]) : Math.sqrt(balanced[i]);
  const rgb = demosaic(balanced, width, height, cfa);
  for (let i = 0; i < rgb.length; i++) rgb[i] = rgb[i] < 0 ? -rgb[i] * rgb[i] : rgb[i] * rgb[i];
  // One pass of false-colour suppression: on 4 McMaster photos unprocessed to raw, demosaicing
  // the clean mosaic scored 31.85 dB without it and 32.82 with it (two passes: lower).
  medianChroma(rgb, width, height, 1);
  for (let i = 0; i < rgb.length; i += 3) {
    rgb[i] *= n[0];
    rgb[i + 1] *= n[1];
    rgb[i + 2] *= n[2];
  }
  filterRenderedChroma(rgb, width, height, n, daylightMatrix(raw.meta), chromaSigma);
  return rgb;
}
