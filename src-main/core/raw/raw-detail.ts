// Detail on the raw route: the sRGB route's giveBackDetail (core/infer/denoise.ts) done where the
// photographer sees it, in Mend's default rendering: a share of the brightness structure the
// denoiser removed (the rendered luminance of the noisy preview minus the denoised one) is added
// to the denoised rendering's three channels alike, so fine texture comes back with grain and no
// colour speckle. As for the chroma filter (rendered-chroma.ts), the change is carried back to
// camera RGB through the rendering's inverse: the linear DNG and the rendering shown stay one image.
import { DETAIL_FULL } from '../infer/denoise.js';
import type { Mat3 } from './colour.js';
import { fastRendering } from './fast-rendering.js';

/**
 * Gives back `detail` (0-1) times DETAIL_FULL of the rendered luminance `denoised` lost against
 * `noisy` (both interleaved camera RGB, black 0, white 1, not white-balanced), in place on
 * `denoised`; `neutral` and `colorMatrix` define the rendering as renderSrgb does.
 */
export function giveBackRawDetail(noisy: Float32Array, denoised: Float32Array, neutral: readonly number[], colorMatrix: Mat3 | undefined, detail: number): void {
  if (!(detail > 0)) return;
  const k = detail * DETAIL_FULL;
  const rendering = fastRendering(neutral, colorMatrix);
  const before = [0, 0, 0], after = [0, 0, 0], d = [0, 0, 0];
  const luma = (c: Float32Array, p: number, out: number[]): number => {
    rendering.render(c, p, out);
    return (out[0]! + out[1]! + out[2]!) / 3;
  };
  for (let p = 0; p < denoised.length; p += 3) {
    const add = k * (luma(noisy, p, before) - luma(denoised, p, after));
    for (let j = 0; j < 3; j++) d[j] = rendering.unrender(after[j]! + add) - rendering.unrender(after[j]!);
    rendering.addLinear(denoised, p, d);
  }
}
