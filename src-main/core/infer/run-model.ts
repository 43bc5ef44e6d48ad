/**
 * Runs a loaded model over a whole image: tiled, with the model's conditioning plane, in the
 * model's channel count (a grayscale model runs a colour image channel by channel; a colour
 * model runs a grayscale image as gray RGB).
 *
 * The one entry point for inference. Tiles run on ONNX Runtime (in a worker thread, so the event
 * loop stays free) or on TensorFlow.js, whichever runtime-choice.ts picked.
 */
import * as tf from '@tensorflow/tfjs';
import type { JobContext } from '../../shared/jobs.js';
import { inputChannels, sizeMultiple, type ArchSpec } from '../models/architectures.js';
import { modelToOnnx, type LoadedModel } from '../models/store.js';
import { inferenceRuntime, noteOnnxProvider, type RuntimeName } from './runtime-choice.js';
import { onnxPool, type OnnxModelHandle, type OnnxPool } from '../runtime/onnx-runtime.js';
import { type Raster } from '../image/raster.js';
import { runTiled } from './tiles.js';
import { EtaEstimator } from '../../shared/eta.js';

export interface RunModelOptions extends JobContext {
  /** Per-image conditioning: noise std on [0,1] scale (denoisers) or a hole mask (inpainters). */
  noiseLevel?: number;
  /**
   * A noise std per pixel on [0,1] scale (width*height, one plane for every channel pass) instead
   * of the one `noiseLevel`: real photos are noisier in some tones than in others.
   */
  noiseMap?: Float32Array;
  mask?: Uint8Array;
  tileSize?: number;
  overlap?: number;
  /** Progress stage name. */
  stage?: string;
}

/** Default tile side on TensorFlow.js. */
export const DEFAULT_TILE = 512;
/**
 * Default tile side on ONNX Runtime: larger tiles waste less on overlap (a 1024 tile with 20
 * pixels of context reads 8% more pixels than it writes, a 512 tile 16%), and ONNX Runtime's
 * speed per pixel does not drop with the size (README, "Speed").
 */
export const DEFAULT_ONNX_TILE = 1024;

/**
 * Context each tile reads around its core. A residual net of depth d (3x3 convolutions) sees d
 * pixels around each output and a tile writes half its overlap past its core, so 2d pixels make
 * every written pixel what the whole image would give (20 for the shipped depth-10 nets: 5%
 * less work on a 24-megapixel photo than 32). U-Nets and autoencoders see
 * much further; 32 pixels and the blend ramp hide what is left.
 */
export function defaultOverlap(spec: ArchSpec): number {
  return spec.kind === 'residual' ? 2 * spec.depth : 32;
}

/** Runs one HWC tile (conditioning plane in place); the buffer may be taken over (transferred). */
type Predict = (input: Float32Array, h: number, w: number) => Promise<Float32Array>;

/** One forward pass on TensorFlow.js. */
function predictTfjs(model: tf.LayersModel, input: Float32Array, h: number, w: number, cin: number): Promise<Float32Array> {
  const out = tf.tidy(() => model.predict(tf.tensor4d(input, [1, h, w, cin])) as tf.Tensor);
  return out.data().then((d) => {
    out.dispose();
    return d as Float32Array;
  });
}

/** Sessions per pool (a closed pool's are gone) and loaded model. */
const onnxHandles = new WeakMap<OnnxPool, WeakMap<LoadedModel, Promise<OnnxModelHandle>>>();

/** The model's ONNX Runtime session (one per loaded model, created on first use). */
function onnxHandle(loaded: LoadedModel): Promise<OnnxModelHandle> {
  const pool = onnxPool();
  let handles = onnxHandles.get(pool);
  if (!handles) onnxHandles.set(pool, (handles = new WeakMap()));
  let p = handles.get(loaded);
  if (!p) {
    p = pool
      .load(loaded.onnx ?? modelToOnnx(loaded.model, loaded.card))
      .then((h) => {
        noteOnnxProvider(h.provider, h.failures);
        return h;
      });
    handles.set(loaded, p);
    p.catch(() => handles.delete(loaded));
  }
  return p;
}

interface Predictor {
  runtime: RuntimeName;
  predict: Predict;
  /** Tiles that can run at once (ONNX Runtime workers). */
  concurrency: number;
}

