// The blind noise level: white noise read from the pixels, camera (correlated) noise read from the
// network's response, clean pictures left alone; Amount and Detail.
import { beforeAll, describe, expect, it } from 'vitest';
import { addNoise } from '../../../src-main/core/corrupt/noise.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import { amountForSigma, denoiseRaster, giveBackDetail, sigmaForAmount } from '../../../src-main/core/infer/denoise.js';
import { estimateNoiseLevel, fitKnee, noiseMapFor } from '../../../src-main/core/infer/noise-level.js';
import type { Raster } from '../../../src-main/core/image/raster.js';
import { estimateNoiseSigma } from '../../../src-main/core/metrics/noise-estimate.js';
import { psnr, quantize8 } from '../../../src-main/core/metrics/psnr.js';
import { resolveModel } from '../../../src-main/core/models/registry.js';
import type { LoadedModel } from '../../../src-main/core/models/store.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { naturalImage } from '../../helpers/synthetic.js';

let model: LoadedModel;
let clean: Raster;
let camera: Raster;

beforeAll(async () => {
  await initBackend();
  model = await resolveModel(undefined, 'denoise', 3);
  clean = quantize8(naturalImage(256, 256, 3, 7));
  // Camera-like noise: spatially correlated (each value spread over its neighbours, as
  // demosaicing and in-camera noise reduction do), 8-bit.
  camera = quantize8(addNoise(clean, { kind: 'gaussian', sigma: 6 }, new Rng(4), { correlation: 1 }));
});

describe('fitKnee', () => {
  it('finds the level where removal stops growing, and the texture slope after it', () => {
    const levels = [0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10, 13, 17];
    const removed = levels.map((s) => Math.sqrt((0.6 * Math.min(s, 5)) ** 2 + (0.1 * s) ** 2));
    const fit = fitKnee(levels, removed);
    expect(fit.knee).toBeGreaterThan(4.6);
    expect(fit.knee).toBeLessThan(5.4);
    expect(fit.k).toBeCloseTo(0.6, 1);
    expect(fit.c).toBeCloseTo(0.1, 1);
  });
});

describe('estimateNoiseLevel', () => {
  it('reads white Gaussian noise as white, at its level', async () => {
    const noisy = addNoise(clean, { kind: 'gaussian', sigma: 20 }, new Rng(1));
    const level = await estimateNoiseLevel(noisy, model);
    expect(level.kind).toBe('white');
    expect(level.sigma).toBeGreaterThan(17);
    expect(level.sigma).toBeLessThan(23);
  });

  it('finds camera noise the white-noise estimate misses, and denoising with it gains over that estimate', async () => {
    const white = estimateNoiseSigma(camera);
    const level = await estimateNoiseLevel(camera, model);
    expect(level.kind).toBe('camera');
    expect(level.sigma).toBeGreaterThan(2 * white);
    const before = psnr(clean, camera);
    const blind = psnr(clean, quantize8((await denoiseRaster(camera, model)).output));
    const old = psnr(clean, quantize8((await denoiseRaster(camera, model, { sigma: white })).output));
    expect(blind).toBeGreaterThan(old + 2);
    expect(blind).toBeGreaterThan(before + 3);
  });

  it('leaves a clean picture (nearly) as it is', async () => {
    const res = await denoiseRaster(clean, model);
    expect(psnr(clean, quantize8(res.output))).toBeGreaterThan(45);
  });

  it('gives a noise map that follows the tones by the level function', () => {
    const plane = new Float32Array(64 * 64);
    for (let i = 0; i < plane.length; i++) plane[i] = (i % 64) / 63; // dark left, bright right
    const shape = [2, 1.8, 1.6, 1.4, 1.2, 1, 0.8, 0.6];
    const map = noiseMapFor(plane, 64, 64, 0.04, shape);
    expect(map[32 * 64 + 4]!).toBeGreaterThan(map[32 * 64 + 60]! * 2);
    expect(map[32 * 64 + 4]!).toBeLessThanOrEqual(0.04 * 2 + 1e-6);
  });
});

describe('Amount and Detail', () => {
  it('Amount maps to sigma and back', () => {
    expect(sigmaForAmount(0)).toBe(0);
    expect(sigmaForAmount(100)).toBe(55);
    for (const a of [10, 33, 50, 77]) expect(amountForSigma(sigmaForAmount(a))).toBe(a);
  });

  it('Amount 0 returns the input; more Amount removes more', async () => {
    const noisy = addNoise(clean, { kind: 'gaussian', sigma: 15 }, new Rng(2));
    const none = await denoiseRaster(noisy, model, { amount: 0 });
    expect(Array.from(none.output.data)).toEqual(Array.from(noisy.data));
    const low = await denoiseRaster(noisy, model, { amount: 25 });
    const right = await denoiseRaster(noisy, model, { amount: amountForSigma(15) });
    expect(psnr(clean, right.output)).toBeGreaterThan(psnr(clean, low.output) + 1);
  });

  it('Detail gives back brightness only, never colour', () => {
    const input: Raster = { width: 1, height: 1, channels: 3, data: new Float32Array([0.7, 0.4, 0.4]) };
    const den: Raster = { width: 1, height: 1, channels: 3, data: new Float32Array([0.4, 0.4, 0.4]) };
    const out = giveBackDetail(input, den, 1).data;
    // The brightness difference (0.5 - 0.4) times 0.6 on every channel: the input's red cast stays out.
    for (const v of out) expect(v).toBeCloseTo(0.46, 6);
  });
});
