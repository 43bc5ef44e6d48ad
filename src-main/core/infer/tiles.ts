// Tiled inference for fully convolutional models: any image size, bounded memory, no seams.
//
// The image is cut into a grid of core tiles (at most `tileSize` on a side, split evenly).
// Each tile reads its core plus `overlap` pixels of context on every side (clipped to the
// image, started on the grid of `multiple`, grown with real pixels up to a multiple of it and,
// only where the image ends first, by reflection). Its output is written over the core extended by half the overlap
// on interior sides, weighted by a raised-cosine ramp across each interior boundary, so the
// weights of neighbouring tiles sum to 1 and no ramp touches an image border. Blending is a
// running weighted mean whose accumulated weight is computed from separable 1D sums, so no
// per-pixel weight buffer is needed and identical tile outputs blend to bit-identical values.
// Pure TypeScript: the model is a callback.
import { MendError } from '../../shared/errors.js';
import { throwIfCancelled, yieldToEventLoop } from '../jobs/cancel.js';

/** Runs the model on one tile: HWC input with `inChannels`, HWC output with `outChannels`. */
export interface TileRunner {
  (input: Float32Array, height: number, width: number): Promise<Float32Array>;
}

export interface TiledOptions {
  /** Core tile side, e.g. 512. The read region adds the overlap on each side. */
  tileSize: number;
  /** Core tile height when it differs from `tileSize` (which is then the width), e.g. strips. */
  tileHeight?: number;
  /** Context read around each core, e.g. 32; the blend ramp is this wide. */
  overlap: number;
  /** Tile sides passed to `run` are multiples of this (a U-Net with 3 poolings needs 8). */
  multiple: number;
  inChannels: number;
  outChannels: number;
  /**
   * Planes appended to every tile's input, each a constant (a denoiser's noise-level map): the
   * runner gets inChannels + constantPlanes.length channels, without a full-size copy.
   */
  constantPlanes?: readonly number[];
  signal?: AbortSignal;
  /**
   * Tiles computed at once (default 1): with a runner that works off the main thread (ONNX
   * Runtime workers), the next tiles run while this one is blended. Blending stays in plan
   * order, so the output does not depend on it.
   */
  concurrency?: number;
  /** Called after each tile. After an out-of-memory retry, counting restarts with a new total. */
  onProgress?: (done: number, total: number) => void;
  /** Called when a tile ran out of memory and the plan restarts with a smaller tile size. */
  onOutOfMemory?: (newTileSize: number, error: unknown) => void;
}

export interface Tile {
  /** Core region [x0, x1) x [y0, y1): the cores partition the image. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Read region (core plus overlap, clipped to the image, grown towards a multiple). */
  rx0: number;
  ry0: number;
  rx1: number;
  ry1: number;
  /** Blend region actually written (core plus half the overlap on interior sides). */
  wx0: number;
  wy0: number;
  wx1: number;
  wy1: number;
  /** Grid position: column and row of this tile; tiles are listed row by row. */
  col: number;
  row: number;
}

/** The smallest tile size an out-of-memory retry goes down to. */
export const MIN_TILE_SIZE = 64;

const OOM_PATTERN = /out of memory|\bOOM\b|allocation|cannot allocate|failed to allocate/i;

/** True for errors that mean the backend ran out of (GPU or host) memory. */
export function isOutOfMemoryError(e: unknown): boolean {
  if (e instanceof MendError) return false;
  const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  return OOM_PATTERN.test(message);
}

/** Index into [0, n) mirrored without repeating the edge pixel, for any integer i. */
export function reflectIndex(i: number, n: number): number {
  if (n <= 1) return 0;
  const period = 2 * n - 2;
  let k = i % period;
  if (k < 0) k += period;
  return k < n ? k : period - k;
}

interface Axis {
  /** Segment boundaries: segment k is [bounds[k], bounds[k+1]). */
  bounds: number[];
  size: number;
  overlap: number;
  /** floor(overlap / 2): how far the blend ramp starts before a boundary. */
  half: number;
}

function makeAxis(size: number, tileSize: number, overlap: number): Axis {
  const n = Math.max(1, Math.ceil(size / tileSize));
  const bounds: number[] = [];
  for (let k = 0; k <= n; k++) bounds.push(Math.round((k * size) / n));
  return { bounds, size, overlap, half: Math.floor(overlap / 2) };
}

function rampUp(t: number): number {
  return 0.5 - 0.5 * Math.cos(Math.PI * t);
}

/** Weight of segment k at coordinate c (0 outside its blend region). */
function axisWeight(axis: Axis, k: number, c: number): number {
  const { bounds, overlap, half } = axis;
  const n = bounds.length - 1;
  let w = 1;
  if (k > 0) {
    const start = bounds[k]! - half;
    if (c < start) return 0;
    if (c < start + overlap) w *= rampUp((c - start + 0.5) / overlap);
  }
  if (k < n - 1) {
    const start = bounds[k + 1]! - half;
    if (c >= start + overlap) return 0;
    if (c >= start) w *= 1 - rampUp((c - start + 0.5) / overlap);
  }
  return w;
}

