/**
 * Colour denoising with a grayscale denoiser, as CBM3D extends BM3D (Dabov et al. 2007): the
 * image goes to an opponent colour space, the luminance plane (most of the detail, and the least
 * noise) goes through the network, and each chroma plane is guided-filtered by the denoised
 * luminance, so colour edges follow the luminance edges and flat colour loses its noise. Where
 * two colours of equal brightness meet, the luminance has no edge to follow; the filter then
 * gives back the part of the chroma its noise does not explain (GuidedFilterOptions
 * noiseVariances), so such boundaries do not bleed.
 *
 * On McMaster this beats every colour network shipped so far by more than 1 dB at about the cost
 * of one network pass (README, "Shipped models").
 *
 * The opponent planes use orthogonal rows (1,1,1), (1,0,-1), (1,-2,1), so white noise of std s
 * on each RGB value stays white and independent in each plane, with std s/sqrt(3), s/sqrt(2)
 * and s*sqrt(6)/4 for the scalings below.
 */
import { type Raster } from '../image/raster.js';
import { addBilinearUp, boxDown } from '../math/resample.js';
import { throwIfCancelled } from '../jobs/cancel.js';
import { type GuidedFilterOptions, guidedFilter } from './guided-filter.js';

/** Noise std of the luminance plane Y = (R+G+B)/3 per unit of RGB noise std. */
export const LUMA_NOISE_SCALE = 1 / Math.sqrt(3);
/** The same for the chroma planes (R-B)/2 and (R-2G+B)/4. */
export const CHROMA_NOISE_SCALES = [1 / Math.SQRT2, Math.sqrt(6) / 4];

export interface OpponentPlanes {
  /** (R+G+B)/3 */
  y: Float32Array;
  /** (R-B)/2 */
  u: Float32Array;
  /** (R-2G+B)/4 */
  v: Float32Array;
}

export function toOpponent(r: Raster): OpponentPlanes {
  if (r.channels !== 3) throw new Error('toOpponent: needs an RGB raster');
  const n = r.width * r.height;
  const y = new Float32Array(n);
  const u = new Float32Array(n);
  const v = new Float32Array(n);
  const d = r.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const R = d[j]!;
    const G = d[j + 1]!;
    const B = d[j + 2]!;
    y[i] = (R + G + B) / 3;
    u[i] = (R - B) / 2;
    v[i] = (R - 2 * G + B) / 4;
  }
  return { y, u, v };
}

export function fromOpponent(p: OpponentPlanes, width: number, height: number): Raster {
  const n = width * height;
  const data = new Float32Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const y = p.y[i]!;
    const u = p.u[i]!;
    const v = p.v[i]!;
    data[j] = y + u + (2 * v) / 3;
    data[j + 1] = y - (4 * v) / 3;
    data[j + 2] = y - u + (2 * v) / 3;
  }
  return { width, height, channels: 3, data };
}

/**
 * Guided-filter settings for RGB noise sigma (0-255 scale). Fitted on 24 images of the colour
 * training set (not on a benchmark): the best radius grows with the noise, about sigma/10 + 0.8;
 * the ridge mattered little between 3e-4 and 3e-3. From radius 2 on, the statistics are taken
 * on a grid twice as coarse (a quarter of the work) for at most 0.03 dB there; at radius 1
 * (sigma under 7) that would cost 0.8 dB, so the filter is exact.
 */
export function chromaFilterParams(sigma: number): GuidedFilterOptions {
  const radius = Math.max(1, Math.round(0.8 + sigma / 10));
  return { radius, eps: 1e-3, subsample: radius >= 2 ? 2 : 1 };
}

/**
 * With a network pass on each chroma plane too, the share of the network's chroma in the result
 * (the rest from the guided filter; their errors differ, so the blend beats both). Fitted on 16
 * images of the colour training set: 0.7 was best or within 0.01 dB of it at sigma 15, 25 and
 * 50 (0.5: 0.03-0.07 dB less; the network alone: 0.02-0.05 less).
 */
export const CHROMA_NETWORK_WEIGHT = 0.7;

/** A network pass on one plane: the plane, its noise std (0-255 scale), its index among the chroma planes. */
export type PlaneDenoiser = (plane: Raster, planeSigma: number, index: number) => Promise<Raster>;

/**
 * Denoises an RGB raster with noise std `sigma` (0-255 scale): `denoiseLuma` gets the
 * luminance plane and its noise std (0-255 scale) and returns it denoised; the chroma planes are
 * guided-filtered by that result. With `denoiseChroma`, each chroma plane (offset by 0.5 into the
 * network's range) also goes through the network, blended with the filter's result. With
 * `chromaScale` 2 the network sees the chroma planes at half resolution and only its correction
 * at that scale is blended in (the filter keeps the colour edges finer than that).
 */
export async function denoiseLumaChroma(
  raster: Raster,
  sigma: number,
  denoiseLuma: (luma: Raster, lumaSigma: number) => Promise<Raster>,
  signal?: AbortSignal,
  denoiseChroma?: PlaneDenoiser,
  chromaScale: 1 | 2 = 1,
): Promise<Raster> {
  const { width, height } = raster;
  const planes = toOpponent(raster);
  const y = (await denoiseLuma({ width, height, channels: 1, data: planes.y }, sigma * LUMA_NOISE_SCALE)).data;
  throwIfCancelled(signal);
  // Without noise the chroma keeps every detail (the filter drops what luminance does not explain).
  if (!(sigma > 0)) return fromOpponent({ ...planes, y }, width, height);
  // Each chroma plane's noise variance: colour edges the luminance lacks are given back.
  const s = sigma / 255;
  const noiseVariances = CHROMA_NOISE_SCALES.map((k) => (s * k) ** 2);
  const filtered = guidedFilter(y, [planes.u, planes.v], width, height, { ...chromaFilterParams(sigma), noiseVariances });
  if (denoiseChroma) {
    for (const [k, plane] of [planes.u, planes.v].entries()) {
      throwIfCancelled(signal);
      const out = filtered[k]!;
      const w = CHROMA_NETWORK_WEIGHT;
      // At chromaScale 2: out += w * up(net(down(plane)) - down(out)), at coarse scales the same
      // blend as at full resolution. The level is not halved: camera noise is correlated over a
      // few pixels, so a 2x2 mean keeps most of it (0.5 of the level scored 0.04 dB less on real
      // photos than 1).
      const input = boxDown({ width, height, channels: 1, data: plane }, chromaScale);
      // A loop, not TypedArray.map: the callback costs half a second per plane on 24 megapixels.
      const shifted = new Float32Array(input.data.length);
      for (let i = 0; i < shifted.length; i++) shifted[i] = input.data[i]! + 0.5;
      const net = (await denoiseChroma({ ...input, data: shifted }, sigma * CHROMA_NOISE_SCALES[k]!, k)).data;
      if (chromaScale === 2) {
        const outCoarse = boxDown({ width, height, channels: 1, data: out }, 2).data;
        for (let i = 0; i < net.length; i++) net[i] = net[i]! - 0.5 - outCoarse[i]!;
        addBilinearUp({ width, height, channels: 1, data: out }, { ...input, data: net }, 2, w);
        continue;
      }
      for (let i = 0; i < out.length; i++) out[i] = w * (net[i]! - 0.5) + (1 - w) * out[i]!;
    }
  }
  return fromOpponent({ y, u: filtered[0]!, v: filtered[1]! }, width, height);
}
