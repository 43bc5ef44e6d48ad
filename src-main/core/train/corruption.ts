/**
 * On-the-fly corruption of training patches: the "denoising" in denoising autoencoder. The same
 * noise and damage generators as `mend corrupt`, with ranges so one model learns many strengths.
 */
import { MendError } from '../../shared/errors.js';
import { makeDamageMask, type DamageKind } from '../corrupt/damage.js';
import { jpegCompress } from '../corrupt/jpeg.js';
import { addNoise } from '../corrupt/noise.js';
import { type Rng } from '../math/rng.js';
import { inpaintPrefill } from '../infer/prefill.js';
import type { Conditioning } from '../models/architectures.js';

export type Range = [number, number];

export type TrainCorruption =
  | { kind: 'none' }
  /** sigma on the 0-255 scale, drawn uniformly per patch. */
  | { kind: 'gaussian'; sigma: Range }
  /** Poisson-Gaussian (variance a*y + b), a and b drawn per patch; then clipped to [0,1]. */
  | { kind: 'poisson-gaussian'; a: Range; b: Range }
  | { kind: 'salt-pepper'; p: Range }
  /**
   * Camera noise as it reaches a photographer: Poisson-Gaussian (variance a*y + b), half the time
   * spatially correlated as after demosaicing, then clipped and quantised to 8 bits; with `jpeg`
   * (a quality range), half the patches are then saved as a JPEG at a quality drawn from it.
   */
  | { kind: 'photo'; a: Range; b: Range; jpeg?: Range }
  /** Holes to fill: random brush strokes of many widths, scratches and dust. */
  | { kind: 'damage' };

const USAGE = 'Use none, gaussian:SIGMA or gaussian:MIN-MAX (e.g. gaussian:0-55), poisson-gaussian:A,B, photo:A,B or photo:A,B,JPEG-QUALITY (ranges allowed, e.g. photo:0.001-0.01,0-0.001,60-95), salt-pepper:P or damage.';

/** A plain decimal number (no sign, no hex, no empty text). */
const NUMBER = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseRange(text: string, max: number, what: string): Range {
  const parts = text.split(/(?<=\d)-/).map((s) => s.trim());
  if (parts.length > 2 || parts.some((s) => !NUMBER.test(s))) {
    throw new MendError('usage', `Bad number or range "${text}". ${USAGE}`);
  }
  const lo = Number(parts[0]);
  const hi = Number(parts[1] ?? parts[0]);
  if (hi < lo) throw new MendError('usage', `Range "${text}" is reversed. ${USAGE}`);
  if (hi > max) throw new MendError('usage', `${what} must be at most ${max}, got "${text}". ${USAGE}`);
  return [lo, hi];
}

export function parseTrainCorruption(text: string): TrainCorruption {
  const [kind, args = '', ...extra] = text.trim().split(':');
  const hasArgs = text.includes(':');
  if (extra.length > 0) throw new MendError('usage', `Bad training noise "${text}". ${USAGE}`);
  switch (kind) {
    case 'none':
    case 'damage':
      if (hasArgs) throw new MendError('usage', `Training noise "${kind}" takes no parameters, got "${text}". ${USAGE}`);
      return { kind };
    case 'gaussian':
      return { kind: 'gaussian', sigma: parseRange(args, 255, 'Gaussian sigma') };
    case 'salt-pepper':
      return { kind: 'salt-pepper', p: parseRange(args, 1, 'Salt-and-pepper p') };
    case 'poisson-gaussian':
    case 'photo': {
      const [a, b, q, ...more] = args.split(',');
      if (b === undefined || more.length > 0 || (kind === 'poisson-gaussian' && q !== undefined)) {
        throw new MendError('usage', `${kind} needs A,B${kind === 'photo' ? ' (and optionally a JPEG quality)' : ''}. ${USAGE}`);
      }
      const pg = { a: parseRange(a, 1, 'Poisson-Gaussian a'), b: parseRange(b, 1, 'Poisson-Gaussian b') };
      if (q === undefined) return { kind, ...pg };
      const jpeg = parseRange(q, 100, 'JPEG quality');
      if (jpeg[0] < 1 || !jpeg.every(Number.isInteger)) throw new MendError('usage', `JPEG quality must be whole numbers from 1 to 100, got "${q}". ${USAGE}`);
      return { kind: 'photo', ...pg, jpeg };
    }
    default:
      throw new MendError('usage', `Unknown training noise "${text}". ${USAGE}`);
  }
}

