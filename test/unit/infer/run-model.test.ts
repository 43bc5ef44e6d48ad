// Whole-image inference with the shipped models: tiling is invisible, channels adapt,
// strength blends, inpainting composites exactly.
import { beforeAll, describe, expect, it } from 'vitest';
import { addNoise } from '../../../src-main/core/corrupt/noise.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import { denoiseRaster } from '../../../src-main/core/infer/denoise.js';
import { inpaintRaster } from '../../../src-main/core/infer/inpaint.js';
import { runModel } from '../../../src-main/core/infer/run-model.js';
import { psnr } from '../../../src-main/core/metrics/psnr.js';
import { resolveModel } from '../../../src-main/core/models/registry.js';
import type { LoadedModel } from '../../../src-main/core/models/store.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { naturalImage } from '../../helpers/synthetic.js';

let gray: LoadedModel;
let color: LoadedModel;
let inpaint: LoadedModel;

beforeAll(async () => {
  await initBackend('wasm');
  gray = await resolveModel(undefined, 'denoise', 1);
  color = await resolveModel('color-lite', 'denoise', 3);
  inpaint = await resolveModel(undefined, 'inpaint', 3);
});

describe('runModel', () => {
  it('tiled output matches untiled output within 1/255 at every pixel', async () => {
    const clean = naturalImage(200, 152, 1, 11);
    const noisy = addNoise(clean, { kind: 'gaussian', sigma: 25 }, new Rng(5));
    const whole = await runModel(gray, noisy, { noiseLevel: 25 / 255, tileSize: 1024 });
    let tiles = 0;
    const tiled = await runModel(gray, noisy, { noiseLevel: 25 / 255, tileSize: 64, onEvent: () => tiles++ });
    expect(tiles).toBeGreaterThan(4);
    const clamp = (v: number): number => Math.min(1, Math.max(0, v));
    let worst = 0;
    for (let i = 0; i < whole.data.length; i++) worst = Math.max(worst, Math.abs(clamp(whole.data[i]) - clamp(tiled.data[i])));
    expect(worst).toBeLessThanOrEqual(1 / 255);
  });

  it('with its default overlap a residual model tiled gives what it gives on the whole image', async () => {
    // Overlap 2 x depth covers the receptive field of every written pixel: no blending error.
    const clean = naturalImage(150, 120, 3, 12);
    const noisy = addNoise(clean, { kind: 'gaussian', sigma: 25 }, new Rng(6));
    const whole = await runModel(color, noisy, { noiseLevel: 25 / 255, tileSize: 1024 });
    const tiled = await runModel(color, noisy, { noiseLevel: 25 / 255, tileSize: 48 });
    let worst = 0;
    for (let i = 0; i < whole.data.length; i++) worst = Math.max(worst, Math.abs(whole.data[i] - tiled.data[i]));
    expect(worst).toBeLessThan(1e-4);
  });

  it('runs a grayscale image through the colour model and a colour image through the gray model', async () => {
    const g = naturalImage(64, 48, 1, 2);
    const c = naturalImage(64, 48, 3, 2);
    const a = await runModel(color, g, { noiseLevel: 0.05 });
    const b = await runModel(gray, c, { noiseLevel: 0.05 });
    expect(a.channels).toBe(1);
    expect(b.channels).toBe(3);
    // Mostly clean input at a low noise level: the output stays close to it.
    expect(psnr(a, g)).toBeGreaterThan(28);
    expect(psnr(b, c)).toBeGreaterThan(28);
  });
});

describe('denoiseRaster', () => {
  it('removes noise on a colour image and strength interpolates linearly', async () => {
    const clean = naturalImage(128, 96, 3, 4);
    const noisy = addNoise(clean, { kind: 'gaussian', sigma: 25 }, new Rng(9));
    const full = await denoiseRaster(noisy, color, { sigma: 25 });
    const half = await denoiseRaster(noisy, color, { sigma: 25, strength: 0.5 });
    expect(psnr(full.output, clean) - psnr(noisy, clean)).toBeGreaterThan(6);
    for (let i = 0; i < noisy.data.length; i += 97) {
      expect(half.output.data[i]).toBeCloseTo((noisy.data[i] + full.output.data[i]) / 2, 5);
    }
    await expect(denoiseRaster(noisy, color, { strength: 1.5 })).rejects.toMatchObject({ code: 'usage' });
  });
});

describe('inpaintRaster', () => {
  it('changes only masked pixels and fills them close to the real content', async () => {
    const clean = naturalImage(160, 128, 3, 8);
    const mask = new Uint8Array(160 * 128);
    for (let y = 30; y < 100; y++) for (let x = 70 + Math.round(10 * Math.sin(y / 9)); x < 78 + Math.round(10 * Math.sin(y / 9)); x++) mask[y * 160 + x] = 1;
    const damaged = { ...clean, data: clean.data.slice() };
    for (let p = 0; p < mask.length; p++) if (mask[p]) damaged.data.fill(0, 3 * p, 3 * p + 3);
    const out = await inpaintRaster(damaged, mask, inpaint);
    for (let p = 0; p < mask.length; p++) {
      if (mask[p]) continue;
      for (let k = 0; k < 3; k++) expect(out.data[3 * p + k]).toBe(damaged.data[3 * p + k]);
    }
    expect(psnr(out, clean, { mask })).toBeGreaterThan(22);
  });
});
