import { describe, expect, it } from 'vitest';
import { createRaster, type Raster } from '../../../src-main/core/image/raster.js';
import { ssim } from '../../../src-main/core/metrics/ssim.js';
import { addNoise } from '../../../src-main/core/corrupt/noise.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import { MendError } from '../../../src-main/shared/errors.js';
import { naturalImage } from '../../helpers/synthetic.js';

const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

function constant(width: number, height: number, channels: number, value: number): Raster {
  const r = createRaster(width, height, channels);
  r.data.fill(value);
  return r;
}

function channelOf(r: Raster, c: number): Raster {
  const out = createRaster(r.width, r.height, 1);
  for (let i = 0; i < out.data.length; i++) out.data[i] = r.data[i * r.channels + c]!;
  return out;
}

/** Direct 2-D definition (Wang et al. 2004), 11x11 Gaussian window, valid region. */
function referenceSsim(a: Raster, b: Raster): number {
  const g: number[] = [];
  for (let i = -5; i <= 5; i++) g.push(Math.exp(-(i * i) / (2 * 1.5 * 1.5)));
  const gs = g.reduce((s, v) => s + v, 0);
  let total = 0;
  let n = 0;
  for (let y = 0; y + 11 <= a.height; y++) {
    for (let x = 0; x + 11 <= a.width; x++) {
      let mx = 0;
      let my = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let j = 0; j < 11; j++) {
        for (let i = 0; i < 11; i++) {
          const w = (g[j]! * g[i]!) / (gs * gs);
          const xv = a.data[(y + j) * a.width + x + i]!;
          const yv = b.data[(y + j) * a.width + x + i]!;
          mx += w * xv;
          my += w * yv;
          sxx += w * xv * xv;
          syy += w * yv * yv;
          sxy += w * xv * yv;
        }
      }
      const vx = sxx - mx * mx;
      const vy = syy - my * my;
      const cxy = sxy - mx * my;
      total += ((2 * mx * my + C1) * (2 * cxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
      n++;
    }
  }
  return total / n;
}

describe('ssim', () => {
  it('is 1 for identical images', () => {
    const img = naturalImage(64, 48, 3, 1);
    expect(ssim(img, img)).toBeCloseTo(1, 12);
    const gray = naturalImage(64, 48, 1, 1);
    expect(ssim(gray, gray)).toBeCloseTo(1, 12);
  });

  it('decreases as noise grows', () => {
    const img = naturalImage(96, 96, 1, 2);
    let prev = 1;
    for (const sigma of [2, 10, 25, 50]) {
      const s = ssim(img, addNoise(img, { kind: 'gaussian', sigma }, new Rng(sigma)));
      expect(s).toBeLessThan(prev);
      prev = s;
    }
    expect(prev).toBeLessThan(0.5);
  });

  it('matches the closed form for constant images (luminance term only)', () => {
    const a = constant(32, 32, 1, 0.5);
    const b = constant(32, 32, 1, 0.6);
    const expected = (2 * 0.5 * 0.6 + C1) / (0.5 ** 2 + 0.6 ** 2 + C1);
    expect(ssim(a, b)).toBeCloseTo(expected, 6);
    expect(expected).toBeLessThan(1);
  });

  it('matches a direct 2-D implementation and is symmetric', () => {
    const a = naturalImage(41, 37, 1, 5);
    const b = addNoise(a, { kind: 'gaussian', sigma: 20 }, new Rng(3));
    expect(ssim(a, b)).toBeCloseTo(referenceSsim(a, b), 9);
    expect(ssim(b, a)).toBeCloseTo(ssim(a, b), 12);
  });

  it('averages per-channel SSIM for colour', () => {
    const a = naturalImage(48, 40, 3, 6);
    const b = addNoise(a, { kind: 'gaussian', sigma: 15 }, new Rng(1));
    let mean = 0;
    for (let c = 0; c < 3; c++) mean += ssim(channelOf(a, c), channelOf(b, c)) / 3;
    expect(ssim(a, b)).toBeCloseTo(mean, 10);
  });

  it('handles images smaller than the window and refuses mismatched shapes', () => {
    const a = naturalImage(7, 9, 1, 1);
    const b = addNoise(a, { kind: 'gaussian', sigma: 10 }, new Rng(1));
    const s = ssim(a, b);
    expect(s).toBeGreaterThan(0);
    expect(s).toBeLessThan(1);
    expect(() => ssim(createRaster(8, 8, 1), createRaster(8, 8, 3))).toThrow(MendError);
  });
});
