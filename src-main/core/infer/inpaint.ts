/**
 * Inpainting: a classical prefill of the holes (inpaintPrefill, infer/prefill.ts), refined by the inpainting
 * model (trained on the same prefill with random masks; run on crops around the holes), blended
 * with a non-local estimate near the holes' edges (nonLocalBlend, infer/nonlocal-blend.ts), composited so
 * every pixel outside the mask is the input, then refined in rounds with the default denoiser as
 * the image prior (infer/refine.ts). Wide holes (infer/wide-holes.ts) are first synthesized from
 * patches of the photo (infer/patch-synthesis.ts): there the network and the rounds start from the
 * synthesis instead of the smooth fill, and the synthesis' fine detail replaces theirs.
 */
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { Rng } from '../math/rng.js';
import { type Raster } from '../image/raster.js';
import { runStepsAsync } from '../jobs/steps.js';
import { estimateFlatNoiseSigma } from '../metrics/noise-estimate.js';
import { resolveModel } from '../models/registry.js';
import type { LoadedModel } from '../models/store.js';
import { denoiseRaster } from './denoise.js';
import { shareProgress } from './ensemble.js';
import { cutCrop, cutMask, holeTiles, indexInCrop } from './hole-tiles.js';
import { nonLocalBlendSteps } from './nonlocal-blend.js';
import { inpaintPrefillSteps } from './prefill.js';
import { toOpponent } from './luma-chroma.js';
import { refineHoles } from './refine.js';
import { runModel } from './run-model.js';
import { synthesizeWideHolesSteps, transferDetail, type WideHoles } from './wide-holes.js';

export interface InpaintOptions extends JobContext {
  tileSize?: number;
  /**
   * Add grain matching the photo's noise to the filled pixels where the photo around them is
   * visibly noisy (addGrain): the fill is clean, and in a noisy photo a clean patch shows as a
   * smear. Off unless asked for here; the app and `mend inpaint` ask for it by default.
   */
  grain?: boolean;
  /** The denoiser of the last step; default: the registry's default for the image's kind. */
  denoiser?: LoadedModel;
  /** Synthesize wide holes from patches of the photo (default true); false: the smooth pipeline for every hole. */
  synthesis?: boolean;
  /** 1 = pixel that synthesis must not copy from (the user's "don't copy from here" brush). */
  exclude?: Uint8Array;
  /** Seed of the synthesis' random search: another seed gives another fill (re-roll). */
  seed?: number;
}

/** The default denoiser for the refinement, or undefined where none is installed (the step is skipped). */
async function defaultDenoiser(channels: number): Promise<LoadedModel | undefined> {
  try {
    return await resolveModel(undefined, 'denoise', channels);
  } catch (e) {
    if (e instanceof MendError && e.code === 'model') return undefined;
    throw e;
  }
}

/**
 * Tiles and context of the network pass: its output is used in the holes only, so it runs on
 * crops around them. 64 pixels of context are well past what the shipped inpainter sees (a
 * residual network of 10 convolutions sees 10), so the result is the whole-image pass's.
 */
const NET_TILE = 512;
const NET_MARGIN = 64;

/** The inpainting network's output in the holes of `prefilled` (elsewhere, `prefilled` itself). */
export async function predictHoles(loaded: LoadedModel, prefilled: Raster, mask: Uint8Array, opts: InpaintOptions): Promise<Raster> {
  const { width, height, channels: c } = prefilled;
  const out = { ...prefilled, data: new Float32Array(prefilled.data) };
  const crops = holeTiles(width, height, mask, NET_TILE, NET_MARGIN);
  for (const [i, crop] of crops.entries()) {
    const onEvent = shareProgress(opts.onEvent, i, 1, crops.length);
    const res = await runModel(loaded, cutCrop(prefilled, crop), { ...opts, onEvent, mask: cutMask(mask, width, crop), stage: 'inpaint' });
    for (const p of crop.holes) {
      const q = indexInCrop(crop, p, width);
      for (let k = 0; k < c; k++) out.data[p * c + k] = res.data[q * c + k]!;
    }
  }
  return out;
}

export async function inpaintRaster(raster: Raster, mask: Uint8Array, loaded: LoadedModel, opts: InpaintOptions = {}): Promise<Raster> {
  let any = false;
  for (let i = 0; i < mask.length && !any; i++) any = mask[i] !== 0;
  if (!any) return { ...raster, data: new Float32Array(raster.data) };
  const prefilled = await runStepsAsync(inpaintPrefillSteps(raster, mask), 'prefill', { ...opts, detail: 'smooth first fill' });
  // Wide holes are synthesized (their onion peel is guided a little by the smooth fill).
  let synthesized: { raster: Raster; wide: Uint8Array; holes: WideHoles['holes'] } | undefined;
  if (opts.synthesis !== false) {
    const raster = { ...prefilled, data: new Float32Array(prefilled.data) };
    const { wide, count, holes } = await runStepsAsync(synthesizeWideHolesSteps(raster, mask, { exclude: opts.exclude, seed: opts.seed }),
      'synthesis', { ...opts, detail: 'texture from the photo' });
    if (count > 0) synthesized = { raster, wide, holes };
  }
  // In wide holes the network and the rounds refine the synthesis, not the smooth fill: started
  // from the smooth fill they give a rail crossing a removed person's legs as a pink smudge, and
  // the copies' detail cannot bring it back (docs/inpainting.md).
  const predicted = await predictHoles(loaded, synthesized?.raster ?? prefilled, mask, opts);
  await runStepsAsync(nonLocalBlendSteps(raster, mask, predicted), 'texture', { ...opts, detail: 'texture from nearby' });
  const c = raster.channels;
  const out = new Float32Array(raster.data);
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    for (let k = 0; k < c; k++) out[p * c + k] = Math.min(1, Math.max(0, predicted.data[p * c + k]));
  }
  const filled = { width: raster.width, height: raster.height, channels: c, data: out };
  const denoiser = opts.denoiser ?? (await defaultDenoiser(c));
  if (denoiser) {
    const denoise = async (crop: Raster, sigma: number): Promise<Raster> =>
      (await denoiseRaster(crop, denoiser, { sigma, signal: opts.signal, tileSize: opts.tileSize })).output;
    await refineHoles(filled, mask, denoise, opts);
  }
  if (!synthesized) {
    if (opts.grain) addGrain(filled, mask, raster);
    return filled;
  }
  transferDetail(filled, synthesized.raster, synthesized.holes);
  // Copied patches carry the photo's own grain: only the other holes get grain added.
  if (opts.grain) {
    const smooth = new Uint8Array(mask);
    for (let p = 0; p < mask.length; p++) if (synthesized.wide[p]) smooth[p] = 0;
    addGrain(filled, smooth, raster, mask);
  }
  return filled;
}

