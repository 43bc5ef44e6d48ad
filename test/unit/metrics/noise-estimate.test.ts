import { describe, expect, it } from 'vitest';
import { createRaster, type Raster } from '../../../src-main/core/image/raster.js';
import { estimateNoiseSigma, symmetricEigenvalues } from '../../../src-main/core/metrics/noise-estimate.js';
import { addNoise } from '../../../src-main/core/corrupt/noise.js';
import { Rng } from '../../../src-main/core/corrupt/rng.js';
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

describe('symmetricEigenvalues', () => {
  it('finds the eigenvalues of a known symmetric matrix', () => {
    // Q diag(1, 2, 5) Q^T with a rotation Q about the z axis.
    const c = Math.cos(0.7);
    const s = Math.sin(0.7);
    const q = [c, -s, 0, s, c, 0, 0, 0, 1];
    const d = [1, 2, 5];
    const m = new Float64Array(9);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let v = 0;
        for (let k = 0; k < 3; k++) v += q[i * 3 + k]! * d[k]! * q[j * 3 + k]!;
        m[i * 3 + j] = v;
      }
    }
    const ev = Array.from(symmetricEigenvalues(m, 3)).sort((x, y) => x - y);
    expect(ev[0]).toBeCloseTo(1, 10);
    expect(ev[1]).toBeCloseTo(2, 10);
    expect(ev[2]).toBeCloseTo(5, 10);
  });
});
