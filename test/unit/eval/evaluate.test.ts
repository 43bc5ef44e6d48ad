import { describe, expect, it } from 'vitest';
import { createRaster } from '../../../src-main/core/image/raster.js';
import { evalNoiseSeed, evalNoisyInput, parseSigmaList } from '../../../src-main/core/eval/evaluate.js';
import { psnr } from '../../../src-main/core/metrics/psnr.js';

function flat(value: number) {
  const r = createRaster(48, 48, 3);
  r.data.fill(value);
  return r;
}

describe('eval noise (benchmark protocol)', () => {
  it('is not clipped: a dark image gets values below 0, a bright one above 1', () => {
    const dark = evalNoisyInput(flat(0.02), 25, evalNoiseSeed(0, 25, 0));
    const bright = evalNoisyInput(flat(0.98), 25, evalNoiseSeed(0, 25, 1));
    expect(dark.data.some((v) => v < 0)).toBe(true);
    expect(bright.data.some((v) => v > 1)).toBe(true);
    // Not quantized either.
    expect(dark.data.some((v) => Math.abs(v * 255 - Math.round(v * 255)) > 1e-3)).toBe(true);
  });

  it('has std sigma/255 whatever the level, so input PSNR is 20 log10(255/sigma)', () => {
    const clean = flat(0.01);
    const noisy = evalNoisyInput(clean, 25, evalNoiseSeed(3, 25, 0));
    expect(Math.abs(psnr(noisy, clean) - 20 * Math.log10(255 / 25))).toBeLessThan(0.15);
  });

  it('seeds are reproducible and differ by seed, sigma and image', () => {
    expect(evalNoiseSeed(0, 25, 3)).toBe(evalNoiseSeed(0, 25, 3));
    const seeds = new Set([evalNoiseSeed(0, 25, 0), evalNoiseSeed(1, 25, 0), evalNoiseSeed(0, 15, 0), evalNoiseSeed(0, 25, 1)]);
    expect(seeds.size).toBe(4);
    const a = evalNoisyInput(flat(0.5), 15, evalNoiseSeed(0, 15, 2));
    const b = evalNoisyInput(flat(0.5), 15, evalNoiseSeed(0, 15, 2));
    expect(a.data).toEqual(b.data);
  });

  it('parses sigma lists and rejects bad ones', () => {
    expect(parseSigmaList('15,25,50')).toEqual([15, 25, 50]);
    expect(parseSigmaList(' 12.5 ')).toEqual([12.5]);
    for (const bad of ['', '15,', 'x', '0', '300', '-5', '15;25']) expect(() => parseSigmaList(bad)).toThrow(/--sigma/);
  });
});
