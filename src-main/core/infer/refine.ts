/**
 * The last step of inpainting: a denoiser as the image prior (plug-and-play, as in DPIR, Zhang et
 * al. 2021). Each round denoises the current estimate at a falling noise level and keeps the
 * change in the holes only, the known pixels staying the input's; what a denoiser changes in a
 * smooth fill is what does not look like a photograph, so edges and texture continue across the
 * hole. Only tiles that hold hole pixels are denoised, each with a margin of context, so a few
 * strokes on a large photo cost a few tiles per round.
 *
 * Two things make the rounds reach further than one denoiser pass sees:
 * - Wide holes are first refined on the picture box-averaged 4 and 2 times (the rounds' change
 *   interpolated back up), where the network sees four and two times as far across them; only
 *   pixels deep enough in a hole take that change, since a coarse grid mixes a thin scratch with
 *   its banks.
 * - Each round sees the picture in the next of the 8 orientations (turns and mirrors), so the
 *   network's own mistakes average out over the rounds instead of adding up: a self-ensemble at no
 *   extra cost.
 */
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { throwIfCancelled } from '../jobs/cancel.js';
import type { Raster } from '../image/raster.js';
import { addBilinearUp, boxDown } from '../math/resample.js';
import { runTurned } from './ensemble.js';
import { type Crop, cutCrop, holeTiles, indexInCrop } from './hole-tiles.js';

export interface RefineLevel {
  /** The rounds denoise the picture box-averaged by this factor; their change is interpolated back up. */
  factor: number;
  /** Noise levels of the rounds (0-255 scale), one round each. */
  sigmas: readonly number[];
  /**
   * Depth in a hole (distance in pixels to the nearest known pixel) where the change starts to
   * count, and where it counts fully; absent: fully everywhere.
   */
  depth?: readonly [number, number];
}

/**
 * The levels, coarse to fine. Chosen on 8 colour training images with the product's masks
 * (makeDamageMask). Over the first fill, in the holes (scratches / dust / blobs): the previous
 * 10 full-resolution rounds of sigma 20 down to 2 in one orientation gained 0.58 / 0.32 / 0.14
 * dB, these levels with a new orientation each round 0.79 / 0.44 / 0.79. The coarse levels make
 * the blobs' gain; the turning and the longer full-resolution schedule the rest.
 */
export const REFINE_LEVELS: readonly RefineLevel[] = [
  { factor: 4, sigmas: [50, 40, 30, 25, 20, 15], depth: [3, 8] },
  { factor: 2, sigmas: [30, 25, 20, 15, 12, 10, 8, 6], depth: [1.5, 4] },
  { factor: 1, sigmas: [25, 20, 16, 12.5, 10, 8, 6.3, 5, 4, 3.2, 2.5, 2] },
];
/** Core side of the tiles that are denoised, and the context read around their holes (full-resolution pixels at factor 1, scaled with the factor). */
const TILE = 256;
const MARGIN = 40;
/** A network call's fixed cost, in pixels of work (progress weights). */
const CALL_PIXELS = 4096;

export type CropDenoiser = (crop: Raster, sigma: number) => Promise<Raster>;

/**
 * Distance of each hole pixel to the nearest known pixel (chamfer 1 / sqrt 2, two sweeps); 0
 * outside the holes. A hole with no known pixel at all gets a large finite depth.
 */
export function holeDepth(mask: Uint8Array, width: number, height: number): Float32Array {
  const d = new Float32Array(mask.length);
  for (let p = 0; p < mask.length; p++) if (mask[p]) d[p] = 1e9;
  const diag = Math.SQRT2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (!mask[p]) continue;
      let v = d[p]!;
      if (x > 0) v = Math.min(v, d[p - 1]! + 1);
      if (y > 0) {
        v = Math.min(v, d[p - width]! + 1);
        if (x > 0) v = Math.min(v, d[p - width - 1]! + diag);
        if (x < width - 1) v = Math.min(v, d[p - width + 1]! + diag);
      }
      d[p] = v;
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const p = y * width + x;
      if (!mask[p]) continue;
      let v = d[p]!;
      if (x < width - 1) v = Math.min(v, d[p + 1]! + 1);
      if (y < height - 1) {
        v = Math.min(v, d[p + width]! + 1);
        if (x < width - 1) v = Math.min(v, d[p + width + 1]! + diag);
        if (x > 0) v = Math.min(v, d[p + width - 1]! + diag);
      }
      d[p] = v;
    }
  }
  return d;
}

