// The photographer's settings on the raw route (issue 24): Amount (or a sigma) replaces the level
// read from the file, Detail gives back brightness texture as on an sRGB photo, and a clean raw
// file skips the network. On DNGs Mend writes itself, through the real grey model.
import { describe, expect, it } from 'vitest';
import type { Raster } from '../../../src-main/core/image/raster.js';
import { toOpponent } from '../../../src-main/core/infer/luma-chroma.js';
import { naturalImage } from '../../../src-main/core/lab/scenes.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import { resolveModel } from '../../../src-main/core/models/registry.js';
import { renderSrgb } from '../../../src-main/core/raw/colour.js';
import { readDng, writeCfaDng } from '../../../src-main/core/raw/dng.js';
import { cameraRgb, denoiseMosaic } from '../../../src-main/core/raw/raw-denoise.js';
import { denoiseRaw, rawNoise } from '../../../src-main/core/raw/raw-file.js';
import { unprocess } from '../../../src-main/core/raw/unprocess.js';
import { sigmaForAmount } from '../../../src-main/shared/amount.js';
import type { JobEvent } from '../../../src-main/shared/jobs.js';

const W = 160, H = 128;
const clean = naturalImage(W, H, 3, 5);
const noisyRaw = readDng(writeCfaDng(unprocess(clean, { noise: { a: 0.006, b: 6e-5 }, rng: new Rng(3) }).dng));
const render = (camera: Float32Array): Raster => ({ width: W, height: H, channels: 3, data: renderSrgb(camera, noisyRaw.meta.asShotNeutral, noisyRaw.meta.colorMatrix1!) });

/** Mean squared 4-neighbour Laplacian of a plane: its fine (high-frequency) energy. */
function fineEnergy(p: Float32Array): number {
  let s = 0;
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const i = y * W + x;
      const l = 4 * p[i]! - p[i - 1]! - p[i + 1]! - p[i - W]! - p[i + W]!;
      s += l * l;
    }
  }
  return s / ((W - 2) * (H - 2));
}

const luma = (camera: Float32Array): Float32Array => toOpponent(render(camera)).y;

describe('raw route settings', () => {
  it('a manual Amount replaces the level read from the file: higher removes more noise, the chroma filter follows', async () => {
    const model = await resolveModel(undefined, 'denoise', 1);
    const auto = await denoiseRaw(noisyRaw, model);
    expect(auto.estimated).toBe(true);
    expect(auto.sigma).toBeGreaterThan(8); // ISO-6400-like noise: about 9.6
    const low = await denoiseRaw(noisyRaw, model, { amount: 20 });
    const high = await denoiseRaw(noisyRaw, model, { amount: 70 });
    expect(low).toMatchObject({ estimated: false, sigma: sigmaForAmount(20) });
    expect(high.sigma).toBeCloseTo(sigmaForAmount(70), 6);
    // Residual fine structure of the rendered luminance against the clean picture's.
    const cleanFine = fineEnergy(toOpponent(clean).y);
    const noisyFine = fineEnergy(luma(cameraRgb(noisyRaw.data, noisyRaw)));
    const [lowFine, autoFine, highFine] = [low, auto, high].map((r) => fineEnergy(luma(r.camera)));
    console.log(`fine energy: clean ${cleanFine.toExponential(3)}, noisy ${noisyFine.toExponential(3)}, Amount 20 ${lowFine!.toExponential(3)}, auto ${autoFine!.toExponential(3)}, Amount 70 ${highFine!.toExponential(3)}`);
    expect(lowFine!).toBeGreaterThan(1.5 * autoFine!);
    expect(autoFine!).toBeGreaterThan(1.2 * highFine!);
    // The chroma filter's level is tied to the network's, set by hand or not.
    const byHand = await denoiseMosaic(noisyRaw, rawNoise(noisyRaw).noise, model, { sigma: 20 });
    expect(byHand).toMatchObject({ sigma: 20, chromaSigma: 40 });
  });

  it('Detail 100 gives back 60% of the rendered luminance the denoiser removed, and no colour', async () => {
    const model = await resolveModel(undefined, 'denoise', 1);
    const d0 = await denoiseRaw(noisyRaw, model);
    const d100 = await denoiseRaw(noisyRaw, model, { detail: 100 });
    expect(d100.sigma).toBe(d0.sigma);
    const yNoisy = luma(cameraRgb(noisyRaw.data, noisyRaw));
    const o0 = toOpponent(render(d0.camera)), o100 = toOpponent(render(d100.camera));
    expect(fineEnergy(o100.y)).toBeGreaterThan(1.5 * fineEnergy(o0.y));
    // Given back: 0.6 of (noisy - denoised) in luminance, fitted over the picture.
    let num = 0, den = 0, chroma = 0;
    for (let i = 0; i < yNoisy.length; i++) {
      const removed = yNoisy[i]! - o0.y[i]!;
      num += removed * (o100.y[i]! - o0.y[i]!);
      den += removed * removed;
      chroma = Math.max(chroma, Math.abs(o100.u[i]! - o0.u[i]!), Math.abs(o100.v[i]! - o0.v[i]!));
    }
    expect(num / den).toBeGreaterThan(0.55);
    expect(num / den).toBeLessThan(0.62);
    expect(chroma).toBeLessThan(0.01); // clipping at black and white aside, colour stays as denoised
    await expect(denoiseRaw(noisyRaw, model, { detail: 101 })).rejects.toThrow(/--detail must be between 0 and 100/);
    await expect(denoiseRaw(noisyRaw, model, { amount: -1 })).rejects.toThrow(/--amount must be between 0 and 100/);
  });

  it('a clean raw file (and Amount 0) skips the network and gives the demosaiced original back', async () => {
    const model = await resolveModel(undefined, 'denoise', 1);
    const cleanRaw = readDng(writeCfaDng(unprocess(clean, { noise: { a: 0, b: 0 }, rng: new Rng(3) }).dng));
    const events: JobEvent[] = [];
    const res = await denoiseRaw(cleanRaw, model, { detail: 50, onEvent: (e) => events.push(e) });
    expect(res.sigma).toBeLessThan(0.1);
    expect(res.camera).toEqual(cameraRgb(cleanRaw.data, cleanRaw));
    expect(events.filter((e) => e.type === 'progress')).toEqual([]); // the network reports tiles; none ran
    const zero = await denoiseRaw(noisyRaw, model, { amount: 0, onEvent: (e) => events.push(e) });
    expect(zero.camera).toEqual(cameraRgb(noisyRaw.data, noisyRaw));
    expect(events).toEqual([]);
    // The same file with noise runs the network, which reports its progress.
    await denoiseRaw(noisyRaw, model, { amount: 30, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'progress').length).toBeGreaterThan(0);
  });
});
