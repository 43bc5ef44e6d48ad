// Packing the Bayer mosaic into planes and back, demosaicing, and false-colour suppression.
import { describe, expect, it } from 'vitest';
import { demosaic, medianChroma, packBayer, unpackBayer } from '../../../src-main/core/raw/bayer.js';

describe('Bayer planes and demosaicing', () => {
  it('packs four planes and unpacks them to the same mosaic (odd sizes keep the last row and column)', () => {
    const W = 9, H = 7;
    const m = Float32Array.from({ length: W * H }, (_, i) => i);
    const p = packBayer(m, W, H);
    expect([p.width, p.height]).toEqual([4, 3]);
    expect(Array.from(p.data.subarray(0, 4))).toEqual([0, 1, 9, 10]);
    const back = new Float32Array(m);
    for (let y = 0; y < 6; y++) back.fill(-1, y * W, y * W + 8);
    unpackBayer(p.data, back, W, H);
    expect(Array.from(back)).toEqual(Array.from(m));
  });

  it.each([[[0, 1, 1, 2]], [[1, 0, 2, 1]], [[2, 1, 1, 0]], [[1, 2, 0, 1]]])('rebuilds a colour ramp exactly in the interior, for CFA %j', (cfa) => {
    const W = 24, H = 20;
    const colour = (x: number, y: number): number[] => [0.1 + 0.01 * x, 0.3 + 0.005 * x + 0.01 * y, 0.6 - 0.01 * y];
    const m = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) m[y * W + x] = colour(x, y)[cfa[(y & 1) * 2 + (x & 1)]];
    const rgb = demosaic(m, W, H, cfa);
    for (let y = 2; y < H - 2; y++) {
      for (let x = 2; x < W - 2; x++) {
        const want = colour(x, y);
        for (let c = 0; c < 3; c++) expect(rgb[(y * W + x) * 3 + c]).toBeCloseTo(want[c], 5);
      }
    }
  });

  it('the chroma median removes a one-pixel colour fringe and keeps a wide colour edge', () => {
    const W = 12, H = 12;
    const rgb = new Float32Array(W * H * 3).fill(0.5);
    for (let y = 0; y < H; y++) for (let x = 6; x < W; x++) rgb[(y * W + x) * 3] = 0.9; // red half
    rgb[(5 * W + 2) * 3 + 2] = 0.9; // a blue fringe pixel
    medianChroma(rgb, W, H, 1);
    expect(rgb[(5 * W + 2) * 3 + 2]).toBeCloseTo(0.5, 6);
    expect(rgb[(5 * W + 7) * 3]).toBeCloseTo(0.9, 6);
    expect(rgb[(5 * W + 4) * 3]).toBeCloseTo(0.5, 6);
  });
});
