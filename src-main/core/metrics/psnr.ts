// Peak signal-to-noise ratio and the 8-bit quantization used by the benchmark protocol.
import { MendError } from '../../shared/errors.js';
import { type Raster } from '../image/raster.js';

export interface PsnrOptions {
  /** Per pixel (width*height), 1 = include; all channels of an included pixel count. */
  mask?: Uint8Array;
  /** Peak signal value; default 1 (data in [0,1]). */
  peak?: number;
}

function dataOf(x: Raster | Float32Array): Float32Array {
  return x instanceof Float32Array ? x : x.data;
}

/** Mean squared error over all channels (or over masked pixels). NaN when the mask is empty. */
export function mse(a: Raster | Float32Array, b: Raster | Float32Array, mask?: Uint8Array): number {
  if (!(a instanceof Float32Array) && !(b instanceof Float32Array)) {
    if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
      throw new MendError(
        'internal',
        `Cannot compare a ${a.width}x${a.height}x${a.channels} image with a ${b.width}x${b.height}x${b.channels} one`,
      );
    }
  }
  const da = dataOf(a);
  const db = dataOf(b);
  if (da.length !== db.length) {
    throw new MendError('internal', `Cannot compare images of ${da.length} and ${db.length} values`);
  }
  if (!mask) {
    let sum = 0;
    for (let i = 0; i < da.length; i++) {
      const d = da[i]! - db[i]!;
      sum += d * d;
    }
    return da.length === 0 ? NaN : sum / da.length;
  }
  const channels = mask.length === 0 ? 0 : da.length / mask.length;
  if (!Number.isInteger(channels) || channels < 1) {
    throw new MendError('internal', `A mask of ${mask.length} pixels does not fit an image of ${da.length} values`);
  }
  if (!(a instanceof Float32Array) && a.channels !== channels) {
    throw new MendError('internal', `Mask has ${mask.length} entries for a ${a.width}x${a.height} image`);
  }
  let sum = 0;
  let n = 0;
  for (let px = 0, i = 0; px < mask.length; px++, i += channels) {
    if (mask[px] === 0) continue;
    for (let c = 0; c < channels; c++) {
      const d = da[i + c]! - db[i + c]!;
      sum += d * d;
    }
    n += channels;
  }
  return n === 0 ? NaN : sum / n;
}

/** PSNR in dB over all channels; Infinity for identical inputs, NaN for an empty mask. */
export function psnr(a: Raster | Float32Array, b: Raster | Float32Array, opts: PsnrOptions = {}): number {
  const peak = opts.peak ?? 1;
  const m = mse(a, b, opts.mask);
  if (Number.isNaN(m)) return NaN;
  if (m === 0) return Infinity;
  return 10 * Math.log10((peak * peak) / m);
}

/** A new raster clamped to [0,1] and rounded to 8 bits (value = round(v*255)/255). */
export function quantize8(raster: Raster): Raster {
  const src = raster.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    out[i] = v <= 0 ? 0 : v >= 1 ? 1 : Math.round(v * 255) / 255;
  }
  return { width: raster.width, height: raster.height, channels: raster.channels, data: out };
}
