/**
 * Runs a loaded model over a whole image: tiled, with the model's conditioning plane, in the
 * model's channel count (a grayscale model runs a colour image channel by channel; a colour
 * model runs a grayscale image as gray RGB).
 */
import * as tf from '@tensorflow/tfjs';
import type { JobContext } from '../../shared/jobs.js';
import { inputChannels, sizeMultiple } from '../models/architectures.js';
import type { LoadedModel } from '../models/store.js';
import { type Raster } from '../image/raster.js';
import { runTiled } from './tiles.js';
import { EtaEstimator } from '../jobs/eta.js';

export interface RunModelOptions extends JobContext {
  /** Per-image conditioning: noise std on [0,1] scale (denoisers) or a hole mask (inpainters). */
  noiseLevel?: number;
  mask?: Uint8Array;
  tileSize?: number;
  overlap?: number;
  /** Progress stage name. */
  stage?: string;
}

export const DEFAULT_TILE = 512;

/** One forward pass over an HWC tile with the conditioning plane already in place. */
function predictTile(model: tf.LayersModel, input: Float32Array, h: number, w: number, cin: number): Promise<Float32Array> {
  const out = tf.tidy(() => model.predict(tf.tensor4d(input, [1, h, w, cin])) as tf.Tensor);
  return out.data().then((d) => {
    out.dispose();
    return d as Float32Array;
  });
}

async function runPlanes(
  loaded: LoadedModel,
  planes: Float32Array,
  width: number,
  height: number,
  opts: RunModelOptions,
  progress: (done: number, total: number) => void,
): Promise<Float32Array> {
  const spec = loaded.card.arch;
  const c = spec.channels;
  const cin = inputChannels(spec);
  const mask = opts.mask;
  // The conditioning plane is added per tile for constant noise maps (no full-size copy); the
  // mask plane is spatial, so it is interleaved once for the whole image.
  let input = planes;
  if (spec.conditioning === 'mask') {
    input = new Float32Array(width * height * cin);
    for (let p = 0; p < width * height; p++) {
      for (let k = 0; k < c; k++) input[p * cin + k] = planes[p * c + k];
      input[p * cin + c] = mask ? mask[p] : 0;
    }
  }
  const level = opts.noiseLevel ?? 0;
  const run = (tile: Float32Array, h: number, w: number): Promise<Float32Array> => {
    if (spec.conditioning !== 'noise-map') return predictTile(loaded.model, tile, h, w, cin);
    const withMap = new Float32Array(h * w * cin);
    for (let p = 0; p < h * w; p++) {
      for (let k = 0; k < c; k++) withMap[p * cin + k] = tile[p * c + k];
      withMap[p * cin + c] = level;
    }
    return predictTile(loaded.model, withMap, h, w, cin);
  };
  return runTiled(input, width, height, run, {
    tileSize: opts.tileSize ?? DEFAULT_TILE,
    overlap: opts.overlap ?? 32,
    multiple: sizeMultiple(spec),
    inChannels: spec.conditioning === 'mask' ? cin : c,
    outChannels: c,
    signal: opts.signal,
    onProgress: progress,
  });
}

/** Runs the model over `raster` and returns a raster of the same size and channels. */
export async function runModel(loaded: LoadedModel, raster: Raster, opts: RunModelOptions = {}): Promise<Raster> {
  const mc = loaded.card.arch.channels;
  const { width, height } = raster;
  const n = width * height;
  // Split into passes of the model's channel count.
  const passes: Float32Array[] = [];
  if (mc === raster.channels) passes.push(raster.data);
  else if (mc === 1) {
    for (let k = 0; k < raster.channels; k++) {
      const plane = new Float32Array(n);
      for (let p = 0; p < n; p++) plane[p] = raster.data[p * raster.channels + k];
      passes.push(plane);
    }
  } else {
    const rgb = new Float32Array(n * 3);
    for (let p = 0; p < n; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = raster.data[p];
    passes.push(rgb);
  }
  const eta = new EtaEstimator(passes.length);
  const out = new Float32Array(n * raster.channels);
  for (const [i, planes] of passes.entries()) {
    const res = await runPlanes(loaded, planes, width, height, opts, (done, total) => {
      const frac = i + done / total;
      opts.onEvent?.({ type: 'progress', stage: opts.stage ?? 'run', done: Math.round(frac * 1000), total: passes.length * 1000,
        etaSeconds: eta.secondsLeft(frac) });
    });
    if (mc === raster.channels) out.set(res);
    else if (mc === 1) for (let p = 0; p < n; p++) out[p * raster.channels + i] = res[p];
    else for (let p = 0; p < n; p++) out[p] = (res[3 * p] + res[3 * p + 1] + res[3 * p + 2]) / 3;
  }
  return { width, height, channels: raster.channels, data: out };
}
