// The inpainting network runs on crops around the holes: in the holes it gives what a pass over
// the whole image gives. With grain, the fill of a noisy photo gets the photo's noise.
import { beforeAll, describe, expect, it } from 'vitest';
import { inpaintPrefill } from '../../../src-main/core/infer/prefill.js';
import { addGrain, inpaintRaster, MIN_GRAIN_SIGMA, predictHoles } from '../../../src-main/core/infer/inpaint.js';
import { addNoise } from '../../../src-main/core/corrupt/noise.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import type { Raster } from '../../../src-main/core/image/raster.js';
import { runModel } from '../../../src-main/core/infer/run-model.js';
import { resolveModel } from '../../../src-main/core/models/registry.js';
import type { LoadedModel } from '../../../src-main/core/models/store.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { naturalImage } from '../../helpers/synthetic.js';

let model: LoadedModel;
beforeAll(async () => {
  await initBackend('wasm');
  model = await resolveModel(undefined, 'inpaint', 3);
});

describe('predictHoles', () => {
  it('matches the whole-image network pass in every hole, and leaves the rest as the prefill', async () => {
    // Two spots far apart (two crops) and a scratch across a tile border.
    const w = 1100;
    const h = 120;
    const img = naturalImage(w, h, 3, 41);
    const mask = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if ((x - 40) ** 2 + (y - 50) ** 2 <= 36 || (x - 1050) ** 2 + (y - 100) ** 2 <= 25) mask[y * w + x] = 1;
        if (Math.abs(y - 60) <= 1 && x > 480 && x < 560) mask[y * w + x] = 1;
      }
    }
    const prefilled = inpaintPrefill(img, mask);
    const whole = await runModel(model, prefilled, { mask });
    const crops = await predictHoles(model, prefilled, mask, {});
    let worst = 0;
    for (let p = 0; p < mask.length; p++) {
      for (let k = 0; k < 3; k++) {
        const i = p * 3 + k;
        if (mask[p]) worst = Math.max(worst, Math.abs(crops.data[i]! - whole.data[i]!));
        else expect(crops.data[i]).toBe(prefilled.data[i]);
      }
    }
    // Identical when written (0); with 2 pixels of context instead of 64 it was 1.2e-4.
    expect(worst).toBeLessThan(1e-6);
  });
});

/** Standard deviation (0-255 scale) of the hole pixels' values. */
function holeStd(r: Raster, mask: Uint8Array): number {
  const v: number[] = [];
  for (let p = 0; p < mask.length; p++) if (mask[p]) for (let k = 0; k < r.channels; k++) v.push(r.data[p * r.channels + k]! * 255);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
}

