import { describe, expect, it } from 'vitest';
import { createRaster, type Raster } from '../../../src-main/core/image/raster.js';
import { estimateFlatNoiseSigma, estimateNoiseSigma, gammaQuantile } from '../../../src-main/core/metrics/noise-estimate.js';
import { addNoise } from '../../../src-main/core/corrupt/noise.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import { naturalImage } from '../../helpers/synthetic.js';

/** Sum of sinusoids at several scales plus hard-edged rectangles and a disc: textured, not flat. */
function sinusoidsAndEdges(width: number, height: number): Raster {
  const r = createRaster(width, height, 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v =
        0.5 +
        0.15 * Math.sin(x * 0.05 + y * 0.02) +
        0.08 * Math.sin(x * 0.31 - y * 0.17) +
        0.05 * Math.cos(y * 0.6 + Math.sin(x * 0.1));
      if (x > width * 0.2 && x < width * 0.45 && y > height * 0.3 && y < height * 0.8) v -= 0.2;
      if ((x - width * 0.7) ** 2 + (y - height * 0.4) ** 2 < (height * 0.2) ** 2) v += 0.15;
      r.data[y * width + x] = v;
    }
  }
  return r;
}

describe('estimateNoiseSigma', () => {
  const images: [string, Raster][] = [
    ['sinusoids + edges', sinusoidsAndEdges(192, 160)],
    ['natural gray', naturalImage(192, 160, 1, 3)],
    ['natural colour', naturalImage(160, 128, 3, 4)],
  ];

  for (const [name, clean] of images) {
    it(`${name}: within 15 percent of the true sigma at 10, 25, 50`, () => {
      for (const sigma of [10, 25, 50]) {
        const noisy = addNoise(clean, { kind: 'gaussian', sigma }, new Rng(sigma));
        const est = estimateNoiseSigma(noisy);
        expect(Math.abs(est / sigma - 1)).toBeLessThan(0.15);
      }
    });
  }

  it('is accurate to 10% from sigma 5 to 75 on a larger photo-like image (strided patches)', () => {
    const clean = naturalImage(400, 300, 3, 8);
    for (const sigma of [5, 75]) {
      const noisy = addNoise(clean, { kind: 'gaussian', sigma }, new Rng(sigma + 1));
      expect(Math.abs(estimateNoiseSigma(noisy, { maxPatches: 20000 }) / sigma - 1)).toBeLessThan(0.1);
    }
  });

  it('reports little noise on a clean image and NaN on one smaller than a patch', () => {
    expect(estimateNoiseSigma(naturalImage(128, 128, 1, 5))).toBeLessThan(3);
    expect(estimateNoiseSigma(createRaster(5, 5, 1))).toBeNaN();
  });
});

/** A grey image: uniform random texture (amplitude `texture`, 0-1 scale) left of `split`, flat 0.5 right of it. */
function textureAndFlat(width: number, height: number, split: number, texture: number, seed: number): Raster {
  const r = createRaster(width, height, 1);
  const rng = new Rng(seed);
  for (let p = 0; p < width * height; p++) r.data[p] = 0.5 + (p % width < split ? texture * (rng.next() - 0.5) : 0);
  return r;
}

describe('estimateFlatNoiseSigma', () => {
  it('reads white noise within 5 percent at sigma 5, 10, 25 and 50, like the global estimate', () => {
    const clean = naturalImage(256, 192, 1, 6);
    for (const sigma of [5, 10, 25, 50]) {
      const noisy = addNoise(clean, { kind: 'gaussian', sigma }, new Rng(sigma + 2));
      expect(Math.abs(estimateFlatNoiseSigma(noisy) / sigma - 1)).toBeLessThan(0.05);
    }
  });

  it('does not count texture as noise: a textured half reads in the global estimate, not here', () => {
    // Texture of std 0.2/sqrt(12)*255 = 14.7 on the left, a flat and clean right half.
    const img = textureAndFlat(256, 160, 128, 0.2, 3);
    expect(estimateNoiseSigma(img)).toBeGreaterThan(5);
    expect(estimateFlatNoiseSigma(img)).toBeLessThan(0.5);
  });

  it('leaves out the patches that touch `exclude`, and clipped pixels', () => {
    // Noise of sigma 20 on the left half, clean on the right.
    const w = 256;
    const h = 160;
    const clean = createRaster(w, h, 1);
    clean.data.fill(0.5);
    const noisy = addNoise(clean, { kind: 'gaussian', sigma: 20 }, new Rng(4));
    for (let p = 0; p < w * h; p++) if (p % w >= 128) noisy.data[p] = 0.5;
    const right = Uint8Array.from({ length: w * h }, (_, p) => (p % w >= 120 ? 1 : 0));
    const left = Uint8Array.from({ length: w * h }, (_, p) => (p % w < 136 ? 1 : 0));
    expect(Math.abs(estimateFlatNoiseSigma(noisy, { exclude: right }) / 20 - 1)).toBeLessThan(0.05);
    expect(estimateFlatNoiseSigma(noisy, { exclude: left })).toBeLessThan(0.5);
    // The clean right half clipped to white: its flatness is clipping, not a clean area.
    const clipped = { ...noisy, data: noisy.data.map((v, p) => (p % w >= 128 ? 1 : v)) };
    expect(Math.abs(estimateFlatNoiseSigma(clipped) / 20 - 1)).toBeLessThan(0.05);
    expect(estimateFlatNoiseSigma(createRaster(12, 12, 1))).toBeNaN();
  });

  it('gammaQuantile matches the exact 99th percentile of Gamma(32) (scipy: 46.608)', () => {
    expect(Math.abs(gammaQuantile(32, 2.3263) / 46.608 - 1)).toBeLessThan(5e-4);
  });
});
