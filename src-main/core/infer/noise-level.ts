/**
 * The blind noise level for the denoiser: what to tell the network when the user gives no sigma.
 *
 * White noise (synthetic, or a raw-like file) is read from the pixels by the patch estimate of
 * metrics/noise-estimate.ts. Camera photos defeat that estimate: demosaicing, in-camera noise
 * reduction and JPEG make their noise spatially correlated, which hides it from the fine-scale
 * statistics the estimate uses (it reads about 1 on ISO 3200-6400 photos that need 8-12). Two
 * steps tell the cases apart and read the camera case:
 *
 * 1. Correlation test. On the pixel-shuffle sub-image (every other pixel in each direction, the
 *    PD idea of Zhou et al., AAAI 2020), demosaicing's neighbour-to-neighbour correlation is gone,
 *    so white noise reads the same there as in the whole image, while correlated noise (and
 *    texture) reads 2-5 times higher. A ratio under WHITE_RATIO means white noise: its estimate is
 *    the answer.
 * 2. The network's response. Otherwise the luminance of a few sample tiles goes through the
 *    network at a ladder of levels, and the root-mean-square of what it removes, R(s), is fitted
 *    by R(s)^2 = k^2 min(s, S)^2 + c^2 s^2: noise is removed up to its level S and then no more
 *    (the knee), while texture goes on being removed in proportion to the level (c). A photo's
 *    noise shows as a knee well above the texture line (k/c over 1); a clean photo's curve is a
 *    straight line (k/c near or under 1) and gets no denoising. The level told to the network is
 *    KNEE_GAIN * S: correlated noise needs a level above its knee to be removed (fitted, with the
 *    gate, on real camera photos with a clean reference and on clean photos; docs/real-noise.md).
 *
 * The noise also depends on the brightness (variance a*y + b, Foi et al. 2008): the residual at
 * the chosen level, binned by brightness and fitted by that line, gives a relative level per
 * brightness (the noise level function), from which `noiseMapFor` makes the per-pixel map the
 * network is conditioned on.
 */
import { throwIfCancelled } from '../jobs/cancel.js';
import { type Raster } from '../image/raster.js';
import { estimateNoiseSigma } from '../metrics/noise-estimate.js';
import type { LoadedModel } from '../models/store.js';
import { boxMean } from './guided-filter.js';
import { LUMA_NOISE_SCALE, toOpponent } from './luma-chroma.js';
import { runModel } from './run-model.js';

/** Brightness bins of the noise level function. */
export const NLF_BINS = 8;

export interface NoiseLevel {
  /** Noise std (0-255 scale, per RGB value as --sigma takes it) at the image's mean brightness. */
  sigma: number;
  /** Relative level per brightness bin (NLF_BINS over [0,1]), mean 1 over the image; absent: flat. */
  shape?: number[];
  /** What the estimate found: white noise, camera (correlated) noise, or a clean picture. */
  kind: 'white' | 'camera' | 'clean';
}

/** Sub-image / whole-image estimate ratio under which noise counts as white (Set12 + sigma 15: 1.0-1.35; camera photos 2-4). */
const WHITE_RATIO = 1.6;
/**
 * A whole-image estimate at or above this (0-255) is white noise whatever the ratio says: clean
 * textured photos read up to about 11, and strong white noise on fine texture can pass the ratio
 * (one McMaster photo with sigma 15 did, and the knee then read it as clean).
 */
const SURE_WHITE = 12;
/** Levels (luminance plane, 0-255 scale) at which the network's response is read. */
const LADDER = [0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 13, 17];
/** Level told to the network per unit of knee (correlated noise is removed above its knee). */
const KNEE_GAIN = 1.5;
/**
 * k/c at which the gate starts to open (fully open 1 above it). 1.3 against 1.0 and 1.5 on the
 * real Canon crops / clean McMaster: 38.26 / 11 of 18 untouched, 38.24 / 7, 38.21 / 13.
 */
const GATE_FROM = 1.3;
/** Sample tiles: at most this many, of this side. */
const SAMPLE_TILES = 4;
const SAMPLE_SIDE = 160;

/** The plane a grey denoiser sees: the luminance of a colour raster, a grey raster as it is. */
export const luminance = (r: Raster): Float32Array => (r.channels === 3 ? toOpponent(r).y : r.data);