/**
 * The noise (sigma, 0-255 scale) from which a fill gets grain, measured in the flattest known
 * pixels around its holes (estimateFlatNoiseSigma: texture does not count). Under it a clean
 * fill does not show. Hole tiles of clean photos read under 4.3 there in 95 cases of 100 (36
 * training photos, 420 tiles; the highest, 8.1, a tile of nothing but grass).
 */
export const MIN_GRAIN_SIGMA = 6;

/** Holes get their grain from the known pixels within this many px of them, per GRAIN_TILE tile. */
const GRAIN_CONTEXT = 48;
const GRAIN_TILE = 256;
// Patches per estimate (a tile and its context hold up to about 120k): the green channel's
// decides whether there is grain, from 2000; the channel mean's only splits it, from 1000. An
// estimate costs about 0.1 s at 3000 patches, and a dust spot is a tile of its own.
const GRAIN_PATCHES = 2000;
const SPLIT_PATCHES = 1000;

/** Channel `k` of a raster, as a one-channel raster. */
function channelOf(r: Raster, k: number): Raster {
  const c = r.channels;
  const data = new Float32Array(r.width * r.height);
  for (let p = 0; p < data.length; p++) data[p] = r.data[p * c + k]!;
  return { width: r.width, height: r.height, channels: 1, data };
}

/**
 * The grain around a group of holes, as the std (0-255 scale) of a part shared by all channels
 * and of a part drawn for each channel. Colour noise is modelled as both: in a photo whose noise
 * is all brightness (a grey scan saved as RGB, a camera JPEG with its colour noise smoothed)
 * the channels move together, and independent grain would add colour speckle it does not have.
 * With the green channel's variance g2 = shared2 + own2 and the channel mean's m2 = shared2 +
 * own2 / c, the two flat-area estimates give both parts.
 */
function grainAround(source: Raster, exclude: Uint8Array): { shared: number; own: number } {
  const opts = { exclude, maxPatches: GRAIN_PATCHES };
  if (source.channels === 1) return { shared: 0, own: estimateFlatNoiseSigma(source, opts) };
  const c = source.channels;
  const g2 = estimateFlatNoiseSigma(channelOf(source, 1), opts) ** 2;
  // Too little noise for grain (addGrain's test is on g2): skip the second estimate.
  if (!(g2 >= MIN_GRAIN_SIGMA ** 2)) return { shared: 0, own: Math.sqrt(g2) };
  // The channel mean is the opponent luminance (R + G + B) / 3 (infer/luma-chroma.ts).
  const mean = { width: source.width, height: source.height, channels: 1, data: toOpponent(source).y };
  const m2 = Math.min(g2, estimateFlatNoiseSigma(mean, { exclude, maxPatches: SPLIT_PATCHES }) ** 2);
  const own2 = Math.max(0, ((g2 - m2) * c) / (c - 1));
  return { shared: Math.sqrt(Math.max(0, g2 - own2)), own: Math.sqrt(own2) };
}

/**
 * Adds Gaussian grain to the hole pixels of `filled` (`mask`; `unknown`, default the same, marks the
 * pixels of `source` not to read), clamped to [0,1], from a fixed seed so a
 * run can be repeated. Each tile's holes get the grain that `source`'s known pixels around them
 * hold (grainAround), so it follows the photo where noise differs across it (a clean sky, a
 * grainy shadow), and none is added where its per-channel std is under MIN_GRAIN_SIGMA.
 */
export function addGrain(filled: Raster, mask: Uint8Array, source: Raster, unknown: Uint8Array = mask): void {
  const rng = new Rng(GRAIN_SEED);
  const c = filled.channels;
  for (const crop of holeTiles(filled.width, filled.height, mask, GRAIN_TILE, GRAIN_CONTEXT)) {
    const { shared, own } = grainAround(cutCrop(source, crop), cutMask(unknown, filled.width, crop));
    if (!(Math.hypot(shared, own) >= MIN_GRAIN_SIGMA)) continue;
    for (const p of crop.holes) {
      const common = (shared / 255) * rng.normal();
      for (let k = 0; k < c; k++) {
        const v = filled.data[p * c + k]! + common + (own / 255) * rng.normal();
        filled.data[p * c + k] = Math.min(1, Math.max(0, v));
      }
    }
  }
}
const GRAIN_SEED = 20261128;
