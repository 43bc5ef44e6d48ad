// A clean sRGB picture "unprocessed" into a camera raw file (Brooks et al. 2019): tone curve and
// gamma undone, into camera colour by a colour matrix, white balance undone, sampled by an RGGB
// mosaic, Poisson-Gaussian sensor noise of known parameters added, stored as 12-bit values above a
// black level. Tests read such files back and compare with the picture they came from.
import type { Rng } from '../math/rng.js';
import type { Raster } from '../image/raster.js';
import { neutralFor, TYPICAL_COLOR_MATRIX, unprocessSrgb, type Mat3 } from './colour.js';
import { type CfaDngInput, type RawMetadata } from './dng.js';
import { addSensorNoise, type PoissonGaussian } from './sensor-noise.js';

export interface UnprocessOptions {
  noise: PoissonGaussian;
  rng: Rng;
  colorMatrix?: Mat3;
  cfa?: [number, number, number, number];
  blackLevel?: number;
  whiteLevel?: number;
  iso?: number;
  /** Write the noise parameters as the DNG's NoiseProfile. */
  withNoiseProfile?: boolean;
}

export interface Unprocessed {
  dng: CfaDngInput;
  /** The mosaic before noise (0 black, 1 white). */
  clean: Float32Array;
  /** The mosaic with noise, as stored (quantised), normalised the same way. */
  noisy: Float32Array;
}

/** Unprocesses an sRGB raster (3 channels, [0,1]) into a noisy CFA DNG's contents. */
export function unprocess(srgb: Raster, opts: UnprocessOptions): Unprocessed {
  const { width, height } = srgb;
  const cm = opts.colorMatrix ?? TYPICAL_COLOR_MATRIX;
  const cfa = opts.cfa ?? [0, 1, 1, 2];
  const black = opts.blackLevel ?? 256;
  const white = opts.whiteLevel ?? 4095;
  const neutral = neutralFor(cm);
  const camera = unprocessSrgb(srgb.data, neutral, cm);
  const clean = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = cfa[(y & 1) * 2 + (x & 1)];
      clean[y * width + x] = Math.min(1, Math.max(0, camera[(y * width + x) * 3 + c]));
    }
  }
  const noisy = new Float32Array(clean);
  addSensorNoise(noisy, opts.noise, opts.rng);
  const samples = new Uint16Array(width * height);
  const span = white - black;
  for (let i = 0; i < noisy.length; i++) {
    const v = Math.round(black + noisy[i] * span);
    samples[i] = v < 0 ? 0 : v > white ? white : v;
    noisy[i] = (samples[i] - black) / span;
  }
  const meta: RawMetadata = {
    make: 'Mend',
    model: 'Unprocessed test camera',
    uniqueCameraModel: 'Mend Unprocessed test camera',
    asShotNeutral: neutral,
    colorMatrix1: cm,
    illuminant1: 21,
    exif: [
      { tag: 33434, type: 5, value: [1 / 125] },
      { tag: 33437, type: 5, value: [4] },
      { tag: 36867, type: 2, value: '2026:12:06 12:00:00' },
    ],
  };
  if (opts.iso !== undefined) meta.iso = opts.iso;
  if (opts.withNoiseProfile) meta.noiseProfile = [opts.noise.a, opts.noise.b];
  return { dng: { width, height, cfa, samples, blackLevel: black, whiteLevel: white, meta }, clean, noisy };
}
