// Push-pull hole filling (Gortler et al. 1996): where the harmonic prefill (prefill.ts) starts,
// a smooth fill in O(pixels). Push: mask-weighted 2x2 averaging builds a pyramid until a level has no holes (or is
// 1x1). Pull: from the coarsest level down, each level's bilinear upsampling fills what the
// finer level does not know (partially known coarse pixels blend by their weight). At full
// resolution only hole pixels are written: known pixels stay bit-identical. O(pixels).
import { MendError } from '../../shared/errors.js';
import { type Raster } from '../image/raster.js';

/** Value used when nothing at all is known. */
const UNKNOWN_FILL = 0.5;

interface Level {
  width: number;
  height: number;
  /** HWC values, meaningful where weight > 0 (normalised, not premultiplied). */
  values: Float32Array;
  /** Confidence in [0, 1]; 0 = hole. */
  weights: Float32Array;
}

/** Level 0 keeps the caller's mask (1 = hole) instead of a float weight buffer. */
interface BaseLevel {
  width: number;
  height: number;
  values: Float32Array;
  mask: Uint8Array;
}

function isBase(l: Level | BaseLevel): l is BaseLevel {
  return 'mask' in l;
}

function downsample(fine: Level | BaseLevel, channels: number): { level: Level; holes: boolean } {
  const { width: fw, height: fh, values: fv } = fine;
  const base = isBase(fine);
  const fwt = base ? new Float32Array(0) : fine.weights;
  const fmask = base ? fine.mask : new Uint8Array(0);
  const width = Math.ceil(fw / 2);
  const height = Math.ceil(fh / 2);
  const values = new Float32Array(width * height * channels);
  const weights = new Float32Array(width * height);
  let holes = false;
  for (let y = 0; y < height; y++) {
    const hasY1 = 2 * y + 1 < fh;
    for (let x = 0; x < width; x++) {
      const hasX1 = 2 * x + 1 < fw;
      const p00 = 2 * y * fw + 2 * x;
      const p01 = hasX1 ? p00 + 1 : p00;
      const p10 = hasY1 ? p00 + fw : p00;
      const p11 = hasY1 ? p01 + fw : p01;
      // Missing children (odd sizes) repeat p00 with weight 0. Hole values are 0, never NaN.
      let w00: number, w01: number, w10: number, w11: number;
      if (base) {
        w00 = fmask[p00] === 0 ? 1 : 0;
        w01 = hasX1 && fmask[p01] === 0 ? 1 : 0;
        w10 = hasY1 && fmask[p10] === 0 ? 1 : 0;
        w11 = hasX1 && hasY1 && fmask[p11] === 0 ? 1 : 0;
      } else {
        w00 = fwt[p00]!;
        w01 = hasX1 ? fwt[p01]! : 0;
        w10 = hasY1 ? fwt[p10]! : 0;
        w11 = hasX1 && hasY1 ? fwt[p11]! : 0;
      }
      const wsum = w00 + w01 + w10 + w11;
      const q = y * width + x;
      if (wsum === 0) {
        holes = true;
        continue;
      }
      const inv = 1 / wsum;
      const d = q * channels;
      const s00 = p00 * channels;
      const s01 = p01 * channels;
      const s10 = p10 * channels;
      const s11 = p11 * channels;
      for (let c = 0; c < channels; c++) {
        values[d + c] = (w00 * fv[s00 + c]! + w01 * fv[s01 + c]! + w10 * fv[s10 + c]! + w11 * fv[s11 + c]!) * inv;
      }
      weights[q] = wsum < 1 ? wsum : 1;
    }
  }
  return { level: { width, height, values, weights }, holes };
}

/** For each fine coordinate: the two coarse neighbours and the weight of the second. */
function bilinearTaps(fineSize: number, coarseSize: number) {
  const i0 = new Int32Array(fineSize);
  const i1 = new Int32Array(fineSize);
  const t = new Float32Array(fineSize);
  for (let i = 0; i < fineSize; i++) {
    // Fine pixel centre in coarse pixel coordinates.
    let c = (i + 0.5) / 2 - 0.5;
    if (c < 0) c = 0;
    if (c > coarseSize - 1) c = coarseSize - 1;
    const a = Math.floor(c);
    i0[i] = a;
    i1[i] = Math.min(a + 1, coarseSize - 1);
    t[i] = c - a;
  }
  return { i0, i1, t };
}

/**
 * Fills `fine` where its weight is below 1 from the (fully filled) `coarse` level, bilinearly
 * upsampled: v = w * v + (1 - w) * up. At level 0 only hole pixels are written: known pixels
 * stay exact.
 */
