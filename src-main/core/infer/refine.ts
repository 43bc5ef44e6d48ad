/**
 * The last step of inpainting: a denoiser as the image prior (plug-and-play, as in DPIR, Zhang et
 * al. 2021). Each round denoises the current estimate at a falling noise level and keeps the
 * result in the holes only, the known pixels staying the input's; what a denoiser changes in a
 * smooth fill is what does not look like a photograph, so edges and texture continue across the
 * hole. Only tiles that hold hole pixels are denoised, each with a margin of context, so a few
 * strokes on a large photo cost a few tiles per round.
 */
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { throwIfCancelled } from '../jobs/cancel.js';
import type { Raster } from '../image/raster.js';

/**
 * Noise levels of the rounds (0-255 scale). Chosen on 8 colour training images with the
 * product's scratch and dust masks (makeDamageMask): 20 down to 2 in 10 rounds gained 0.58 and
 * 0.32 dB in the holes there, 40 down to 2 in 14 rounds 0.64 and 0.21.
 */
export const REFINE_SIGMAS: readonly number[] = [20, 15, 12, 10, 8, 6, 5, 4, 3, 2];
/** Core side of the tiles that are denoised, and the context read around each. */
const TILE = 256;
const MARGIN = 40;

export type CropDenoiser = (crop: Raster, sigma: number) => Promise<Raster>;

interface Crop {
  /** Read region. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Hole pixels of the core, as indices into the image. */
  holes: Uint32Array;
}

/** The tiles that hold hole pixels, each with its read region (core plus margin, clipped). */
export function holeTiles(width: number, height: number, mask: Uint8Array, tile = TILE, margin = MARGIN): Crop[] {
  const crops: Crop[] = [];
  for (let ty = 0; ty < height; ty += tile) {
    for (let tx = 0; tx < width; tx += tile) {
      const holes: number[] = [];
      for (let y = ty; y < Math.min(height, ty + tile); y++) {
        for (let x = tx; x < Math.min(width, tx + tile); x++) if (mask[y * width + x]) holes.push(y * width + x);
      }
      if (holes.length === 0) continue;
      crops.push({
        x0: Math.max(0, tx - margin), y0: Math.max(0, ty - margin),
        x1: Math.min(width, tx + tile + margin), y1: Math.min(height, ty + tile + margin),
        holes: Uint32Array.from(holes),
      });
    }
  }
  return crops;
}

function cut(r: Raster, c: Crop): Raster {
  const w = c.x1 - c.x0;
  const h = c.y1 - c.y0;
  const ch = r.channels;
  const data = new Float32Array(w * h * ch);
  for (let y = 0; y < h; y++) data.set(r.data.subarray(((c.y0 + y) * r.width + c.x0) * ch, ((c.y0 + y) * r.width + c.x1) * ch), y * w * ch);
  return { width: w, height: h, channels: ch, data };
}

/**
 * Refines the holes of `filled` (a complete first fill; outside the mask, the input) in place:
 * a round per sigma, each denoising every hole tile of the previous round's estimate and
 * keeping the result, clamped to [0,1], in the holes.
 */
export async function refineHoles(
  filled: Raster,
  mask: Uint8Array,
  denoise: CropDenoiser,
  opts: JobContext & { sigmas?: readonly number[] } = {},
): Promise<void> {
  if (mask.length !== filled.width * filled.height) throw new MendError('usage', 'The mask must be the size of the image');
  const sigmas = opts.sigmas ?? REFINE_SIGMAS;
  const crops = holeTiles(filled.width, filled.height, mask);
  const ch = filled.channels;
  const total = sigmas.length * crops.length;
  let done = 0;
  for (const sigma of sigmas) {
    const next = new Float32Array(filled.data);
    for (const c of crops) {
      throwIfCancelled(opts.signal);
      const out = await denoise(cut(filled, c), sigma);
      const w = c.x1 - c.x0;
      for (const p of c.holes) {
        const q = (Math.floor(p / filled.width) - c.y0) * w + (p % filled.width) - c.x0;
        for (let k = 0; k < ch; k++) next[p * ch + k] = Math.min(1, Math.max(0, out.data[q * ch + k]!));
      }
      opts.onEvent?.({ type: 'progress', stage: 'refine', done: ++done, total, detail: `sigma ${sigma}` });
    }
    filled.data.set(next);
  }
}
