/**
 * The guided filter (He, Sun & Tang, "Guided Image Filtering", TPAMI 2013): in every
 * (2r+1)^2 window the output is a linear function of the guide, q = a*I + b, fitted to the
 * input by least squares with a ridge `eps` on a. Where the guide has an edge the output keeps
 * it; where the guide is flat the output is the window's mean. Cost is O(1) per pixel (box
 * sums), whatever the radius.
 *
 * Big images are filtered in horizontal strips with the filter's whole reach as context, using
 * the same few strip-sized buffers throughout: on a 24-megapixel photo, allocating full-size
 * planes for every box sum cost more than the arithmetic.
 */
import { bilinearAxis } from '../math/resample.js';

/**
 * Horizontal window sums of each row into `rows`, in three loops (window entering, sliding,
 * leaving) so the hot one has no branches.
 */
function rowSums(src: Float32Array, width: number, height: number, r: number, rows: Float32Array): void {
  const a = Math.min(r + 1, width);
  const b = Math.max(a, width - r);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    let s = 0;
    for (let x = 0; x < Math.min(r, width); x++) s += src[o + x]!;
    for (let x = 0; x < a; x++) {
      if (x + r < width) s += src[o + x + r]!;
      rows[o + x] = s;
    }
    for (let x = a; x < b; x++) {
      s += src[o + x + r]! - src[o + x - r - 1]!;
      rows[o + x] = s;
    }
    for (let x = b; x < width; x++) {
      if (x + r < width) s += src[o + x + r]!;
      if (x - r - 1 >= 0) s -= src[o + x - r - 1]!;
      rows[o + x] = s;
    }
  }
}

/** rowSums of p * q, without writing the product plane. */
function rowSumsOfProduct(p: Float32Array, q: Float32Array, width: number, height: number, r: number, rows: Float32Array): void {
  const a = Math.min(r + 1, width);
  const b = Math.max(a, width - r);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    let s = 0;
    for (let x = 0; x < Math.min(r, width); x++) s += p[o + x]! * q[o + x]!;
    for (let x = 0; x < a; x++) {
      if (x + r < width) s += p[o + x + r]! * q[o + x + r]!;
      rows[o + x] = s;
    }
    for (let x = a; x < b; x++) {
      const i = o + x + r;
      const j = o + x - r - 1;
      s += p[i]! * q[i]! - p[j]! * q[j]!;
      rows[o + x] = s;
    }
    for (let x = b; x < width; x++) {
      if (x + r < width) s += p[o + x + r]! * q[o + x + r]!;
      if (x - r - 1 >= 0) s -= p[o + x - r - 1]! * q[o + x - r - 1]!;
      rows[o + x] = s;
    }
  }
}

/**
 * Mean over the (2r+1)^2 window around each pixel of a `width` x `height` plane, the window
 * clipped at the borders (so the mean is over the pixels that exist). Separable running sums;
 * `rows` is scratch of the plane's size. With `times`, the mean of src * times (no product plane).
 */
export function boxMean(
  src: Float32Array,
  width: number,
  height: number,
  r: number,
  out: Float32Array = new Float32Array(width * height),
  rows: Float32Array = new Float32Array(width * height),
  times?: Float32Array,
): Float32Array {
  if (times) rowSumsOfProduct(src, times, width, height, r, rows);
  else rowSums(src, width, height, r, rows);
  // 1 / (window width) per column; the window height is per row.
  const invW = new Float32Array(width);
  for (let x = 0; x < width; x++) invW[x] = 1 / (Math.min(width, x + r + 1) - Math.max(0, x - r));
  // Vertical window sums, one running sum per column; add, subtract and write fused in one loop.
  // Float32 running sums: twice as fast as Float64 here, and strips keep them short (at most a
  // few hundred rows), so the rounding stays near 1e-6 of the values.
  const col = new Float32Array(width);
  for (let y = 0; y < Math.min(r, height); y++) for (let x = 0, o = y * width; x < width; x++) col[x] += rows[o + x]!;
  for (let y = 0; y < height; y++) {
    const add = y + r < height ? (y + r) * width : -1;
    const sub = y - r - 1 >= 0 ? (y - r - 1) * width : -1;
    const invH = 1 / (Math.min(height, y + r + 1) - Math.max(0, y - r));
    const o = y * width;
    if (add >= 0 && sub >= 0) {
      for (let x = 0; x < width; x++) {
        const c = col[x]! + rows[add + x]! - rows[sub + x]!;
        col[x] = c;
        out[o + x] = c * invW[x]! * invH;
      }
    } else {
      if (add >= 0) for (let x = 0; x < width; x++) col[x] += rows[add + x]!;
      if (sub >= 0) for (let x = 0; x < width; x++) col[x] -= rows[sub + x]!;
      for (let x = 0; x < width; x++) out[o + x] = col[x]! * invW[x]! * invH;
    }
  }
  return out;
}