/** Every other pixel in each direction, starting at (0,0). */
function subsample2(p: Float32Array, w: number, h: number): Raster {
  const sw = w >> 1;
  const sh = h >> 1;
  const out = new Float32Array(sw * sh);
  for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) out[y * sw + x] = p[2 * y * w + 2 * x]!;
  return { width: sw, height: sh, channels: 1, data: out };
}

/** Up to SAMPLE_TILES tiles spread over the plane (the whole plane when it is small), side by side in one raster. */
function sampleTiles(p: Float32Array, w: number, h: number): Raster {
  if (w * h <= SAMPLE_TILES * SAMPLE_SIDE * SAMPLE_SIDE * 1.5) return { width: w, height: h, channels: 1, data: p };
  const side = Math.min(SAMPLE_SIDE, w, h);
  const grid = Math.ceil(Math.sqrt(SAMPLE_TILES));
  const origins: [number, number][] = [];
  for (let j = 0; j < grid && origins.length < SAMPLE_TILES; j++) {
    for (let i = 0; i < grid && origins.length < SAMPLE_TILES; i++) {
      origins.push([Math.round(((i + 0.5) / grid) * (w - side)), Math.round(((j + 0.5) / grid) * (h - side))]);
    }
  }
  // Tiles in a row with a 16-pixel gap of mirrored edge, so the network sees no seam between them.
  const gap = 16;
  const width = origins.length * (side + gap) - gap;
  const out = new Float32Array(width * side);
  for (const [t, [ox, oy]] of origins.entries()) {
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side + (t < origins.length - 1 ? gap : 0); x++) {
        const sx = x < side ? x : 2 * side - 1 - x;
        out[y * width + t * (side + gap) + x] = p[(oy + y) * w + ox + sx]!;
      }
    }
  }
  return { width, height: side, channels: 1, data: out };
}

export interface KneeFit {
  /** Level where the noise is used up (0-255, luminance plane). */
  knee: number;
  /** Share of the noise level removed below the knee. */
  k: number;
  /** Texture removed per unit of level. */
  c: number;
}

/**
 * Least-squares fit of R(s)^2 = k^2 min(s, S)^2 + c^2 s^2 (relative errors): S on a fine
 * geometric grid, k^2 and c^2 non-negative by a 2x2 solve or the better single term.
 */
export function fitKnee(levels: readonly number[], removed: readonly number[]): KneeFit {
  const y = removed.map((r) => r * r);
  const wt = levels.map((s) => 1 / (s * s));
  let best = { err: Infinity, fit: { knee: 0, k: 0, c: 0 } };
  for (let S = levels[0]! / 2; S <= levels.at(-1)! * 1.5; S *= 1.03) {
    const a = levels.map((s) => Math.min(s, S) ** 2);
    const b = levels.map((s) => s * s);
    const dot = (u: number[], v: number[]): number => u.reduce((acc, ui, i) => acc + wt[i]! * ui * v[i]!, 0);
    const aa = dot(a, a), ab = dot(a, b), bb = dot(b, b), ay = dot(a, y), by = dot(b, y);
    const err = (p: number, q: number): number => levels.reduce((acc, _, i) => acc + wt[i]! * (p * a[i]! + q * b[i]! - y[i]!) ** 2, 0);
    const det = aa * bb - ab * ab;
    let p = (ay * bb - by * ab) / det;
    let q = (aa * by - ab * ay) / det;
    if (!(p >= 0 && q >= 0)) {
      const onlyA = Math.max(0, ay / aa);
      const onlyB = Math.max(0, by / bb);
      [p, q] = err(onlyA, 0) < err(0, onlyB) ? [onlyA, 0] : [0, onlyB];
    }
    const e = err(p, q);
    if (e < best.err) best = { err: e, fit: { knee: S, k: Math.sqrt(p), c: Math.sqrt(q) } };
  }
  return best.fit;
}