const draw = (rng: Rng, [lo, hi]: Range): number => lo + (hi - lo) * rng.next();

/** Hole masks cover at least this and at most that fraction of the patch (else redrawn). */
export const HOLE_COVERAGE: Range = [0.005, 0.6];

/**
 * Random thick polylines (objects to remove, scratches) plus dust: a general hole shape mix.
 * Draws that leave almost nothing to fill or almost nothing to fill from (stroke widths do not
 * scale with the patch, so small patches could be nearly all hole) are redrawn.
 */
export function randomHoleMask(width: number, height: number, rng: Rng): Uint8Array {
  let mask = drawHoleMask(width, height, rng);
  for (let tries = 0; tries < 50; tries++) {
    let holes = 0;
    for (let i = 0; i < mask.length; i++) holes += mask[i];
    const coverage = holes / mask.length;
    if (coverage >= HOLE_COVERAGE[0] && coverage <= HOLE_COVERAGE[1]) break;
    mask = drawHoleMask(width, height, rng);
  }
  return mask;
}

function drawHoleMask(width: number, height: number, rng: Rng): Uint8Array {
  const mask = new Uint8Array(width * height);
  const strokes = 1 + rng.int(4);
  for (let s = 0; s < strokes; s++) {
    // Mostly thin strokes (scratches, cables, wires: where a network can continue edges across
    // the hole), sometimes wide ones (objects). Wide holes alone teach little beyond the prefill.
    const radius = 0.7 + rng.next() ** 3 * 12;
    let x = rng.next() * width;
    let y = rng.next() * height;
    const segments = 1 + rng.int(4);
    for (let g = 0; g < segments; g++) {
      const angle = rng.next() * 2 * Math.PI;
      const length = (0.1 + 0.5 * rng.next()) * Math.max(width, height);
      const nx = x + Math.cos(angle) * length;
      const ny = y + Math.sin(angle) * length;
      const steps = Math.ceil(length / Math.max(1, radius / 2));
      for (let i = 0; i <= steps; i++) {
        const cx = x + ((nx - x) * i) / steps;
        const cy = y + ((ny - y) * i) / steps;
        disc(mask, width, height, cx, cy, radius);
      }
      x = nx;
      y = ny;
    }
  }
  if (rng.next() < 0.5) {
    const dust = makeDamageMask('dust' as DamageKind, width, height, rng);
    for (let i = 0; i < mask.length; i++) mask[i] |= dust[i];
  }
  return mask;
}

function disc(mask: Uint8Array, w: number, h: number, cx: number, cy: number, r: number): void {
  const r2 = r * r;
  for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(h - 1, Math.ceil(cy + r)); y++) {
    for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(w - 1, Math.ceil(cx + r)); x++) {
      if ((x - cx) ** 2 + (y - cy) ** 2 <= r2) mask[y * w + x] = 1;
    }
  }
}

/**
 * Photo noise for one patch (see TrainCorruption 'photo'). Correlation mixes the white noise
 * with its 3x3 binomial blur (what demosaicing does to sensor noise), rescaled so the per-pixel
 * standard deviation stays that of the Poisson-Gaussian model: the noise-level input then means
 * the same thing with or without correlation.
 */
