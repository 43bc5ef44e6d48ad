/**
 * Whether a fill carries texture: the standard deviation of the Laplacian of the fill inside the
 * holes, relative to the clean photo's there. A smooth fill scores near 0 (a smear), a fill with
 * the photo's texture near 1. The holes are eroded by 2 px first, so the Laplacian reads only
 * filled pixels and the step at a hole's edge does not count.
 */
import type { Raster } from '../image/raster.js';

/** Hole pixels whose 5x5 neighbourhood is all hole. */
export function erodeHoles(mask: Uint8Array, width: number, height: number, radius = 2): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = radius; y < height - radius; y++) {
    for (let x = radius; x < width - radius; x++) {
      let all = 1;
      for (let dy = -radius; dy <= radius && all; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          if (!mask[(y + dy) * width + x + dx]) {
            all = 0;
            break;
          }
        }
      }
      out[y * width + x] = all;
    }
  }
  return out;
}

/** Std of the 4-neighbour Laplacian of the channel mean over the pixels of `at`; NaN where none. */
export function laplacianStd(r: Raster, at: Uint8Array): number {
  const { width: w, height: h, channels: c } = r;
  const grey = new Float32Array(w * h);
  for (let p = 0; p < grey.length; p++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += r.data[p * c + k]!;
    grey[p] = s / c;
  }
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = y * w + x;
      if (!at[p]) continue;
      const l = grey[p - 1]! + grey[p + 1]! + grey[p - w]! + grey[p + w]! - 4 * grey[p]!;
      n++;
      sum += l;
      sum2 += l * l;
    }
  }
  if (n === 0) return NaN;
  const mean = sum / n;
  return Math.sqrt(Math.max(0, sum2 / n - mean * mean));
}

/** Texture score of a fill: its Laplacian's std in the holes eroded by 2 px over the clean photo's; NaN where nothing is left after erosion or the clean photo is flat there. */
export function holeTextureRatio(filled: Raster, clean: Raster, mask: Uint8Array): number {
  const inner = erodeHoles(mask, clean.width, clean.height);
  const ref = laplacianStd(clean, inner);
  return ref > 0 ? laplacianStd(filled, inner) / ref : NaN;
}
