import { describe, expect, it } from 'vitest';
import { createRaster, type Raster } from '../../../src-main/core/image/raster.js';
import { mse, psnr, quantize8 } from '../../../src-main/core/metrics/psnr.js';
import { MendError } from '../../../src-main/shared/errors.js';
import { naturalImage } from '../../helpers/synthetic.js';

function shifted(r: Raster, by: number): Raster {
  const out = createRaster(r.width, r.height, r.channels);
  for (let i = 0; i < r.data.length; i++) out.data[i] = r.data[i]! + by;
  return out;
}

describe('psnr', () => {
  it('a constant offset of 0.1 gives 20 dB; identical images give Infinity', () => {
    const img = naturalImage(40, 30, 3, 1);
    expect(psnr(img, shifted(img, 0.1))).toBeCloseTo(20, 4);
    expect(psnr(img, shifted(img, -0.01))).toBeCloseTo(40, 3);
    expect(psnr(img, img)).toBe(Infinity);
    expect(psnr(img.data, shifted(img, 0.1).data)).toBeCloseTo(20, 4);
    expect(psnr(img, shifted(img, 25.5), { peak: 255 })).toBeCloseTo(20, 4);
  });

  it('averages over all channels', () => {
    const a = createRaster(10, 10, 3);
    const b = createRaster(10, 10, 3);
    for (let i = 0; i < b.data.length; i += 3) b.data[i] = 0.3; // error only in red
    expect(mse(a, b)).toBeCloseTo(0.09 / 3, 8);
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10(3 / 0.09), 4);
  });

  it('with a mask, only included pixels (all channels) count', () => {
    const w = 20;
    const h = 10;
    const a = createRaster(w, h, 3);
    const b = createRaster(w, h, 3);
    const mask = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const left = x < w / 2;
        mask[y * w + x] = left ? 1 : 0;
        // Left half off by 0.1, right half off by 0.5.
        for (let c = 0; c < 3; c++) b.data[(y * w + x) * 3 + c] = left ? 0.1 : 0.5;
      }
    }
    expect(psnr(a, b, { mask })).toBeCloseTo(20, 4);
    const inverse = mask.map((v) => 1 - v);
    expect(psnr(a, b, { mask: inverse })).toBeCloseTo(10 * Math.log10(1 / 0.25), 4);
    expect(psnr(a.data, b.data, { mask })).toBeCloseTo(20, 4); // channels inferred from the mask
    expect(psnr(a, b, { mask: new Uint8Array(w * h) })).toBeNaN();
    expect(() => psnr(a, b, { mask: new Uint8Array(7) })).toThrow(MendError);
  });

  it('refuses to compare different shapes', () => {
    expect(() => psnr(createRaster(4, 4, 3), createRaster(4, 4, 1))).toThrow(MendError);
    expect(() => psnr(new Float32Array(4), new Float32Array(5))).toThrow(MendError);
  });
});

describe('quantize8', () => {
  it('clamps to [0,1] and rounds to 8-bit levels in a new raster', () => {
    const r = createRaster(3, 2, 1);
    r.data.set([-0.2, 0, 0.5, 0.501, 1, 1.7]);
    const q = quantize8(r);
    expect(q).not.toBe(r);
    expect(Array.from(q.data)).toEqual(
      [0, 0, 128 / 255, 128 / 255, 1, 1].map((v) => Math.fround(v)),
    );
    expect(r.data[0]).toBeCloseTo(-0.2);
    const img = naturalImage(50, 40, 3, 2);
    const qi = quantize8(img);
    expect(qi.data.every((v) => Math.abs(v * 255 - Math.round(v * 255)) < 1e-4)).toBe(true);
    // Rounding error is at most half a level: PSNR above 20*log10(255*2) ~ 54 dB.
    expect(psnr(img, qi)).toBeGreaterThan(54);
    expect(Array.from(quantize8(qi).data)).toEqual(Array.from(qi.data));
  });
});
