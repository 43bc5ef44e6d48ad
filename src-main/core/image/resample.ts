// Integer-factor resampling of rasters: box means down, bilinear back up. Pixel centres line up
// the way a box mean puts them: full-resolution pixel i sits at coarse position (i + 0.5) / f - 0.5.
import type { Raster } from './raster.js';

/** Box means over f x f blocks; partial blocks at the right and bottom edges average what they hold. */
export function boxDown(r: Raster, f: number): Raster {
  if (f === 1) return r;
  const { width, height, channels: c } = r;
  const w = Math.ceil(width / f);
  const h = Math.ceil(height / f);
  const data = new Float32Array(w * h * c);
  const count = new Uint16Array(w * h);
  for (let y = 0; y < height; y++) {
    const oy = Math.floor(y / f) * w;
    for (let x = 0; x < width; x++) {
      const o = oy + Math.floor(x / f);
      count[o]!++;
      for (let k = 0; k < c; k++) data[o * c + k]! += r.data[(y * width + x) * c + k]!;
    }
  }
  for (let i = 0; i < data.length; i++) data[i]! /= count[Math.floor(i / c)]!;
  return { width: w, height: h, channels: c, data };
}

/** Bilinear coordinates of full-resolution pixel `i` (of `n`) in a grid `f` times coarser (of `m`), clamped at the ends. */
export function bilinearAxis(n: number, m: number, f: number): { i0: Int32Array; i1: Int32Array; t: Float32Array } {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const t = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.min(m - 1, Math.max(0, (i + 0.5) / f - 0.5));
    i0[i] = Math.floor(c);
    i1[i] = Math.min(m - 1, i0[i]! + 1);
    t[i] = c - i0[i]!;
  }
  return { i0, i1, t };
}

/** Bilinear interpolation of `r`, a grid `f` times coarser, up to width x height. */
export function bilinearUp(r: Raster, width: number, height: number, f: number): Raster {
  if (f === 1) return r;
  const c = r.channels;
  const xs = bilinearAxis(width, r.width, f);
  const ys = bilinearAxis(height, r.height, f);
  const data = new Float32Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y]! * r.width;
    const r1 = ys.i1[y]! * r.width;
    const ty = ys.t[y]!;
    for (let x = 0; x < width; x++) {
      const a = xs.i0[x]!;
      const b = xs.i1[x]!;
      const tx = xs.t[x]!;
      for (let k = 0; k < c; k++) {
        const top = r.data[(r0 + a) * c + k]! + tx * (r.data[(r0 + b) * c + k]! - r.data[(r0 + a) * c + k]!);
        const bottom = r.data[(r1 + a) * c + k]! + tx * (r.data[(r1 + b) * c + k]! - r.data[(r1 + a) * c + k]!);
        data[(y * width + x) * c + k] = top + ty * (bottom - top);
      }
    }
  }
  return { width, height, channels: c, data };
}
