// Synthetic noise for training pairs and benchmarks.
import { MendError } from '../../shared/errors.js';
import { type Raster } from '../image/raster.js';
import { type Rng } from '../math/rng.js';

export type NoiseSpec =
  /** Additive white Gaussian noise; sigma on the 0-255 scale. */
  | { kind: 'gaussian'; sigma: number }
  /** Foi et al. 2008: z = a*Poisson(y/a) + N(0, b), y in [0,1]; variance a*y + b (b is a variance). */
  | { kind: 'poisson-gaussian'; a: number; b: number }
  /** Impulse noise: each pixel (all channels together) becomes black or white with probability p. */
  | { kind: 'salt-pepper'; p: number };

export interface AddNoiseOptions {
  /**
   * Clamp the result to [0,1]. Default: false for gaussian (benchmark protocol: unclipped float
   * noise), true for poisson-gaussian and salt-pepper.
   */
  clip?: boolean;
  /**
   * Gaussian only: 0 (default) = white noise, up to 1 = noise blurred by a 3x3 binomial kernel,
   * as after demosaicing. Per-pixel variance is renormalized, so sigma is unchanged.
   */
  correlation?: number;
}

const NOISE_USAGE =
  'Use gaussian:SIGMA (e.g. gaussian:25, sigma on the 0-255 scale), ' +
  'poisson-gaussian:A,B (e.g. poisson-gaussian:0.01,0.0004) or salt-pepper:P (e.g. salt-pepper:0.05).';

function parseNumber(s: string): number {
  const t = s.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return NaN;
  return Number(t);
}

/** Throws a 'usage' MendError when a spec's numbers are out of range. */
export function validateNoiseSpec(spec: NoiseSpec): void {
  const bad = (msg: string): never => {
    throw new MendError('usage', `${msg} ${NOISE_USAGE}`);
  };
  switch (spec.kind) {
    case 'gaussian':
      if (!(spec.sigma >= 0 && spec.sigma <= 255)) bad(`Gaussian sigma must be between 0 and 255, got ${spec.sigma}.`);
      break;
    case 'poisson-gaussian':
      if (!(spec.a >= 0 && spec.a <= 1)) bad(`Poisson-Gaussian a must be between 0 and 1, got ${spec.a}.`);
      if (!(spec.b >= 0 && spec.b <= 1)) bad(`Poisson-Gaussian b (a variance) must be between 0 and 1, got ${spec.b}.`);
      break;
    case 'salt-pepper':
      if (!(spec.p >= 0 && spec.p <= 1)) bad(`Salt-and-pepper p must be between 0 and 1, got ${spec.p}.`);
      break;
    default:
      bad(`Unknown noise kind "${(spec as { kind: unknown }).kind}".`);
  }
}

/** Parses `gaussian:25`, `poisson-gaussian:0.01,0.0004`, `salt-pepper:0.05`. */
export function parseNoiseSpec(text: string): NoiseSpec {
  const t = text.trim();
  const colon = t.indexOf(':');
  if (colon < 0) throw new MendError('usage', `Noise "${text}" has no parameters. ${NOISE_USAGE}`);
  const kind = t.slice(0, colon).trim().toLowerCase();
  const args = t.slice(colon + 1).split(',').map(parseNumber);
  const need = (n: number): void => {
    if (args.length !== n || args.some((v) => Number.isNaN(v))) {
      throw new MendError(
        'usage',
        `Noise "${text}": ${kind} takes ${n === 1 ? 'one number' : `${n} numbers separated by a comma`}. ${NOISE_USAGE}`,
      );
    }
  };
  let spec: NoiseSpec;
  switch (kind) {
    case 'gaussian':
      need(1);
      spec = { kind, sigma: args[0]! };
      break;
    case 'poisson-gaussian':
      need(2);
      spec = { kind, a: args[0]!, b: args[1]! };
      break;
    case 'salt-pepper':
      need(1);
      spec = { kind, p: args[0]! };
      break;
    default:
      throw new MendError('usage', `Unknown noise kind "${kind}" in "${text}". ${NOISE_USAGE}`);
  }
  validateNoiseSpec(spec);
  return spec;
}

/** The inverse of parseNoiseSpec. */
export function formatNoiseSpec(spec: NoiseSpec): string {
  switch (spec.kind) {
    case 'gaussian':
      return `gaussian:${spec.sigma}`;
    case 'poisson-gaussian':
      return `poisson-gaussian:${spec.a},${spec.b}`;
    case 'salt-pepper':
      return `salt-pepper:${spec.p}`;
  }
}