describe('grain in the fill', () => {
  const w = 160;
  const h = 120;
  const square = new Uint8Array(w * h);
  for (let y = 40; y < 80; y++) for (let x = 60; x < 100; x++) square[y * w + x] = 1;

  it('addGrain gives each hole the noise of the photo around it, only in the holes, the same every run', () => {
    // 600 px wide: noise of sigma 20 left of x = 300, clean right of it; a hole in each half
    // (different grain tiles, their context within their half).
    const W = 600;
    const H = 120;
    const flat: Raster = { width: W, height: H, channels: 3, data: new Float32Array(W * H * 3).fill(0.5) };
    const source = addNoise(flat, { kind: 'gaussian', sigma: 20 }, new Rng(5));
    for (let p = 0; p < W * H; p++) if (p % W >= 300) source.data.fill(0.5, p * 3, p * 3 + 3);
    const holes = new Uint8Array(W * H);
    const leftHole = new Uint8Array(W * H);
    for (let y = 40; y < 80; y++) {
      for (let x = 100; x < 140; x++) holes[y * W + x] = leftHole[y * W + x] = 1;
      for (let x = 460; x < 500; x++) holes[y * W + x] = 1;
    }
    const rightHole = Uint8Array.from(holes, (m, p) => m - leftHole[p]!);
    const fill = (): Raster => ({ ...flat, data: flat.data.slice() });
    const a = fill();
    addGrain(a, holes, source);
    expect(holeStd(a, leftHole)).toBeGreaterThan(18);
    expect(holeStd(a, leftHole)).toBeLessThan(22);
    expect(holeStd(a, rightHole)).toBe(0);
    let changedOutside = 0;
    for (let p = 0; p < holes.length; p++) if (!holes[p] && a.data.subarray(p * 3, p * 3 + 3).some((v) => v !== 0.5)) changedOutside++;
    expect(changedOutside).toBe(0);
    const b = fill();
    addGrain(b, holes, source);
    expect(b.data).toEqual(a.data);
    // Under MIN_GRAIN_SIGMA around the holes: no grain.
    const faint = addNoise(flat, { kind: 'gaussian', sigma: MIN_GRAIN_SIGMA - 1.5 }, new Rng(6));
    const c = fill();
    addGrain(c, holes, faint);
    expect(c.data).toEqual(flat.data);
  });

  it('addGrain keeps brightness-only noise free of colour, and gives independent channel noise its colour', () => {
    const flat: Raster = { width: w, height: h, channels: 3, data: new Float32Array(w * h * 3).fill(0.5) };
    // The same noise in R, G and B (a grey scan saved as RGB), and noise drawn per channel.
    const grey = addNoise({ width: w, height: h, channels: 1, data: new Float32Array(w * h).fill(0.5) }, { kind: 'gaussian', sigma: 15 }, new Rng(7));
    const brightness: Raster = { ...flat, data: Float32Array.from(flat.data, (_, i) => grey.data[Math.floor(i / 3)]!) };
    const perChannel = addNoise(flat, { kind: 'gaussian', sigma: 15 }, new Rng(8));
    /** Std (0-255) over the holes of R - G, and of the channel mean. */
    const spread = (r: Raster): { colour: number; mean: number } => {
      const d: number[] = [];
      const m: number[] = [];
      for (let p = 0; p < square.length; p++) {
        if (!square[p]) continue;
        d.push((r.data[p * 3]! - r.data[p * 3 + 1]!) * 255);
        m.push(((r.data[p * 3]! + r.data[p * 3 + 1]! + r.data[p * 3 + 2]!) / 3) * 255);
      }
      const std = (v: number[]): number => {
        const mu = v.reduce((a, b) => a + b, 0) / v.length;
        return Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / v.length);
      };
      return { colour: std(d), mean: std(m) };
    };
    const a: Raster = { ...flat, data: flat.data.slice() };
    addGrain(a, square, brightness);
    const b: Raster = { ...flat, data: flat.data.slice() };
    addGrain(b, square, perChannel);
    // Brightness-only: the mean carries sigma 15, R - G next to nothing (independent grain: 21).
    expect(spread(a).mean).toBeGreaterThan(13);
    expect(spread(a).colour).toBeLessThan(4);
    // Per channel: R - G spreads sigma * sqrt(2) = 21, the mean sigma / sqrt(3) = 8.7.
    expect(spread(b).colour).toBeGreaterThan(18);
    expect(spread(b).mean).toBeLessThan(11);
  });

  it('with grain, a fill in a noisy photo carries its noise; without, it is smooth', async () => {
    const flatGrey: Raster = { width: w, height: h, channels: 3, data: new Float32Array(w * h * 3).fill(0.5) };
    const noisy = addNoise(flatGrey, { kind: 'gaussian', sigma: 15 }, new Rng(9));
    const grained = await inpaintRaster(noisy, square, model, { grain: true });
    // Without synthesis too: the wide square would otherwise get patches of the photo, grain included.
    const smooth = await inpaintRaster(noisy, square, model, { synthesis: false });
    // The photo's own noise, measured where it is known, and the fills' spread.
    const known = Uint8Array.from(square, (m) => 1 - m);
    expect(holeStd(noisy, known)).toBeGreaterThan(13);
    expect(holeStd(grained, square)).toBeGreaterThan(0.8 * holeStd(noisy, known));
    expect(holeStd(grained, square)).toBeLessThan(1.25 * holeStd(noisy, known));
    expect(holeStd(smooth, square)).toBeLessThan(5);
  });
});