export function photoNoise(patch: { width: number; height: number; channels: number; data: Float32Array }, a: number, b: number, rng: Rng): Float32Array {
  const { width: w, height: h, channels: ch, data } = patch;
  const noisy = addNoise(patch, { kind: 'poisson-gaussian', a, b }, rng, { clip: false }).data;
  const noise = new Float32Array(noisy.length);
  for (let i = 0; i < noise.length; i++) noise[i] = noisy[i]! - data[i]!;
  let mixed = noise;
  if (rng.next() < 0.5) {
    const alpha = 0.6 * rng.next();
    const k = [1, 2, 1];
    mixed = new Float32Array(noise.length);
    // Sum of squared taps of alpha*identity + (1-alpha)*binomial: keeps the variance.
    const norm = 1 / Math.sqrt(alpha * alpha + 2 * alpha * (1 - alpha) * 0.25 + (1 - alpha) ** 2 * (36 / 256));
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < ch; c++) {
          let blur = 0;
          for (let dy = -1; dy <= 1; dy++) {
            const yy = Math.min(h - 1, Math.max(0, y + dy));
            for (let dx = -1; dx <= 1; dx++) {
              const xx = Math.min(w - 1, Math.max(0, x + dx));
              blur += k[dy + 1]! * k[dx + 1]! * noise[(yy * w + xx) * ch + c]!;
            }
          }
          const i = (y * w + x) * ch + c;
          mixed[i] = norm * (alpha * noise[i]! + ((1 - alpha) * blur) / 16);
        }
      }
    }
  }
  const out = new Float32Array(noise.length);
  for (let i = 0; i < out.length; i++) {
    const v = data[i]! + mixed[i]!;
    out[i] = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255) / 255;
  }
  return out;
}

export interface CorruptedBatch {
  /** [n, size, size, C + (conditioned ? 1 : 0)]: what the model sees. */
  input: Float32Array;
  /** [n, size, size, 1] hole mask for 'damage', else undefined. */
  mask?: Float32Array;
}

/**
 * Corrupts `clean` ([n, size, size, C]) patch by patch and builds the model input, with the
 * conditioning plane: the per-pixel noise standard deviation ('noise-map') or the hole mask.
 * Asynchronous only for JPEG (a real libjpeg round trip through sharp).
 */
export async function corruptBatch(
  clean: Float32Array,
  n: number,
  size: number,
  channels: number,
  spec: TrainCorruption,
  conditioning: Conditioning,
  rng: Rng,
): Promise<CorruptedBatch> {
  const cin = channels + (conditioning === 'none' ? 0 : 1);
  const px = size * size;
  const input = new Float32Array(n * px * cin);
  const masks = spec.kind === 'damage' ? new Float32Array(n * px) : undefined;
  for (let i = 0; i < n; i++) {
    const patch = { width: size, height: size, channels, data: clean.subarray(i * px * channels, (i + 1) * px * channels) };
    let noisy = patch.data;
    let map: (p: number) => number = () => 0;
    if (spec.kind === 'gaussian') {
      const sigma = draw(rng, spec.sigma);
      noisy = addNoise(patch, { kind: 'gaussian', sigma }, rng).data;
      map = () => sigma / 255;
    } else if (spec.kind === 'poisson-gaussian') {
      const a = draw(rng, spec.a);
      const b = draw(rng, spec.b);
      noisy = addNoise(patch, { kind: 'poisson-gaussian', a, b }, rng).data;
      map = (p) => Math.sqrt(a * Math.max(0, patch.data[p * channels]) + b);
    } else if (spec.kind === 'photo') {
      const a = draw(rng, spec.a);
      const b = draw(rng, spec.b);
      noisy = photoNoise(patch, a, b, rng);
      if (spec.jpeg && rng.next() < 0.5) {
        const quality = Math.round(draw(rng, spec.jpeg));
        noisy = (await jpegCompress({ width: size, height: size, channels, data: noisy }, quality)).data;
      }
      // One level per patch, as `--sigma auto` gives at inference: the noise at the mean level.
      let mean = 0;
      for (let i = 0; i < patch.data.length; i++) mean += patch.data[i]!;
      const sigma = Math.sqrt(a * (mean / patch.data.length) + b);
      map = () => sigma;
    } else if (spec.kind === 'salt-pepper') {
      const p = draw(rng, spec.p);
      noisy = addNoise(patch, { kind: 'salt-pepper', p }, rng).data;
      map = () => p;
    } else if (spec.kind === 'damage') {
      const hole = randomHoleMask(size, size, rng);
      noisy = inpaintPrefill(patch, hole).data;
      for (let p = 0; p < px; p++) masks![i * px + p] = hole[p];
      map = (p) => hole[p];
    }
    const base = i * px * cin;
    for (let p = 0; p < px; p++) {
      for (let c = 0; c < channels; c++) input[base + p * cin + c] = noisy[p * channels + c];
      if (cin > channels) input[base + p * cin + channels] = map(p);
    }
  }
  return { input, mask: masks };
}