/** Per hole pixel, the weight of a level's change (by its depth), and the tiles holding weighted pixels. */
function planLevel(level: RefineLevel, mask: Uint8Array, depth: Float32Array, width: number, height: number) {
  const weight = new Float32Array(mask.length);
  const active = new Uint8Array(mask.length);
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    const w = level.depth ? Math.min(1, Math.max(0, (depth[p]! - level.depth[0]) / (level.depth[1] - level.depth[0]))) : 1;
    if (w > 0) {
      weight[p] = w;
      active[p] = 1;
    }
  }
  // Every read region starts on the level's grid and on the U-Net's 4x4 grid of it, so
  // neighbouring tiles average the same blocks and see the same space-to-depth phase.
  return { level, weight, crops: holeTiles(width, height, active, TILE, MARGIN * level.factor, 4 * level.factor) };
}

/**
 * Refines the holes of `filled` (a complete first fill; outside the mask, the input) in place:
 * a round per sigma of each level, each denoising every tile of the previous round's estimate
 * and adding the change, weighted by depth and clamped to [0,1], to the holes.
 */
export async function refineHoles(
  filled: Raster,
  mask: Uint8Array,
  denoise: CropDenoiser,
  opts: JobContext & { levels?: readonly RefineLevel[] } = {},
): Promise<void> {
  const { width, height, channels: ch } = filled;
  if (mask.length !== width * height) throw new MendError('usage', 'The mask must be the size of the image');
  const depth = holeDepth(mask, width, height);
  const plans = (opts.levels ?? REFINE_LEVELS).map((l) => planLevel(l, mask, depth, width, height));
  // Progress in pixels the network sees, so the cheap coarse rounds take their share of the bar,
  // plus what a call costs whatever its size (about 4 ms here, some 4096 pixels' worth).
  const cost = (c: Crop, f: number): number => Math.ceil((c.x1 - c.x0) / f) * Math.ceil((c.y1 - c.y0) / f) + CALL_PIXELS;
  const total = plans.reduce((n, p) => n + p.crops.reduce((m, c) => m + cost(c, p.level.factor), 0) * p.level.sigmas.length, 0);
  let done = 0;
  let round = 0;
  for (const { level, weight, crops } of plans) {
    for (const sigma of level.sigmas) {
      const turn = round++ % 8;
      // Every tile reads the previous round whole: the new hole values wait here until the round ends.
      const next = crops.map((c) => new Float32Array(c.holes.length * ch));
      for (const [t, c] of crops.entries()) {
        throwIfCancelled(opts.signal);
        const crop = cutCrop(filled, c);
        const small = boxDown(crop, level.factor);
        const out = await runTurned(small, turn, (r) => denoise(r, sigma));
        const change = new Float32Array(small.data.length);
        for (let i = 0; i < change.length; i++) change[i] = out.data[i]! - small.data[i]!;
        const up = { ...crop, data: new Float32Array(crop.data.length) };
        addBilinearUp(up, { ...small, data: change }, level.factor);
        const values = next[t]!;
        for (let j = 0; j < c.holes.length; j++) {
          const p = c.holes[j]!;
          const q = indexInCrop(c, p, width);
          for (let k = 0; k < ch; k++) values[j * ch + k] = Math.min(1, Math.max(0, filled.data[p * ch + k]! + weight[p]! * up.data[q * ch + k]!));
        }
        const detail = `denoiser rounds: sigma ${sigma}${level.factor > 1 ? ` at 1/${level.factor} scale` : ''}`;
        done += cost(c, level.factor);
        opts.onEvent?.({ type: 'progress', stage: 'refine', done, total, detail });
      }
      for (const [t, c] of crops.entries()) {
        const values = next[t]!;
        for (let j = 0; j < c.holes.length; j++) for (let k = 0; k < ch; k++) filled.data[c.holes[j]! * ch + k] = values[j * ch + k]!;
      }
    }
  }
}