/** Blend range [lo, hi) of segment k. */
function blendRange(axis: Axis, k: number): [number, number] {
  const { bounds, overlap, half, size } = axis;
  const n = bounds.length - 1;
  const lo = k === 0 ? 0 : Math.max(0, bounds[k]! - half);
  const hi = k === n - 1 ? size : Math.min(size, bounds[k + 1]! - half + overlap);
  return [lo, hi];
}

/**
 * Read range [lo, hi) of segment k: core plus overlap, its start moved back to a multiple and its
 * end grown with real pixels towards a multiple (the tile is padded by reflection where the image
 * ends first, as the whole image would be). Starting on the multiple's grid keeps every tile in
 * the whole image's phase: a U-Net's space-to-depth then groups the same pixels in every tile, so
 * tiles agree with each other and with the untiled image.
 */
function readRange(axis: Axis, k: number, multiple: number): [number, number] {
  const { bounds, overlap, size } = axis;
  const lo = Math.floor(Math.max(0, bounds[k]! - overlap) / multiple) * multiple;
  const hi = Math.min(size, bounds[k + 1]! + overlap);
  return [lo, Math.min(size, lo + Math.ceil((hi - lo) / multiple) * multiple)];
}

function validate(width: number, height: number, opts: TiledOptions): void {
  const ints: [string, number, number][] = [
    ['width', width, 0],
    ['height', height, 0],
    ['tileSize', opts.tileSize, 1],
    ['tileHeight', opts.tileHeight ?? opts.tileSize, 1],
    ['overlap', opts.overlap, 0],
    ['multiple', opts.multiple, 1],
    ['inChannels', opts.inChannels, 1],
    ['outChannels', opts.outChannels, 1],
  ];
  for (const [name, v, min] of ints) {
    if (!Number.isInteger(v) || v < min) {
      throw new MendError('internal', `Tiled inference: ${name} must be an integer >= ${min}, got ${v}`);
    }
  }
}

/** The tiles, row by row. One tile when the image fits in `tileSize` both ways. */
export function tilePlan(width: number, height: number, opts: TiledOptions): Tile[] {
  validate(width, height, opts);
  if (width === 0 || height === 0) return [];
  const ax = makeAxis(width, opts.tileSize, opts.overlap);
  const ay = makeAxis(height, opts.tileHeight ?? opts.tileSize, opts.overlap);
  const tiles: Tile[] = [];
  for (let row = 0; row < ay.bounds.length - 1; row++) {
    const [ry0, ry1] = readRange(ay, row, opts.multiple);
    const [wy0, wy1] = blendRange(ay, row);
    for (let col = 0; col < ax.bounds.length - 1; col++) {
      const [rx0, rx1] = readRange(ax, col, opts.multiple);
      const [wx0, wx1] = blendRange(ax, col);
      tiles.push({
        x0: ax.bounds[col]!,
        x1: ax.bounds[col + 1]!,
        y0: ay.bounds[row]!,
        y1: ay.bounds[row + 1]!,
        rx0,
        rx1,
        ry0,
        ry1,
        wx0,
        wx1,
        wy0,
        wy1,
        col,
        row,
      });
    }
  }
  return tiles;
}

/**
 * Copies the read region of `tile` into a new HWC buffer padded by reflection to the multiple,
 * with the constant planes after the image's channels.
 */
function extractTile(
  input: Float32Array,
  width: number,
  channels: number,
  tile: Tile,
  multiple: number,
  constants: readonly number[],
): { data: Float32Array; th: number; tw: number } {
  const rw = tile.rx1 - tile.rx0;
  const rh = tile.ry1 - tile.ry0;
  const tw = Math.ceil(rw / multiple) * multiple;
  const th = Math.ceil(rh / multiple) * multiple;
  const nc = constants.length;
  const tc = channels + nc;
  const data = new Float32Array(th * tw * tc);
  for (let ty = 0; ty < th; ty++) {
    const sy = tile.ry0 + reflectIndex(ty, rh);
    const srcRow = (sy * width + tile.rx0) * channels;
    const dstRow = ty * tw * tc;
    if (nc === 0) data.set(input.subarray(srcRow, srcRow + rw * channels), dstRow);
    for (let tx = nc === 0 ? rw : 0, d = dstRow + tx * tc; tx < tw; tx++) {
      let s = srcRow + (tx < rw ? tx : reflectIndex(tx, rw)) * channels;
      for (let c = 0; c < channels; c++) data[d++] = input[s++]!;
      for (let k = 0; k < nc; k++) data[d++] = constants[k]!;
    }
  }
  return { data, th, tw };
}

/** 1D weights over a blend range: this segment's weight, the sum up to and including it, the total. */
function axisSums(axis: Axis, k: number, lo: number, hi: number, inclusive: boolean) {
  const len = hi - lo;
  const own = new Float64Array(len);
  const cum = new Float64Array(len);
  const total = new Float64Array(len);
  const n = axis.bounds.length - 1;
  for (let i = 0; i < len; i++) {
    const c = lo + i;
    let cumSum = 0;
    let totalSum = 0;
    for (let j = 0; j < n; j++) {
      const w = axisWeight(axis, j, c);
      totalSum += w;
      if (j < k || (inclusive && j === k)) cumSum += w;
      if (j === k) own[i] = w;
    }
    cum[i] = cumSum;
    total[i] = totalSum;
  }
  return { own, cum, total };
}