/** Means over 2x2 blocks (partial blocks at the right and bottom edges), into `out`. */
function downsample2(src: Float32Array, width: number, height: number, out: Float32Array): Float32Array {
  const w = Math.ceil(width / 2);
  const h = Math.ceil(height / 2);
  const pairs = width >> 1;
  for (let by = 0; by < h; by++) {
    const r0 = 2 * by * width;
    // A last row alone is read twice, so every block is a mean of four reads.
    const r1 = 2 * by + 1 < height ? r0 + width : r0;
    const o = by * w;
    for (let bx = 0; bx < pairs; bx++) {
      const x = 2 * bx;
      out[o + bx] = (src[r0 + x]! + src[r0 + x + 1]! + src[r1 + x]! + src[r1 + x + 1]!) * 0.25;
    }
    if (pairs < w) out[o + pairs] = (src[r0 + width - 1]! + src[r1 + width - 1]!) * 0.5;
  }
  return out.subarray(0, w * h);
}

export interface GuidedFilterOptions {
  /** Window radius in full-resolution pixels. */
  radius: number;
  /** Ridge on the slope a, in squared units of the guide. */
  eps: number;
  /**
   * Fit the local linear models on a grid this many times coarser and interpolate them (He &
   * Sun, "Fast Guided Filter", 2015): subsample^2 less work, the output keeps the guide's full
   * resolution. 1 (default) is the exact filter.
   */
  subsample?: 1 | 2;
  /**
   * Per source, its noise variance. Where the residual p - q over a window carries more energy
   * than that (an edge in p that the guide lacks, which the filter would blur), the fraction
   * (energy - variance) / energy of the residual is given back: a local Wiener gain. It is
   * computed on the grid the coefficients are fitted on and folded into b, so it costs no
   * full-resolution pass.
   */
  noiseVariances?: number[];
}

/**
 * Writes rows [from, to) of q = a*I + b (strip coordinates, `width` wide) into `out` at
 * `outOffset`, with a and b bilinearly interpolated from the grid twice as coarse (`w` x `h`):
 * each row interpolates the two coarse rows once; along x, full-resolution pixels 2k and 2k+1
 * sit at coarse positions k - 1/4 and k + 1/4 (clamped at the ends).
 */
function applyCoarseModel2(
  meanA: Float32Array, meanB: Float32Array, guide: Float32Array, width: number, height: number,
  from: number, to: number, out: Float32Array, outOffset: number,
): void {
  const w = Math.ceil(width / 2);
  const ys = bilinearAxis(height, Math.ceil(height / 2), 2);
  const rowA = new Float32Array(w);
  const rowB = new Float32Array(w);
  for (let y = from; y < to; y++) {
    const r0 = ys.i0[y]! * w;
    const r1 = ys.i1[y]! * w;
    const ty = ys.t[y]!;
    for (let x = 0; x < w; x++) {
      rowA[x] = meanA[r0 + x]! + ty * (meanA[r1 + x]! - meanA[r0 + x]!);
      rowB[x] = meanB[r0 + x]! + ty * (meanB[r1 + x]! - meanB[r0 + x]!);
    }
    const g = y * width;
    const o = outOffset + (y - from) * width;
    for (let k = 0; k < w; k++) {
      const a0 = rowA[k]!;
      const b0 = rowB[k]!;
      const am = k > 0 ? rowA[k - 1]! : a0;
      const bm = k > 0 ? rowB[k - 1]! : b0;
      const x = 2 * k;
      out[o + x] = (0.25 * am + 0.75 * a0) * guide[g + x]! + 0.25 * bm + 0.75 * b0;
      if (x + 1 < width) {
        const ap = k + 1 < w ? rowA[k + 1]! : a0;
        const bp = k + 1 < w ? rowB[k + 1]! : b0;
        out[o + x + 1] = (0.75 * a0 + 0.25 * ap) * guide[g + x + 1]! + 0.75 * b0 + 0.25 * bp;
      }
    }
  }
}

