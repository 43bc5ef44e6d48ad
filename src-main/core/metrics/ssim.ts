// Structural similarity (Wang, Bovik, Sheikh & Simoncelli 2004): 11x11 Gaussian window,
// sigma 1.5, K1 0.01, K2 0.03, data range 1, 'valid' filtering (no padding), no sample
// covariance correction. Colour: SSIM per channel, averaged.
import { MendError } from '../../shared/errors.js';
import { type Raster } from '../image/raster.js';

const K1 = 0.01;
const K2 = 0.03;
const SIGMA = 1.5;
const RADIUS = 5;

function gaussianKernel(radius: number): Float64Array {
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * SIGMA * SIGMA));
    k[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/**
 * Mean SSIM of two same-sized rasters (values in [0,1]). Images smaller than 11 px on a side
 * use the largest odd window that fits.
 */
export function ssim(a: Raster, b: Raster): number {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new MendError(
      'internal',
      `Cannot compare a ${a.width}x${a.height}x${a.channels} image with a ${b.width}x${b.height}x${b.channels} one`,
    );
  }
  const { width, height, channels } = a;
  if (width === 0 || height === 0) return NaN;
  const radius = Math.min(RADIUS, Math.floor((Math.min(width, height) - 1) / 2));
  let total = 0;
  for (let c = 0; c < channels; c++) total += ssimChannel(a.data, b.data, width, height, channels, c, radius);
  return total / channels;
}

function ssimChannel(
  da: Float32Array,
  db: Float32Array,
  width: number,
  height: number,
  channels: number,
  channel: number,
  radius: number,
): number {
  const k = gaussianKernel(radius);
  const win = 2 * radius + 1;
  const outW = width - 2 * radius;
  const outH = height - 2 * radius;
  const C1 = (K1 * 1) ** 2;
  const C2 = (K2 * 1) ** 2;

  // Ring of `win` horizontally filtered rows for each of the five moments.
  const ring = win * outW;
  const hx = new Float64Array(ring);
  const hy = new Float64Array(ring);
  const hxx = new Float64Array(ring);
  const hyy = new Float64Array(ring);
  const hxy = new Float64Array(ring);
  // Per input row: x, y, x^2, y^2, xy.
  const rx = new Float64Array(width);
  const ry = new Float64Array(width);
  const rxx = new Float64Array(width);
  const ryy = new Float64Array(width);
  const rxy = new Float64Array(width);
  const mx = new Float64Array(outW);
  const my = new Float64Array(outW);
  const mxx = new Float64Array(outW);
  const myy = new Float64Array(outW);
  const mxy = new Float64Array(outW);
  const centre = k[radius]!;

  // Symmetric kernel: dst[o] = centre*src[o+r] + sum_j k[j]*(src[o+j] + src[o+2r-j]).
  const hfilter = (src: Float64Array, dst: Float64Array, base: number): void => {
    for (let ox = 0; ox < outW; ox++) {
      let s = centre * src[ox + radius]!;
      for (let j = 0; j < radius; j++) s += k[j]! * (src[ox + j]! + src[ox + win - 1 - j]!);
      dst[base + ox] = s;
    }
  };
  const vfilter = (src: Float64Array, dst: Float64Array, rows: Int32Array): void => {
    const rc = rows[radius]!;
    for (let ox = 0; ox < outW; ox++) dst[ox] = centre * src[rc + ox]!;
    for (let j = 0; j < radius; j++) {
      const w = k[j]!;
      const r0 = rows[j]!;
      const r1 = rows[win - 1 - j]!;
      for (let ox = 0; ox < outW; ox++) dst[ox]! += w * (src[r0 + ox]! + src[r1 + ox]!);
    }
  };
  const rows = new Int32Array(win);

  let sum = 0;
  for (let y = 0; y < height; y++) {
    let src = y * width * channels + channel;
    for (let x = 0; x < width; x++, src += channels) {
      const xv = da[src]!;
      const yv = db[src]!;
      rx[x] = xv;
      ry[x] = yv;
      rxx[x] = xv * xv;
      ryy[x] = yv * yv;
      rxy[x] = xv * yv;
    }
    const base = (y % win) * outW;
    hfilter(rx, hx, base);
    hfilter(ry, hy, base);
    hfilter(rxx, hxx, base);
    hfilter(ryy, hyy, base);
    hfilter(rxy, hxy, base);
    if (y < win - 1) continue;

    // Vertical pass over rows y-win+1 .. y.
    for (let j = 0; j < win; j++) rows[j] = ((y - win + 1 + j) % win) * outW;
    vfilter(hx, mx, rows);
    vfilter(hy, my, rows);
    vfilter(hxx, mxx, rows);
    vfilter(hyy, myy, rows);
    vfilter(hxy, mxy, rows);
    for (let ox = 0; ox < outW; ox++) {
      const ux = mx[ox]!;
      const uy = my[ox]!;
      const vx = mxx[ox]! - ux * ux;
      const vy = myy[ox]! - uy * uy;
      const cxy = mxy[ox]! - ux * uy;
      sum += ((2 * ux * uy + C1) * (2 * cxy + C2)) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
    }
  }
  return sum / (outW * outH);
}