/** A short human-readable description, e.g. "Gaussian noise, sigma 25/255". */
export function describeNoise(spec: NoiseSpec): string {
  switch (spec.kind) {
    case 'gaussian':
      return `Gaussian noise, sigma ${spec.sigma}/255`;
    case 'poisson-gaussian':
      return `Poisson-Gaussian noise, a ${spec.a}, b ${spec.b} (variance a*y + b)`;
    case 'salt-pepper':
      return `salt-and-pepper noise, ${+(spec.p * 100).toPrecision(4)}% of pixels`;
  }
}

/** Returns a new raster with noise added; the input is not modified. */
export function addNoise(raster: Raster, spec: NoiseSpec, rng: Rng, opts: AddNoiseOptions = {}): Raster {
  validateNoiseSpec(spec);
  const { width, height, channels } = raster;
  const src = raster.data;
  const out = new Float32Array(src.length);
  const correlation = opts.correlation ?? 0;
  if (!(correlation >= 0 && correlation <= 1)) {
    throw new MendError('usage', `Noise correlation must be between 0 and 1, got ${correlation}.`);
  }
  if (correlation > 0 && spec.kind !== 'gaussian') {
    throw new MendError('usage', 'Correlated noise is only available for gaussian noise.');
  }

  switch (spec.kind) {
    case 'gaussian': {
      const s = spec.sigma / 255;
      if (correlation > 0) {
        correlatedGaussian(out, width, height, channels, correlation, rng);
        for (let i = 0; i < src.length; i++) out[i] = src[i]! + s * out[i]!;
      } else {
        for (let i = 0; i < src.length; i++) out[i] = src[i]! + s * rng.normal();
      }
      break;
    }
    case 'poisson-gaussian': {
      const { a, b } = spec;
      const sb = Math.sqrt(b);
      for (let i = 0; i < src.length; i++) {
        let y = src[i]!;
        y = y < 0 ? 0 : y > 1 ? 1 : y;
        const shot = a > 0 ? a * rng.poisson(y / a) : y;
        out[i] = sb > 0 ? shot + sb * rng.normal() : shot;
      }
      break;
    }
    case 'salt-pepper': {
      const p = spec.p;
      const half = p / 2;
      for (let px = 0, i = 0; px < width * height; px++, i += channels) {
        const u = rng.next();
        if (u < p) {
          const v = u < half ? 0 : 1;
          for (let c = 0; c < channels; c++) out[i + c] = v;
        } else {
          for (let c = 0; c < channels; c++) out[i + c] = src[i + c]!;
        }
      }
      break;
    }
  }

  const clip = opts.clip ?? spec.kind !== 'gaussian';
  if (clip) {
    for (let i = 0; i < out.length; i++) {
      const v = out[i]!;
      out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return { width, height, channels, data: out };
}

/**
 * Fills `out` (HWC) with unit-variance Gaussian noise, blurred by the separable kernel
 * k = (1-c)*[0,1,0] + c*[1/4,1/2,1/4] in each direction and rescaled to unit variance.
 * Streams rows through a 3-row ring, so memory stays O(width).
 */
function correlatedGaussian(
  out: Float32Array,
  width: number,
  height: number,
  channels: number,
  c: number,
  rng: Rng,
): void {
  const k0 = c / 4;
  const k1 = 1 - c / 2;
  const norm = 1 / (k0 * k0 * 2 + k1 * k1); // 1 / sum(k^2) per direction; 2-D factor is its square
  const rowLen = width * channels;
  const raw = new Float64Array((width + 2) * channels);
  const ring = [new Float64Array(rowLen), new Float64Array(rowLen), new Float64Array(rowLen)];
  const hRow = (dst: Float64Array): void => {
    for (let i = 0; i < raw.length; i++) raw[i] = rng.normal();
    for (let i = 0; i < rowLen; i++) {
      dst[i] = k0 * (raw[i]! + raw[i + 2 * channels]!) + k1 * raw[i + channels]!;
    }
  };
  hRow(ring[0]!); // row -1
  hRow(ring[1]!); // row 0
  for (let y = 0; y < height; y++) {
    const above = ring[y % 3]!;
    const mid = ring[(y + 1) % 3]!;
    const below = ring[(y + 2) % 3]!;
    hRow(below); // row y+1
    const base = y * rowLen;
    for (let i = 0; i < rowLen; i++) {
      out[base + i] = norm * (k0 * (above[i]! + below[i]!) + k1 * mid[i]!);
    }
  }
}
