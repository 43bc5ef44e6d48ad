// Box means down and bilinear back up: exact block means, partial edge blocks, and a linear ramp
// that survives the round trip exactly away from the edges.
import { describe, expect, it } from 'vitest';
import { addBilinearUp, boxDown } from '../../../src-main/core/math/resample.js';
import type { Raster } from '../../../src-main/core/image/raster.js';

describe('boxDown', () => {
  it('averages f x f blocks per channel, partial edge blocks over what they hold', () => {
    // 5 x 3, two channels: channel 0 is x + 10 y, channel 1 is its negative.
    const r: Raster = { width: 5, height: 3, channels: 2, data: new Float32Array(30) };
    for (let y = 0; y < 3; y++) for (let x = 0; x < 5; x++) {
      r.data[(y * 5 + x) * 2] = x + 10 * y;
      r.data[(y * 5 + x) * 2 + 1] = -(x + 10 * y);
    }
    const d = boxDown(r, 2);
    expect([d.width, d.height]).toEqual([3, 2]);
    // Blocks: (0,0) mean of 0,1,10,11 = 5.5; (2,0) holds x = 4 only: 4, 14 -> 9; (0,1): row 2 only: 20, 21 -> 20.5; (2,1): 24.
    expect(Array.from(d.data.filter((_, i) => i % 2 === 0))).toEqual([5.5, 7.5, 9, 20.5, 22.5, 24]);
    expect(Array.from(d.data.filter((_, i) => i % 2 === 1))).toEqual([-5.5, -7.5, -9, -20.5, -22.5, -24]);
  });

  it('is the identity at factor 1', () => {
    const r: Raster = { width: 2, height: 2, channels: 1, data: Float32Array.of(1, 2, 3, 4) };
    expect(boxDown(r, 1)).toBe(r);
  });
});

describe('addBilinearUp', () => {
  it('brings a box-averaged linear ramp back exactly, away from the clamped edges', () => {
    for (const f of [2, 4]) {
      const w = 64;
      const h = 32;
      const r: Raster = { width: w, height: h, channels: 1, data: new Float32Array(w * h) };
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) r.data[y * w + x] = 0.01 * x - 0.02 * y;
      // Added, with weight 2, onto a picture of ones: 1 + 2 * ramp.
      const back: Raster = { width: w, height: h, channels: 1, data: new Float32Array(w * h).fill(1) };
      addBilinearUp(back, boxDown(r, f), f, 2);
      for (let i = 0; i < back.data.length; i++) back.data[i] = (back.data[i]! - 1) / 2;
      let worst = 0;
      for (let y = f; y < h - f; y++) for (let x = f; x < w - f; x++) worst = Math.max(worst, Math.abs(back.data[y * w + x]! - r.data[y * w + x]!));
      expect(worst).toBeLessThan(1e-5);
    }
  });
});