/** Relative noise level per brightness bin from a residual and the denoised values, by the line var = a*y + b. */
function levelFunction(noisy: Float32Array, denoised: Float32Array): number[] | undefined {
  const sum = new Float64Array(NLF_BINS);
  const count = new Float64Array(NLF_BINS);
  for (let i = 0; i < noisy.length; i++) {
    const v = denoised[i]!;
    if (v <= 0.01 || v >= 0.99) continue; // clipped tones hold no noise
    const b = Math.min(NLF_BINS - 1, Math.floor(v * NLF_BINS));
    sum[b] += (noisy[i]! - v) ** 2;
    count[b]++;
  }
  // Weighted least squares of variance on bin centre over bins with enough pixels.
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, used = 0;
  for (let b = 0; b < NLF_BINS; b++) {
    if (count[b]! < 200) continue;
    const x = (b + 0.5) / NLF_BINS;
    const w = count[b]!;
    const v = sum[b]! / w;
    sw += w; sx += w * x; sy += w * v; sxx += w * x * x; sxy += w * x * v;
    used++;
  }
  if (used < 2) return undefined;
  const slope = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
  const icpt = (sy - slope * sx) / sw;
  const std = Array.from({ length: NLF_BINS }, (_, b) => Math.sqrt(Math.max(0, slope * ((b + 0.5) / NLF_BINS) + icpt)));
  let mean = 0;
  let n = 0;
  for (let b = 0; b < NLF_BINS; b++) { mean += std[b]! * count[b]!; n += count[b]!; }
  mean /= n;
  if (!(mean > 0)) return undefined;
  // Within a factor of two of the mean: a line through a few bins must not silence a tone.
  return std.map((s) => Math.min(2, Math.max(0.5, s / mean)));
}

/**
 * The blind noise level of `raster` for `loaded` (a noise-map conditioned denoiser). Runs the
 * network on at most SAMPLE_TILES tiles of SAMPLE_SIDE pixels at LADDER.length levels (about
 * 1.2 megapixels of network work, whatever the photo's size) when the noise is not white.
 */
export async function estimateNoiseLevel(raster: Raster, loaded: LoadedModel, signal?: AbortSignal): Promise<NoiseLevel> {
  const white = estimateNoiseSigma(raster);
  const y = luminance(raster);
  const { width: w, height: h } = raster;
  const whole = estimateNoiseSigma({ width: w, height: h, channels: 1, data: y });
  const sub = estimateNoiseSigma(subsample2(y, w, h));
  // Too small to tell (NaN) or white: the pixels' own estimate.
  if (!(sub / whole >= WHITE_RATIO) || !(whole > 0) || white >= SURE_WHITE) return { sigma: white === white ? white : 0, kind: 'white' };
  const sample = sampleTiles(y, w, h);
  const removed: number[] = [];
  const outputs: Float32Array[] = [];
  for (const s of LADDER) {
    throwIfCancelled(signal);
    const out = (await runModel(loaded, sample, { noiseLevel: s / 255, signal, stage: 'estimate' })).data;
    let e = 0;
    for (let i = 0; i < out.length; i++) e += (sample.data[i]! - out[i]!) ** 2;
    removed.push(Math.sqrt(e / out.length) * 255);
    outputs.push(out);
  }
  const fit = fitKnee(LADDER, removed);
  // Gate: no knee well above the texture line means a clean picture; full level one unit above.
  const gate = fit.c > 0 ? Math.min(1, Math.max(0, fit.k / fit.c - GATE_FROM)) : 1;
  const lumaLevel = KNEE_GAIN * fit.knee * gate;
  if (!(lumaLevel > 0.25)) return { sigma: 0, kind: 'clean' };
  const nearest = LADDER.reduce((bi, s, i) => (Math.abs(s - lumaLevel) < Math.abs(LADDER[bi]! - lumaLevel) ? i : bi), 0);
  const shape = levelFunction(sample.data, outputs[nearest]!);
  return { sigma: lumaLevel / LUMA_NOISE_SCALE, kind: 'camera', ...(shape ? { shape } : {}) };
}

/**
 * The per-pixel noise std (0-1 scale) of a plane whose level at the mean is `level` (0-1 scale),
 * shaped by `shape` at each pixel's local brightness (a 5x5 mean, so the noise does not steer it).
 */
export function noiseMapFor(plane: Float32Array, width: number, height: number, level: number, shape: readonly number[]): Float32Array {
  const out = boxMean(plane, width, height, 2);
  for (let i = 0; i < out.length; i++) {
    const t = Math.min(NLF_BINS - 1, Math.max(0, out[i]! * NLF_BINS - 0.5));
    const b = Math.min(NLF_BINS - 2, Math.floor(t));
    const f = t - b;
    out[i] = level * ((1 - f) * shape[b]! + f * shape[b + 1]!);
  }
  return out;
}
