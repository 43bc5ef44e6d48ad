import { describe, expect, it } from 'vitest';
import { jpegCompress } from '../../../src-main/core/corrupt/jpeg.js';
import { psnr } from '../../../src-main/core/metrics/psnr.js';
import { MendError } from '../../../src-main/shared/errors.js';
import { naturalImage } from '../../helpers/synthetic.js';

describe('jpegCompress', () => {
  it.each([1, 3])('keeps size and %i channel(s), changes pixels, and loses more at lower quality', async (channels) => {
    const img = naturalImage(120, 90, channels, 4);
    const hi = await jpegCompress(img, 95);
    const lo = await jpegCompress(img, 10);
    for (const out of [hi, lo]) {
      expect([out.width, out.height, out.channels]).toEqual([120, 90, channels]);
      expect(out.data.length).toBe(img.data.length);
      expect(out.data.every((v) => v >= 0 && v <= 1 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-3)).toBe(true);
    }
    const pHi = psnr(img, hi);
    const pLo = psnr(img, lo);
    expect(Number.isFinite(pHi)).toBe(true);
    expect(pHi).toBeGreaterThan(30);
    expect(pLo).toBeLessThan(pHi - 5);
    expect(pLo).toBeGreaterThan(18);
  });

  it('rejects a bad quality with a usage error', async () => {
    const img = naturalImage(16, 16, 3, 1);
    for (const q of [0, 101, 50.5, Number.NaN]) {
      await expect(jpegCompress(img, q)).rejects.toBeInstanceOf(MendError);
    }
    await expect(jpegCompress(img, 0)).rejects.toMatchObject({ code: 'usage' });
  });
});