async function predictor(loaded: LoadedModel, signal: AbortSignal | undefined): Promise<Predictor> {
  const cin = inputChannels(loaded.card.arch);
  const runtime = (await inferenceRuntime()).active;
  if (runtime === 'tfjs') return { runtime, concurrency: 1, predict: (input, h, w) => predictTfjs(loaded.model, input, h, w, cin) };
  const handle = await onnxHandle(loaded);
  return { runtime, concurrency: onnxPool().options.workers, predict: (input, h, w) => handle.run(input, [1, h, w, cin], signal) };
}

/**
 * The tile shape when none was asked for. On ONNX Runtime with several workers, an image that
 * would fit in fewer tiles than workers is cut into strips across its longer side (each at
 * least 128 pixels), so every worker has one: strips add overlap on one side only.
 */
function defaultTileShape(p: Predictor, width: number, height: number): { tileSize: number; tileHeight?: number } {
  if (p.runtime === 'tfjs') return { tileSize: DEFAULT_TILE };
  const side = DEFAULT_ONNX_TILE;
  let cols = Math.ceil(width / side);
  let rows = Math.ceil(height / side);
  const square = cols * rows;
  while (cols * rows < p.concurrency) {
    if (width / (cols + 1) >= height / (rows + 1) && width / (cols + 1) >= 128) cols++;
    else if (height / (rows + 1) >= 128) rows++;
    else break;
  }
  if (cols * rows === square) return { tileSize: side };
  return { tileSize: Math.ceil(width / cols), tileHeight: Math.ceil(height / rows) };
}

async function runPlanes(
  loaded: LoadedModel,
  planes: Float32Array,
  width: number,
  height: number,
  opts: RunModelOptions,
  progress: (done: number, total: number) => void,
  p: Predictor,
): Promise<Float32Array> {
  const spec = loaded.card.arch;
  const c = spec.channels;
  const cin = inputChannels(spec);
  // The conditioning plane is added per tile for a constant noise level (no full-size copy); a
  // mask or a noise map is spatial, so it is interleaved once for the whole image.
  const spatial = spec.conditioning === 'mask' ? opts.mask : spec.conditioning === 'noise-map' ? opts.noiseMap : undefined;
  const interleaved = spec.conditioning === 'mask' || spatial !== undefined;
  let input = planes;
  if (interleaved) {
    input = new Float32Array(width * height * cin);
    for (let p = 0; p < width * height; p++) {
      for (let k = 0; k < c; k++) input[p * cin + k] = planes[p * c + k];
      input[p * cin + c] = spatial ? spatial[p] : 0;
    }
  }
  return runTiled(input, width, height, p.predict, {
    ...(opts.tileSize ? { tileSize: opts.tileSize } : defaultTileShape(p, width, height)),
    // Two tiles per ONNX worker in flight: each has the next one queued when it finishes, so
    // none waits while the main thread blends and cuts tiles.
    concurrency: p.runtime === 'onnx' ? 2 * p.concurrency : p.concurrency,
    overlap: opts.overlap ?? defaultOverlap(spec),
    multiple: sizeMultiple(spec),
    inChannels: interleaved ? cin : c,
    outChannels: c,
    constantPlanes: spec.conditioning === 'noise-map' && !interleaved ? [opts.noiseLevel ?? 0] : [],
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
  const p = await predictor(loaded, opts.signal);
  const eta = new EtaEstimator(passes.length);
  // One pass over the whole raster (the model has its channels): its output is the result.
  const single = mc === raster.channels;
  let out: Float32Array | undefined = single ? undefined : new Float32Array(n * raster.channels);
  for (const [i, planes] of passes.entries()) {
    const res = await runPlanes(loaded, planes, width, height, opts, (done, total) => {
      const frac = i + done / total;
      opts.onEvent?.({ type: 'progress', stage: opts.stage ?? 'run', done: Math.round(frac * 1000), total: passes.length * 1000,
        etaSeconds: eta.secondsLeft(frac) });
    }, p);
    if (single) out = res;
    else if (mc === 1) for (let p = 0; p < n; p++) out![p * raster.channels + i] = res[p];
    else for (let p = 0; p < n; p++) out![p] = (res[3 * p] + res[3 * p + 1] + res[3 * p + 2]) / 3;
  }
  return { width, height, channels: raster.channels, data: out! };
}
