// Blind estimates of additive white Gaussian noise level.
// Chen, Zhu & Heng, "An Efficient Statistical Method for Image Noise Level Estimation", ICCV 2015:
// eigenvalues of the covariance of image patches split into a few large ones (signal) and a
// bulk whose mean equals its median (noise); sigma^2 is the mean of that bulk. Over all patches
// (estimateNoiseSigma, the denoiser's auto sigma), or over the flattest ones only, chosen by
// Liu, Tanaka & Okutomi's texture test (estimateFlatNoiseSigma, the inpainting grain).
import { type Raster } from '../image/raster.js';
import { tridiagonalEigenvalues } from '../math/eigen.js';

export interface NoiseEstimateOptions {
  /** Patch side in px (default 8). */
  patch?: number;
  /** Upper bound on patches sampled per channel (default 60000); a stride keeps it below. */
  maxPatches?: number;
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

/** The patches a channel estimate reads: origins on a grid of `stride`, optionally filtered. */
interface PatchGrid {
  r: Raster;
  channel: number;
  /** Patch side. */
  d: number;
  stride: number;
  /** Patch origins per row and column of the grid. */
  cols: number;
  rows: number;
}

function patchGrid(r: Raster, channel: number, d: number, maxPatches: number): PatchGrid | undefined {
  const nx = r.width - d + 1;
  const ny = r.height - d + 1;
  if (nx < 1 || ny < 1) return undefined;
  const stride = Math.max(1, Math.ceil(Math.sqrt((nx * ny) / maxPatches)));
  return { r, channel, d, stride, cols: Math.ceil(nx / stride), rows: Math.ceil(ny / stride) };
}

/** Patch `k` of the grid (0-255 scale) into `v`. */
function readPatch(g: PatchGrid, k: number, v: Float64Array): void {
  const { r, channel, d, stride, cols } = g;
  const px = (k % cols) * stride;
  const py = Math.floor(k / cols) * stride;
  let i = 0;
  for (let dy = 0; dy < d; dy++) {
    let src = ((py + dy) * r.width + px) * r.channels + channel;
    for (let dx = 0; dx < d; dx++, src += r.channels) v[i++] = r.data[src]! * 255;
  }
}

/** Noise variance of the patches `keep` selects, by Chen et al.'s eigenvalue split; NaN under 2. */
function patchNoiseVariance(g: PatchGrid, keep: (k: number) => boolean): number {
  const dim = g.d * g.d;
  const total = g.cols * g.rows;
  let count = 0;
  for (let k = 0; k < total; k++) if (keep(k)) count++;
  if (count < 2) return NaN;
  // The patches as columns (pixel i of every patch contiguous), centred: each covariance entry
  // is then one tight dot product, several times faster than summing outer products per patch.
  const cols = new Float32Array(dim * count);
  const v = new Float64Array(dim);
  let n = 0;
  for (let k = 0; k < total; k++) {
    if (!keep(k)) continue;
    readPatch(g, k, v);
    for (let i = 0; i < dim; i++) cols[i * count + n] = v[i]!;
    n++;
  }
  for (let i = 0; i < dim; i++) {
    const col = cols.subarray(i * count, (i + 1) * count);
    let mean = 0;
    for (let k = 0; k < count; k++) mean += col[k]!;
    mean /= count;
    for (let k = 0; k < count; k++) col[k]! -= mean;
  }
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    const a = i * count;
    for (let j = i; j < dim; j++) {
      const b = j * count;
      let sum = 0;
      for (let k = 0; k < count; k++) sum += cols[a + k]! * cols[b + k]!;
      cov[i * dim + j] = cov[j * dim + i] = sum / (count - 1);
    }
  }
  return noiseVarianceFromEigenvalues(tridiagonalEigenvalues(cov, dim));
}

/**
 * Per patch, the sum of squared horizontal and vertical differences inside it (its texture), or
 * NaN where the patch cannot be used: it touches `exclude` or holds a saturated pixel (exactly
 * 0 or 1: clipping flattens noise and would pass for a clean area).
 */
