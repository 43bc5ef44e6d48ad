// The raw route's finish, done where its errors show: in Mend's default rendering. What the raw-
// domain denoiser leaves is mostly colour: residual noise of the four planes, denoised one by one,
// and demosaicing's colour fringes, both amplified by the colour matrix (its cross terms are
// negative). On the unit test picture at ISO-1600-like noise, giving the result the clean
// picture's chroma would raise it from 34.0 to 39.0 dB, its luminance only to 35.6. So, as the
// sRGB route does after its network (luma-chroma.ts), each chroma plane is guided-filtered by the
// luminance; the luminance loses the Bayer-period pattern the planes' residuals make
// (mosaic-pattern.ts). The change is carried back to camera RGB through the rendering's inverse,
// so the linear DNG keeps white balance and exposure adjustable.
import { chromaFilterParams, CHROMA_NOISE_SCALES } from '../infer/luma-chroma.js';
import { guidedFilter } from '../infer/guided-filter.js';
import type { Mat3 } from './colour.js';
import { fastRendering } from './fast-rendering.js';
import { suppressMosaicPattern } from './mosaic-pattern.js';

/**
 * The chroma filter's noise level (0-255 scale, as for an sRGB picture) per unit of the raw
 * denoiser's level (raw-denoise.ts: transform units scaled so black..white spans the network's
 * [0,1]); both are levels of noise in square-root-like tones, so the one follows from the other
 * and from the noise model, not from the picture. Of about 1, 2 and 3 times, 2 was best on the
 * test picture at both noise levels (ISO-1600-like 34.41 / 34.77 / 34.68 dB, ISO-6400-like
 * 31.45 / 31.59 / 31.52, before MIN_RADIUS and the pattern step) and on McMaster.
 */
export const CHROMA_SIGMA_PER_RAW_SIGMA = 2;

/**
 * At least radius 3 (on the grid twice as coarse): demosaicing's fringes are wider than the noise
 * alone asks for (radius 2 -> 3: test picture 34.77 -> 34.92 dB, McMaster 31.24 -> 31.32 at
 * ISO-1600-like noise; the same at ISO-6400-like, where the level already gives 3).
 */
const MIN_RADIUS = 3;

/**
 * Guided-filters the chroma of `camera` (interleaved camera RGB, black 0, white 1, not white-
 * balanced; changed in place) by its luminance, in the default rendering by `neutral` and
 * `colorMatrix` (none: camera RGB taken as sRGB), at noise level `sigma` (0-255 scale) as
 * denoiseLumaChroma does: radius from the level, and colour edges the luminance lacks given back.
 * The luminance loses the Bayer-period pattern (suppressMosaicPattern).
 */
export function filterRenderedChroma(camera: Float32Array, width: number, height: number, neutral: readonly number[], colorMatrix: Mat3 | undefined, sigma: number): void {
  if (!(sigma > 0)) return;
  const rendering = fastRendering(neutral, colorMatrix);
  // The rendering's opponent planes (luma-chroma.ts), written directly: no interleaved copy of 24 MP.
  const n = width * height;
  const y = new Float32Array(n), u = new Float32Array(n), v = new Float32Array(n);
  const rgb = [0, 0, 0];
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    rendering.render(camera, p, rgb);
    y[i] = (rgb[0]! + rgb[1]! + rgb[2]!) / 3;
    u[i] = (rgb[0]! - rgb[2]!) / 2;
    v[i] = (rgb[0]! - 2 * rgb[1]! + rgb[2]!) / 4;
  }
  const s = sigma / 255;
  const noiseVariances = CHROMA_NOISE_SCALES.map((k) => (s * k) ** 2);
  const params = chromaFilterParams(sigma);
  const [fu, fv] = guidedFilter(y, [u, v], width, height, { ...params, radius: Math.max(MIN_RADIUS, params.radius), subsample: 2, noiseVariances });
  const fy = suppressMosaicPattern(y, width, height);
  // The change in linear sRGB, through the inverse curve, into camera RGB: pixels the rendering
  // clipped keep what it clipped away. (Opponent back to RGB as fromOpponent does.)
  const d = [0, 0, 0];
  const back = rendering.unrender;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const Y0 = y[i]!, U0 = u[i]!, V0 = v[i]!, Y1 = fy[i]!, U1 = fu![i]!, V1 = fv![i]!;
    d[0] = back(Y1 + U1 + (2 * V1) / 3) - back(Y0 + U0 + (2 * V0) / 3);
    d[1] = back(Y1 - (4 * V1) / 3) - back(Y0 - (4 * V0) / 3);
    d[2] = back(Y1 - U1 + (2 * V1) / 3) - back(Y0 - U0 + (2 * V0) / 3);
    rendering.addLinear(camera, p, d);
  }
}