/** Per-window least squares p ~ a*I + b: writes a into `cov` (holding mean(I*p)) and b into `meanP`. */
function fitWindows(cov: Float32Array, meanP: Float32Array, meanI: Float32Array, varIeps: Float32Array): void {
  for (let i = 0; i < cov.length; i++) {
    const a = (cov[i]! - meanI[i]! * meanP[i]!) / varIeps[i]!;
    cov[i] = a;
    meanP[i] = meanP[i]! - a * meanI[i]!;
  }
}

/** Output rows per strip (a multiple of every subsample factor used). */
const STRIP_ROWS = 240;

/**
 * The guided filter of each plane in `sources` by the plane `guide` (all `width` x `height`);
 * the guide's window statistics are computed once for all of them. The result equals filtering
 * the whole image at once (strips carry the filter's whole reach as context).
 */
export function guidedFilter(guide: Float32Array, sources: Float32Array[], width: number, height: number, opts: GuidedFilterOptions): Float32Array[] {
  const n = width * height;
  if (guide.length !== n || sources.some((s) => s.length !== n)) throw new Error('guidedFilter: plane sizes differ');
  const f = opts.subsample === 2 ? 2 : 1;
  const r = f === 1 ? opts.radius : Math.max(1, Math.round(opts.radius / f));
  // Context rows: a and b reach r coarse rows, the window statistics r more, and the bilinear
  // interpolation one coarse row; whole coarse rows, so strips share the image's grid.
  // With noiseVariances the residual's energy reaches r coarse rows further.
  const halo = f * (opts.noiseVariances ? 3 * r + 3 : 2 * r + 2);
  const stripRows = Math.ceil(STRIP_ROWS / f) * f;
  const maxRows = Math.min(height, stripRows + 2 * halo);
  const w = Math.ceil(width / f);
  const m = w * Math.ceil(maxRows / f);
  const buf = (): Float32Array => new Float32Array(m);
  const I = buf();
  const meanI = buf();
  const varIeps = buf();
  const P = buf();
  const meanP = buf();
  const a = buf();
  const meanA = buf();
  const meanB = buf();
  const rows = buf();
  const outs = sources.map(() => new Float32Array(n));
  for (let y0 = 0; y0 < height; y0 += stripRows) {
    const y1 = Math.min(height, y0 + stripRows);
    const s0 = Math.max(0, y0 - halo);
    const s1 = Math.min(height, y1 + halo);
    const sh = s1 - s0;
    const h = Math.ceil(sh / f);
    const k = w * h;
    const view = (b: Float32Array): Float32Array => b.subarray(0, k);
    const g = guide.subarray(s0 * width, s1 * width);
    const low = (p: Float32Array, into: Float32Array): Float32Array => (f === 1 ? p : downsample2(p, width, sh, into));
    const gi = low(g, I);
    const mI = boxMean(gi, w, h, r, view(meanI), view(rows));
    const vI = boxMean(gi, w, h, r, view(varIeps), view(rows), gi);
    for (let i = 0; i < k; i++) vI[i] = vI[i]! - mI[i]! * mI[i]! + opts.eps;
    for (const [j, src] of sources.entries()) {
      const p = low(src.subarray(s0 * width, s1 * width), P);
      const mP = boxMean(p, w, h, r, view(meanP), view(rows));
      const cov = boxMean(gi, w, h, r, view(a), view(rows), p);
      fitWindows(cov, mP, mI, vI);
      const mA = boxMean(cov, w, h, r, view(meanA), view(rows));
      const mB = boxMean(mP, w, h, r, view(meanB), view(rows));
      const variance = opts.noiseVariances?.[j];
      if (variance !== undefined) {
        // The residual on this grid (into a's buffer, free now) and its window energy (into b's);
        // block means of f x f pixels have 1/f^2 of the noise variance.
        const d = cov;
        for (let i = 0; i < k; i++) d[i] = p[i]! - (mA[i]! * gi[i]! + mB[i]!);
        const e = boxMean(d, w, h, r, mP, view(rows), d);
        const v = variance / (f * f);
        for (let i = 0; i < k; i++) {
          const ei = e[i]!;
          if (ei > v) mB[i] = mB[i]! + ((ei - v) / ei) * d[i]!;
        }
      }
      const out = outs[j]!;
      if (f > 1) {
        applyCoarseModel2(mA, mB, g, width, sh, y0 - s0, y1 - s0, out, y0 * width);
      } else {
        for (let i = (y0 - s0) * width, o = y0 * width; o < y1 * width; i++, o++) out[o] = mA[i]! * g[i]! + mB[i]!;
      }
    }
  }
  return outs;
}
