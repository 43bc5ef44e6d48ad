// Conversions between sharp's interleaved integer pixels and a float32 Raster plus separate alpha.

import { MendError } from '../../shared/errors.js';
import type { Raster } from './raster.js';

/** Interleaved 8- or 16-bit samples -> Raster (first `colour` channels) + alpha (the rest, if any). */
export function rasterFromInterleaved(
  samples: Uint8Array | Uint16Array,
  width: number,
  height: number,
  channels: number,
): { raster: Raster; alpha?: Float32Array } {
  const hasAlpha = channels === 2 || channels === 4;
  const colour = hasAlpha ? channels - 1 : channels;
  const scale = samples instanceof Uint16Array ? 1 / 65535 : 1 / 255;
  const n = width * height;
  const data = new Float32Array(n * colour);
  const alpha = hasAlpha ? new Float32Array(n) : undefined;
  if (!alpha) {
    // The common case (no alpha) as one flat loop: 3x faster on a 24-megapixel photo.
    for (let i = 0; i < data.length; i++) data[i] = samples[i]! * scale;
    return { raster: { width, height, channels: colour, data } };
  }
  for (let p = 0, s = 0, d = 0; p < n; p++) {
    for (let c = 0; c < colour; c++) data[d++] = samples[s++]! * scale;
    if (alpha) alpha[p] = samples[s++]! * scale;
  }
  return alpha ? { raster: { width, height, channels: colour, data }, alpha } : { raster: { width, height, channels: colour, data } };
}

function quantise(v: number, max: number): number {
  if (!(v > 0)) return 0; // also NaN
  if (v >= 1) return max;
  return Math.round(v * max);
}

/** Raster (+ optional alpha) -> interleaved integers; clamps to [0,1], NaN -> 0. */
export function interleavedFromRaster(raster: Raster, alpha: Float32Array | undefined, depth: 8 | 16): Uint8Array | Uint16Array {
  const n = raster.width * raster.height;
  const colour = raster.channels;
  const channels = colour + (alpha ? 1 : 0);
  const out = depth === 16 ? new Uint16Array(n * channels) : new Uint8Array(n * channels);
  const max = depth === 16 ? 65535 : 255;
  const src = raster.data;
  if (depth === 8 && !alpha) {
    // Uint8ClampedArray clamps and rounds in the store itself (NaN -> 0), which makes this
    // loop several times faster than quantise(). It rounds halves to even where Math.round
    // rounds them up: the two differ only for values exactly halfway between two levels.
    const clamped = new Uint8ClampedArray(out.buffer);
    for (let i = 0; i < src.length; i++) clamped[i] = src[i]! * 255;
    return out;
  }
  for (let p = 0, s = 0, d = 0; p < n; p++) {
    for (let c = 0; c < colour; c++) out[d++] = quantise(src[s++]!, max);
    if (alpha) out[d++] = quantise(alpha[p]!, max);
  }
  return out;
}

/** Throws MendError 'internal' when a raster (and alpha) is not internally consistent. */
export function checkRaster(raster: Raster, alpha?: Float32Array): void {
  const { width, height, channels, data } = raster;
  const bad = (why: string): never => {
    throw new MendError('internal', `Invalid image to write: ${why}`);
  };
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) bad(`size ${width}x${height}`);
  if (channels !== 1 && channels !== 3) bad(`${channels} channels (expected 1 or 3)`);
  if (data.length !== width * height * channels) bad(`${data.length} samples for ${width}x${height}x${channels}`);
  if (alpha && alpha.length !== width * height) bad(`${alpha.length} alpha samples for ${width}x${height}`);
}
