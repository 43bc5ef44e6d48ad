// `--sigma auto` reads the noise level from 8x8 patches of the image (noise-estimate.ts);
// an image with too few of them (1x1, a 3-pixel-wide strip) has no estimate. Without this check
// the denoiser got NaN and said "--sigma must be between 0 and 255, got NaN" without naming the
// file. With a given sigma such images denoise fine.
import { MendError } from '../../shared/errors.js';
import { estimateNoiseSigma } from './noise-estimate.js';
import type { Raster } from '../image/raster.js';

/** Below this size on either side the estimate is tried here first (cheap: the image is small). */
const SMALL_SIDE = 64;

/** Throws MendError 'unsupported' naming `name` when the noise level of `raster` cannot be estimated. */
export function checkAutoSigma(name: string, raster: Raster): void {
  if (Math.min(raster.width, raster.height) >= SMALL_SIDE) return;
  if (Number.isFinite(estimateNoiseSigma(raster))) return;
  throw new MendError(
    'unsupported',
    `${name} is ${raster.width}x${raster.height} pixels, too small to estimate its noise level (that needs a few hundred 8x8 patches); give the level with --sigma N`,
  );
}
