/**
 * Anomaly map: where a model trained on clean photos cannot rebuild the image (high
 * reconstruction error), something unusual is there: hot pixels, dust, scratches. The map
 * doubles as a suggested inpainting mask.
 */
import type { DustSpot } from '../../shared/api.js';
import { spotMask } from '../../shared/dust-mask.js';
import type { JobContext } from '../../shared/jobs.js';
import { type Raster } from '../image/raster.js';
import type { LoadedModel } from '../models/store.js';
import { luminance } from './spot-filters.js';
import { runModel } from './run-model.js';
import { findSoftSpots, textureMap } from './soft-spots.js';

export interface AnomalyOptions extends JobContext {
  /** Noise level the reconstruction assumes (0-255 scale); high = smoother reconstruction. */
  sigma?: number;
  /** Threshold in robust standard deviations of the error (default 6). */
  threshold?: number;
  /** Pixels to grow the mask by, so a fill covers the whole spot (default 1). */
  grow?: number;
}

export interface AnomalyResult {
  /** Per-pixel reconstruction error (mean absolute over channels, divided down where the photo is textured), width*height. */
  error: Float32Array;
  /** 1 where the error is anomalous, grown by `grow` pixels. */
  mask: Uint8Array;
  /** The error level used as the cut-off. */
  cutoff: number;
  /** Soft dark spots (infer/soft-spots.ts), already in the mask. */
  spots: DustSpot[];
}

/** Quantiles of a sample of the values (exact enough for a threshold, O(n)). */
function sampleQuantiles(values: Float32Array, qs: number[]): number[] {
  const step = Math.max(1, Math.floor(values.length / 200_000));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += step) sample.push(values[i]);
  sample.sort((a, b) => a - b);
  return qs.map((q) => sample[Math.min(sample.length - 1, Math.floor(q * sample.length))] ?? 0);
}

export function growMask(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  if (radius <= 0) return mask;
  // Two separable passes of a square dilation.
  const tmp = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let d = -radius; d <= radius && !v; d++) {
        const xx = x + d;
        if (xx >= 0 && xx < width) v = mask[y * width + xx];
      }
      tmp[y * width + x] = v;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let d = -radius; d <= radius && !v; d++) {
        const yy = y + d;
        if (yy >= 0 && yy < height) v = tmp[yy * width + x];
      }
      out[y * width + x] = v;
    }
  }
  return out;
}

/**
 * How much texture raises the error a pixel may have: the error is divided by (1 + this x the
 * local texture / TEXTURE_UNIT). A network rebuilds the edges of leaves and branches imperfectly,
 * and without this their outlines were what "Suggest mask" marked; a hot pixel or a scratch has
 * little texture around it in the reconstruction, which has removed it.
 */
const TEXTURE_WEIGHT = 2;
const TEXTURE_UNIT = 0.01;

export async function anomalyMap(raster: Raster, loaded: LoadedModel, opts: AnomalyOptions = {}): Promise<AnomalyResult> {
  const sigma = opts.sigma ?? 30;
  const recon = await runModel(loaded, raster, { ...opts, noiseLevel: sigma / 255, stage: 'anomaly' });
  const n = raster.width * raster.height;
  const c = raster.channels;
  const texture = textureMap(luminance(recon), raster.width, raster.height);
  const error = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += Math.abs(raster.data[p * c + k] - recon.data[p * c + k]);
    error[p] = s / c / (1 + (TEXTURE_WEIGHT * texture[p]!) / TEXTURE_UNIT);
  }
  // The normal level of error: a robust scale from the median, but never below what the 95th
  // percentile says, since a good model rebuilds smooth areas almost exactly and the error of
  // textured areas is heavy-tailed.
  const t = opts.threshold ?? 6;
  const [median, p95] = sampleQuantiles(error, [0.5, 0.95]);
  const cutoff = Math.max(t * 1.4826 * median, (t / 2) * p95, 4 / 255);
  let mask: Uint8Array = new Uint8Array(n);
  for (let p = 0; p < n; p++) mask[p] = error[p] > cutoff ? 1 : 0;
  mask = growMask(mask, raster.width, raster.height, opts.grow ?? 1);
  // Soft spots the network rebuilds as they are (a dust shadow): found by their profile, masked
  // with their halo, and shown in the heat map as far above the cut-off.
  const spots = findSoftSpots(raster, texture);
  const spotPixels = spotMask(raster.width, raster.height, spots, opts.grow ?? 1);
  for (let p = 0; p < n; p++) {
    if (!spotPixels[p]) continue;
    mask[p] = 1;
    error[p] = Math.max(error[p]!, 2 * cutoff);
  }
  return { error, mask, cutoff, spots };
}

/** A heat-map rendering of the error (black -> red -> yellow -> white), scaled so cutoff is red. */
export function heatmap(error: Float32Array, width: number, height: number, cutoff: number): Raster {
  const data = new Float32Array(width * height * 3);
  for (let p = 0; p < error.length; p++) {
    const t = Math.min(3, error[p] / Math.max(cutoff, 1e-6));
    data[3 * p] = Math.min(1, t);
    data[3 * p + 1] = Math.min(1, Math.max(0, t - 1));
    data[3 * p + 2] = Math.min(1, Math.max(0, t - 2));
  }
  return { width, height, channels: 3, data };
}