async function runPlan(
  input: Float32Array,
  width: number,
  height: number,
  run: TileRunner,
  opts: TiledOptions,
  output: Float32Array,
): Promise<void> {
  const { multiple, inChannels, outChannels, signal } = opts;
  const tiles = tilePlan(width, height, opts);
  const ax = makeAxis(width, opts.tileSize, opts.overlap);
  const ay = makeAxis(height, opts.tileHeight ?? opts.tileSize, opts.overlap);
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
  const started: { th: number; tw: number; result: Promise<Float32Array> }[] = [];
  const start = (t: number): void => {
    const { data, th, tw } = extractTile(input, width, inChannels, tiles[t]!, multiple, opts.constantPlanes ?? []);
    const result = run(data, th, tw);
    // A tile started ahead may fail after an earlier one already stopped the plan.
    result.catch(() => undefined);
    started[t] = { th, tw, result };
  };
  for (let t = 0; t < tiles.length; t++) {
    throwIfCancelled(signal);
    if (t > 0) {
      await yieldToEventLoop();
      throwIfCancelled(signal);
    }
    for (let k = started.length; k < Math.min(tiles.length, t + concurrency); k++) start(k);
    const tile = tiles[t]!;
    const { tw } = started[t]!;
    const result = await started[t]!.result;
    delete started[t];
    // Running weighted mean: out += (value - out) * w / (weight accumulated so far, this tile
    // included). Tiles go row by row, so the accumulated weight at (x, y) is
    // rowsBefore(y) * allColumns(x) + thisRow(y) * columnsUpToThis(x).
    const xs = axisSums(ax, tile.col, tile.wx0, tile.wx1, true);
    const ys = axisSums(ay, tile.row, tile.wy0, tile.wy1, false);
    for (let y = tile.wy0; y < tile.wy1; y++) {
      const iy = y - tile.wy0;
      const wy = ys.own[iy]!;
      if (wy === 0) continue;
      const before = ys.cum[iy]!;
      const srcRow = (y - tile.ry0) * tw;
      // Pixels this tile alone covers so far (weight 1) are copied in runs, the rest blended.
      let runFrom = -1;
      const copyRun = (end: number): void => {
        if (runFrom < 0) return;
        const s = (srcRow + (runFrom - tile.rx0)) * outChannels;
        output.set(result.subarray(s, s + (end - runFrom) * outChannels), (y * width + runFrom) * outChannels);
        runFrom = -1;
      };
      for (let x = tile.wx0; x < tile.wx1; x++) {
        const ix = x - tile.wx0;
        const wx = xs.own[ix]!;
        const acc = before * xs.total[ix]! + wy * xs.cum[ix]!;
        const f = wx === 0 ? 0 : (wx * wy) / acc;
        if (f === 1) {
          if (runFrom < 0) runFrom = x;
          continue;
        }
        copyRun(x);
        if (f === 0) continue;
        const s = (srcRow + (x - tile.rx0)) * outChannels;
        const d = (y * width + x) * outChannels;
        for (let c = 0; c < outChannels; c++) {
          const o = output[d + c]!;
          output[d + c] = o + (result[s + c]! - o) * f;
        }
      }
      copyRun(tile.wx1);
    }
    opts.onProgress?.(t + 1, tiles.length);
  }
}

/**
 * Runs `run` over `input` (HWC, width*height*inChannels) tile by tile and returns the blended
 * HWC output with `outChannels`. On an out-of-memory error the whole plan restarts with the
 * tile size halved, down to MIN_TILE_SIZE.
 */
export async function runTiled(
  input: Float32Array,
  width: number,
  height: number,
  run: TileRunner,
  opts: TiledOptions,
): Promise<Float32Array> {
  validate(width, height, opts);
  if (input.length !== width * height * opts.inChannels) {
    throw new MendError(
      'internal',
      `Tiled inference: input has ${input.length} values, expected ${width}x${height}x${opts.inChannels}`,
    );
  }
  const output = new Float32Array(width * height * opts.outChannels);
  let tileSize = opts.tileSize;
  let tileHeight = opts.tileHeight ?? opts.tileSize;
  for (;;) {
    try {
      await runPlan(input, width, height, run, { ...opts, tileSize, tileHeight }, output);
      return output;
    } catch (e) {
      if (!isOutOfMemoryError(e) || tileSize <= MIN_TILE_SIZE) throw e;
      tileSize = Math.max(MIN_TILE_SIZE, Math.floor(tileSize / 2));
      tileHeight = Math.max(MIN_TILE_SIZE, Math.floor(tileHeight / 2));
      output.fill(0);
      opts.onOutOfMemory?.(tileSize, e);
      throwIfCancelled(opts.signal);
      await yieldToEventLoop();
    }
  }
}
