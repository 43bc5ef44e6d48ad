/**
 * What one of the lab's patch autoencoders makes of a whole picture: the image cut into patches
 * (non-overlapping), each patch's code, and one map per code unit showing where in the picture
 * that unit fires, plus the picture rebuilt from the codes alone.
 */
import { type Raster } from '../image/raster.js';
import { DenseAutoencoder, type DenseWeights } from './dense-ae.js';
import { fromContrast, patchPsnr, shrinkGrey, toContrast } from './patches.js';
import { pcaDecode, pcaEncode, type Pca } from './pca.js';

export type PatchModel = { kind: 'dense'; weights: DenseWeights } | { kind: 'pca'; pca: Pca };

export interface CodeMaps {
  /** The grey picture the maps are of (downscaled so its longer side is at most `maxSide`). */
  input: Raster;
  /** Patches across and down. */
  cols: number;
  rows: number;
  code: number;
  /** code x rows x cols, unit-major. */
  maps: Float32Array;
  /** The picture rebuilt patch by patch from its codes. */
  reconstruction: Raster;
  psnr: number;
  /** Mean activation of each unit over the picture. */
  unitMeans: Float32Array;
}

export function codeMaps(model: PatchModel, image: Raster, patch: number, contrastScale: number, maxSide = 384): CodeMaps {
  const input = shrinkGrey(image, maxSide);
  const cols = Math.floor(input.width / patch);
  const rows = Math.floor(input.height / patch);
  if (cols < 1 || rows < 1) throw new RangeError(`The image is smaller than one ${patch}x${patch} patch`);
  const n = cols * rows;
  const d = patch * patch;
  const pixels = new Float32Array(n * d);
  for (let py = 0; py < rows; py++) {
    for (let px = 0; px < cols; px++) {
      const s = py * cols + px;
      for (let y = 0; y < patch; y++) {
        for (let x = 0; x < patch; x++) pixels[s * d + y * patch + x] = input.data[(py * patch + y) * input.width + px * patch + x]!;
      }
    }
  }
  const { x, dc } = toContrast(pixels, n, d, contrastScale);
  let h: Float32Array;
  let rec: Float32Array;
  let k: number;
  if (model.kind === 'pca') {
    k = model.pca.k;
    h = pcaEncode(model.pca, x, n);
    rec = pcaDecode(model.pca, h, n);
  } else {
    k = model.weights.spec.code;
    const ae = new DenseAutoencoder(model.weights.spec, 1, model.weights);
    try {
      h = ae.encode(x, n);
      rec = ae.decode(h, n);
    } finally {
      ae.dispose();
    }
  }
  const recPixels = fromContrast(rec, dc, n, d, contrastScale);
  const maps = new Float32Array(k * n);
  const unitMeans = new Float32Array(k);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < k; j++) {
      maps[j * n + s] = h[s * k + j]!;
      unitMeans[j]! += h[s * k + j]! / n;
    }
  }
  const out = new Float32Array(cols * patch * rows * patch);
  const ow = cols * patch;
  for (let s = 0; s < n; s++) {
    const px = s % cols;
    const py = (s - px) / cols;
    for (let y = 0; y < patch; y++) {
      for (let xx = 0; xx < patch; xx++) out[(py * patch + y) * ow + px * patch + xx] = Math.min(1, Math.max(0, recPixels[s * d + y * patch + xx]!));
    }
  }
  const cropped = new Float32Array(ow * rows * patch);
  for (let y = 0; y < rows * patch; y++) cropped.set(input.data.subarray(y * input.width, y * input.width + ow), y * ow);
  const shown: Raster = { width: ow, height: rows * patch, channels: 1, data: cropped };
  return {
    input: shown, cols, rows, code: k, maps, reconstruction: { width: ow, height: rows * patch, channels: 1, data: out },
    psnr: patchPsnr(cropped, out), unitMeans,
  };
}