function patchTexture(g: PatchGrid, exclude: Uint8Array | undefined): Float64Array {
  const { d } = g;
  const out = new Float64Array(g.cols * g.rows);
  const v = new Float64Array(d * d);
  for (let k = 0; k < out.length; k++) {
    readPatch(g, k, v);
    let usable = true;
    if (exclude) {
      const px = (k % g.cols) * g.stride;
      const py = Math.floor(k / g.cols) * g.stride;
      for (let dy = 0; dy < d && usable; dy++) {
        for (let dx = 0; dx < d; dx++) if (exclude[(py + dy) * g.r.width + px + dx]) { usable = false; break; }
      }
    }
    let t = 0;
    for (let y = 0; y < d && usable; y++) {
      for (let x = 0; x < d; x++) {
        const a = v[y * d + x]!;
        if (a === 0 || a === 255) { usable = false; break; }
        if (x > 0) t += (a - v[y * d + x - 1]!) ** 2;
        if (y > 0) t += (a - v[(y - 1) * d + x]!) ** 2;
      }
    }
    out[k] = usable ? t : NaN;
  }
  return out;
}

/**
 * Upper quantile of the Gamma(shape) distribution (unit scale), by the Wilson-Hilferty cube-root
 * normal approximation: within 0.05% of the exact value for the shapes used here (32 for 8 px
 * patches; scipy's gamma.ppf(0.99, 32) = 46.608, this gives 46.62).
 */
export function gammaQuantile(shape: number, z: number): number {
  const c = 1 / (9 * shape);
  return shape * (1 - c + z * Math.sqrt(c)) ** 3;
}

/** z of the normal 99th percentile: a clean patch of pure noise passes the texture test 99% of the time. */
const Z99 = 2.3263;

/**
 * Liu, Tanaka & Okutomi, "Single-Image Noise Level Estimation for Blind Denoising" (IEEE TIP
 * 2013): estimate on all patches, keep the patches whose texture is below what noise of that
 * level alone gives 99% of the time, estimate again on those, and repeat. For white noise of
 * variance s2, a d x d patch's texture over s2 follows Gamma(d^2/2, 8(d-1)/d) (their Eq. 11; the
 * scale is 2/d^2 times the trace of the difference operators, 4d(d-1)).
 */
function flatNoiseVariance(g: PatchGrid, exclude: Uint8Array | undefined): number {
  const texture = patchTexture(g, exclude);
  const minPatches = 2 * g.d * g.d;
  let usable = 0;
  for (const t of texture) if (t === t) usable++;
  if (usable < minPatches) return NaN;
  const thresholdOverVariance = gammaQuantile((g.d * g.d) / 2, Z99) * ((8 * (g.d - 1)) / g.d);
  let s2 = patchNoiseVariance(g, (k) => texture[k] === texture[k]);
  let kept = usable;
  for (let iter = 0; iter < 3; iter++) {
    const tau = s2 * thresholdOverVariance;
    let count = 0;
    for (const t of texture) if (t < tau) count++;
    if (count < minPatches || count === kept) break;
    s2 = patchNoiseVariance(g, (k) => texture[k]! < tau);
    kept = count;
  }
  return s2;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

/**
 * Estimated sigma (0-255 scale) of additive white Gaussian noise over the whole image (Chen et
 * al.). Colour images: per-channel estimates, median. NaN for images smaller than one patch.
 * Fine texture adds to it (clean textured photos read up to about 11), which is what the
 * denoiser's auto sigma wants on real photos, whose JPEG-flattened smooth areas hold little of
 * their noise (RNI6: the flat-area estimate below reads 0.2-1.8 on four of six, where this one reads 1.6-10.5).
 */
export function estimateNoiseSigma(raster: Raster, opts: NoiseEstimateOptions = {}): number {
  const d = opts.patch ?? 8;
  const maxPatches = opts.maxPatches ?? 60000;
  const sigmas: number[] = [];
  for (let c = 0; c < raster.channels; c++) {
    const g = patchGrid(raster, c, d, maxPatches);
    sigmas.push(g ? Math.sqrt(patchNoiseVariance(g, () => true)) : NaN);
  }
  return median(sigmas);
}

/**
 * Estimated sigma (0-255 scale) of the noise in the image's flattest areas (Liu et al.), leaving
 * out patches that touch `exclude` (a mask, 1 = leave out) or clipped pixels. Texture does not
 * count as noise here: clean photos read under 4 where the global estimate gives up to 11.
 * NaN when fewer than 2 d^2 patches are usable.
 */
export function estimateFlatNoiseSigma(raster: Raster, opts: NoiseEstimateOptions & { exclude?: Uint8Array } = {}): number {
  const d = opts.patch ?? 8;
  const maxPatches = opts.maxPatches ?? 60000;
  const sigmas: number[] = [];
  for (let c = 0; c < raster.channels; c++) {
    const g = patchGrid(raster, c, d, maxPatches);
    sigmas.push(g ? Math.sqrt(flatNoiseVariance(g, opts.exclude)) : NaN);
  }
  return median(sigmas);
}
