// Sensor noise in the raw mosaic: Poisson-Gaussian, variance = a * x + b for a signal x in [0,1]
// (a: shot noise, one photo-electron is a; b: read noise). Synthesis for tests and training data,
// estimation from the mosaic itself, the per-pixel noise map, and the generalised Anscombe
// transform that makes the noise one constant level a grey denoiser can take.
import type { Rng } from '../math/rng.js';

export interface PoissonGaussian {
  /** Shot-noise scale: variance grows by `a` per unit of signal. */
  a: number;
  /** Read-noise variance. */
  b: number;
}

/** In place: x -> a * Poisson(x / a) + N(0, b); x below 0 counts as 0 photons. */
export function addSensorNoise(mosaic: Float32Array, noise: PoissonGaussian, rng: Rng): void {
  const sd = Math.sqrt(noise.b);
  for (let i = 0; i < mosaic.length; i++) {
    const x = Math.max(0, mosaic[i]);
    const shot = noise.a > 0 ? noise.a * rng.poisson(x / noise.a) : x;
    mosaic[i] = shot + sd * rng.normal();
  }
}

/** The noise standard deviation each pixel has at its (clean or denoised) value: sqrt(a x + b). */
export function noiseMap(values: Float32Array, noise: PoissonGaussian): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.sqrt(Math.max(0, noise.a * Math.max(0, values[i]) + noise.b));
  return out;
}

/** Parameters from a DNG NoiseProfile (one pair, or one per plane: the planes' mean). */
export function fromNoiseProfile(profile: number[]): PoissonGaussian {
  const pairs = Math.floor(profile.length / 2);
  let a = 0, b = 0;
  for (let k = 0; k < pairs; k++) { a += profile[2 * k]; b += profile[2 * k + 1]; }
  return { a: a / pairs, b: b / pairs };
}

/**
 * Estimates a and b from the mosaic (after Foi et al. 2008). In each CFA plane, where the noise is
 * white, every 2x2 cell gives a noise sample, its diagonal Haar detail (which cancels gradients and
 * edges along the axes and keeps white noise's variance), read against the cell's mean. Cells are
 * binned by mean in bins of equal count; in each bin the flattest quarter by the horizontal and
 * vertical details (independent of the diagonal one for white noise, so choosing by them does not
 * bias it) gives a robust variance (median absolute value); a line in the mean is fitted to those.
 * Clipped highlights are left out. At most `maxSamples` cells are read (evenly spread).
 */
const FLAT_FRACTION = 0.25;

export function estimatePoissonGaussian(mosaic: Float32Array, width: number, height: number, maxSamples = 2_000_000): PoissonGaussian {
  const pw = width >> 1, ph = height >> 1;
  const interior = Math.max(0, (pw - 2) * (ph - 2) * 4);
  const stride = Math.max(1, Math.ceil(interior / maxSamples));
  const means: number[] = [];
  const resid: number[] = [];
  const texture: number[] = [];
  const at = (px: number, py: number, k: number): number => mosaic[(2 * py + (k >> 1)) * width + 2 * px + (k & 1)];
  let count = 0;
  for (let k = 0; k < 4; k++) {
    for (let y = 1; y < ph - 1; y++) {
      for (let x = 1; x < pw - 1; x++) {
        if (count++ % stride) continue;
        const p00 = at(x, y, k), p10 = at(x + 1, y, k), p01 = at(x, y + 1, k), p11 = at(x + 1, y + 1, k);
        if (Math.max(p00, p10, p01, p11) > 0.97) continue; // near white: clipping squeezes the noise
        means.push((p00 + p10 + p01 + p11) / 4);
        resid.push((p00 - p10 - p01 + p11) / 2);
        texture.push(Math.abs(p00 + p10 - p01 - p11) + Math.abs(p00 - p10 + p01 - p11));
      }
    }
  }
  if (means.length < 1000) return { a: 0, b: 0 };
  const order = Array.from(means.keys()).sort((i, j) => means[i] - means[j]);
  const bins = Math.min(24, Math.floor(means.length / 500));
  const xs: number[] = [], vs: number[] = [];
  for (let bIdx = 0; bIdx < bins; bIdx++) {
    const from = Math.floor((bIdx * order.length) / bins), to = Math.floor(((bIdx + 1) * order.length) / bins);
    const cells = order.slice(from, to).sort((i, j) => texture[i] - texture[j]);
    const keep = cells.slice(0, Math.max(50, Math.floor(cells.length * FLAT_FRACTION)));
    const abs = keep.map((i) => Math.abs(resid[i])).sort((p, q) => p - q);
    let m = 0;
    for (const i of keep) m += means[i];
    const mad = abs[abs.length >> 1];
    xs.push(m / keep.length);
    vs.push((mad / 0.6744897501960817) ** 2); // median |N(0,s)| = 0.6745 s
  }
  // Least squares of v = a x + b, each bin weighted by 1 / v^2 (a variance's spread grows with it).
  let sw = 0, sx = 0, sv = 0, sxx = 0, sxv = 0;
  for (let j = 0; j < xs.length; j++) {
    const w = 1 / Math.max(vs[j], 1e-12) ** 2;
    sw += w; sx += w * xs[j]; sv += w * vs[j]; sxx += w * xs[j] * xs[j]; sxv += w * xs[j] * vs[j];
  }
  const det = sw * sxx - sx * sx;
  let a = det > 0 ? (sw * sxv - sx * sv) / det : 0;
  let b = det > 0 ? (sv - a * sx) / sw : sv / sw;
  if (a < 0) { a = 0; b = sv / sw; }
  if (b < 0) { b = 0; a = sxv / Math.max(sxx, 1e-12); }
  return { a, b };
}

// ---- variance stabilisation ----

/**
 * The generalised Anscombe transform in units of photo-electrons: p = x / a, s2 = b / a^2,
 * f = 2 sqrt(p + 3/8 + s2); the noise on f has standard deviation close to 1 at every level.
 */
export function anscombe(x: number, n: PoissonGaussian): number {
  const s2 = n.b / (n.a * n.a);
  return 2 * Math.sqrt(Math.max(0, x / n.a + 0.375 + s2));
}

/**
 * Back from the transform: the closed-form approximation of the exact unbiased inverse (Mäkitalo
 * and Foi 2013), which, unlike the algebraic inverse, does not darken the shadows; below D = 1,
 * where it breaks down, the algebraic inverse.
 */
export function inverseAnscombe(d: number, n: PoissonGaussian): number {
  const s2 = n.b / (n.a * n.a);
  let p: number;
  if (d < 1) p = (d * d) / 4 - 0.375 - s2;
  else {
    const r = Math.sqrt(1.5);
    p = 0.25 * d * d + 0.25 * r / d - 1.375 / (d * d) + 0.625 * r / (d * d * d) - 0.125 - s2;
  }
  return p * n.a;
}
