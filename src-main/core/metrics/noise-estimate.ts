// Blind estimate of additive white Gaussian noise level.
// Chen, Zhu & Heng, "An Efficient Statistical Method for Image Noise Level Estimation", ICCV 2015:
// eigenvalues of the covariance of image patches split into a few large ones (signal) and a
// bulk whose mean equals its median (noise); sigma^2 is the mean of that bulk.
import { type Raster } from '../image/raster.js';

export interface NoiseEstimateOptions {
  /** Patch side in px (default 8). */
  patch?: number;
  /** Upper bound on patches sampled per channel (default 60000); a stride keeps it below. */
  maxPatches?: number;
}

/**
 * Eigenvalues of a symmetric n x n matrix (row-major, overwritten) by cyclic Jacobi rotations.
 * With `vectors` (n x n, row-major), it also accumulates the rotations: column i of `vectors`
 * is then the unit eigenvector of eigenvalue i (unsorted, in the order returned).
 */
export function symmetricEigenvalues(m: Float64Array, n: number, vectors?: Float64Array): Float64Array {
  if (vectors) {
    vectors.fill(0);
    for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
  }
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += m[p * n + p]! ** 2;
      for (let q = p + 1; q < n; q++) off += m[p * n + q]! ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!;
        const aqq = m[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p]!;
          const akq = m[k * n + q]!;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k]!;
          const aqk = m[q * n + k]!;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
        if (vectors) {
          for (let k = 0; k < n; k++) {
            const vkp = vectors[k * n + p]!;
            const vkq = vectors[k * n + q]!;
            vectors[k * n + p] = c * vkp - s * vkq;
            vectors[k * n + q] = s * vkp + c * vkq;
          }
        }
      }
    }
  }
  const ev = new Float64Array(n);
  for (let i = 0; i < n; i++) ev[i] = m[i * n + i]!;
  return ev;
}

/** Chen et al.'s selection: largest prefix of ascending eigenvalues whose mean splits it evenly. */
function noiseVarianceFromEigenvalues(ev: Float64Array): number {
  const sorted = Array.from(ev).sort((x, y) => x - y);
  let prefix = 0;
  const cum = sorted.map((v) => (prefix += v));
  for (let m = sorted.length; m >= 1; m--) {
    const mean = cum[m - 1]! / m;
    let above = 0;
    let below = 0;
    for (let i = 0; i < m; i++) {
      if (sorted[i]! > mean) above++;
      else if (sorted[i]! < mean) below++;
    }
    if (above === below) return Math.max(0, mean);
  }
  return Math.max(0, sorted[0]!);
}

function channelNoiseVariance(r: Raster, channel: number, d: number, maxPatches: number): number {
  const { width, height, channels, data } = r;
  const nx = width - d + 1;
  const ny = height - d + 1;
  if (nx < 1 || ny < 1) return NaN;
  const stride = Math.max(1, Math.ceil(Math.sqrt((nx * ny) / maxPatches)));
  const dim = d * d;
  const sum = new Float64Array(dim);
  const prod = new Float64Array(dim * dim); // upper triangle used
  const v = new Float64Array(dim);
  let count = 0;
  for (let py = 0; py < ny; py += stride) {
    for (let px = 0; px < nx; px += stride) {
      let k = 0;
      for (let dy = 0; dy < d; dy++) {
        let src = ((py + dy) * width + px) * channels + channel;
        for (let dx = 0; dx < d; dx++, src += channels) v[k++] = data[src]! * 255;
      }
      for (let i = 0; i < dim; i++) {
        const vi = v[i]!;
        sum[i]! += vi;
        const row = i * dim;
        for (let j = i; j < dim; j++) prod[row + j]! += vi * v[j]!;
      }
      count++;
    }
  }
  if (count < 2) return NaN;
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const c = (prod[i * dim + j]! - (sum[i]! * sum[j]!) / count) / (count - 1);
      cov[i * dim + j] = c;
      cov[j * dim + i] = c;
    }
  }
  return noiseVarianceFromEigenvalues(symmetricEigenvalues(cov, dim));
}

/**
 * Estimated sigma (0-255 scale) of additive white Gaussian noise. Colour images: per-channel
 * estimates, median. NaN for images smaller than one patch.
 */
export function estimateNoiseSigma(raster: Raster, opts: NoiseEstimateOptions = {}): number {
  const d = opts.patch ?? 8;
  const maxPatches = opts.maxPatches ?? 60000;
  const sigmas: number[] = [];
  for (let c = 0; c < raster.channels; c++) {
    sigmas.push(Math.sqrt(channelNoiseVariance(raster, c, d, maxPatches)));
  }
  sigmas.sort((a, b) => a - b);
  const n = sigmas.length;
  return n % 2 === 1 ? sigmas[(n - 1) / 2]! : (sigmas[n / 2 - 1]! + sigmas[n / 2]!) / 2;
}