function pull(fine: Level | BaseLevel, coarse: Level, channels: number): void {
  const { width: fw, height: fh, values: fv } = fine;
  const base = isBase(fine);
  const fwt = base ? new Float32Array(0) : fine.weights;
  const fmask = base ? fine.mask : new Uint8Array(0);
  const { width: cw, values: cv } = coarse;
  const tx = bilinearTaps(fw, cw);
  const ty = bilinearTaps(fh, coarse.height);
  for (let y = 0; y < fh; y++) {
    const r0 = ty.i0[y]! * cw;
    const r1 = ty.i1[y]! * cw;
    const b = ty.t[y]!;
    for (let x = 0; x < fw; x++) {
      const p = y * fw + x;
      const w = base ? (fmask[p] === 0 ? 1 : 0) : fwt[p]!;
      if (w >= 1) continue;
      const a = tx.t[x]!;
      const c00 = (r0 + tx.i0[x]!) * channels;
      const c01 = (r0 + tx.i1[x]!) * channels;
      const c10 = (r1 + tx.i0[x]!) * channels;
      const c11 = (r1 + tx.i1[x]!) * channels;
      const d = p * channels;
      for (let c = 0; c < channels; c++) {
        const top = cv[c00 + c]! + (cv[c01 + c]! - cv[c00 + c]!) * a;
        const bottom = cv[c10 + c]! + (cv[c11 + c]! - cv[c10 + c]!) * a;
        const up = top + (bottom - top) * b;
        fv[d + c] = w === 0 ? up : w * fv[d + c]! + (1 - w) * up;
      }
    }
  }
}

/** Push-pull in place on HWC `values` (hole entries zeroed), with at least one known pixel. */
function fillInPlace(values: Float32Array, mask: Uint8Array, width: number, height: number, channels: number): void {
  const levels: (Level | BaseLevel)[] = [{ width, height, values, mask }];
  // Push.
  for (;;) {
    const top = levels[levels.length - 1]!;
    if (top.width === 1 && top.height === 1) break;
    const { level, holes } = downsample(top, channels);
    levels.push(level);
    if (!holes) break;
  }
  // A 1x1 top always has weight > 0 here (some pixel is known), so it is fully filled.
  // Pull.
  for (let l = levels.length - 2; l >= 0; l--) pull(levels[l]!, levels[l + 1] as Level, channels);
}

/**
 * Returns a copy of `raster` whose hole pixels (mask != 0, one entry per pixel) are filled
 * smoothly from the known ones. Known pixels are bit-identical; all-hole images become 0.5.
 * When the holes are confined to a small part of the image, only that part (plus a margin as
 * wide as the holes' bounding box) is processed.
 */
export function pushPullFill(raster: Raster, mask: Uint8Array): Raster {
  const { width, height, channels } = raster;
  const n = width * height;
  if (mask.length !== n) {
    throw new MendError('internal', `Fill: mask has ${mask.length} entries, expected ${width}x${height}`);
  }
  if (raster.data.length !== n * channels) {
    throw new MendError('internal', `Fill: raster has ${raster.data.length} values, expected ${n * channels}`);
  }
  const out = new Float32Array(raster.data);
  const result: Raster = { width, height, channels, data: out };
  let holes = 0;
  let bx0 = width;
  let by0 = height;
  let bx1 = -1;
  let by1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] === 0) continue;
      holes++;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      by1 = y;
      const d = (row + x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = 0; // even a NaN there is ignored
    }
  }
  if (holes === 0) return result;
  if (holes === n) {
    out.fill(UNKNOWN_FILL);
    return result;
  }

  const margin = Math.max(bx1 - bx0, by1 - by0) + 8;
  const cx0 = Math.max(0, bx0 - margin);
  const cy0 = Math.max(0, by0 - margin);
  const cx1 = Math.min(width, bx1 + 1 + margin);
  const cy1 = Math.min(height, by1 + 1 + margin);
  const cw = cx1 - cx0;
  const ch = cy1 - cy0;
  if (cw * ch * 2 > n) {
    fillInPlace(out, mask, width, height, channels);
    return result;
  }
  // Work on the crop, then copy its hole pixels back.
  const sub = new Float32Array(cw * ch * channels);
  const subMask = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++) {
    const src = (cy0 + y) * width + cx0;
    sub.set(out.subarray(src * channels, (src + cw) * channels), y * cw * channels);
    subMask.set(mask.subarray(src, src + cw), y * cw);
  }
  fillInPlace(sub, subMask, cw, ch, channels);
  for (let y = 0; y < ch; y++) {
    const src = (cy0 + y) * width + cx0;
    for (let x = 0; x < cw; x++) {
      if (subMask[y * cw + x] === 0) continue;
      const d = (src + x) * channels;
      const s = (y * cw + x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = sub[s + c]!;
    }
  }
  return result;
}
