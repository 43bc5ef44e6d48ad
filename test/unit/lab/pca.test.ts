// PCA, the lab's linear baseline: eigenvectors from the Jacobi solver, the discarded variance
// as the reconstruction error, and codes/reconstructions that round-trip the kept subspace.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/math/rng.js';
import { covariance, fitPca, pcaDecode, pcaEncode, pcaTrainingMse, symmetricEigen } from '../../../src-main/core/lab/pca.js';

describe('symmetricEigen', () => {
  it('returns sorted eigenpairs that rebuild the matrix (A v = lambda v, V orthonormal)', () => {
    const rng = new Rng(1);
    const n = 7;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
    const { values, vectors } = symmetricEigen(a, n);
    for (let k = 1; k < n; k++) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]!);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j]! * vectors[k * n + j]!;
        expect(av).toBeCloseTo(values[k]! * vectors[k * n + i]!, 8);
      }
      for (let l = 0; l < n; l++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors[k * n + i]! * vectors[l * n + i]!;
        expect(dot).toBeCloseTo(k === l ? 1 : 0, 8);
      }
    }
  });
});

describe('fitPca', () => {
  it('finds a planted subspace and its error is the discarded variance', () => {
    const rng = new Rng(2);
    const n = 3000;
    const d = 6;
    const data = new Float32Array(n * d);
    // Variance 9 and 4 along two directions, 0.01 elsewhere, mean 0.5.
    const u = [1, 1, 0, 0, 0, 0].map((v) => v / Math.SQRT2);
    const w = [0, 0, 1, -1, 0, 0].map((v) => v / Math.SQRT2);
    for (let s = 0; s < n; s++) {
      const a = 3 * rng.normal();
      const b = 2 * rng.normal();
      for (let i = 0; i < d; i++) data[s * d + i] = 0.5 + a * u[i]! + b * w[i]! + 0.1 * rng.normal();
    }
    const p = fitPca(data, n, d, 2);
    expect(p.eigenvalues[0]!).toBeGreaterThan(8);
    expect(p.eigenvalues[1]!).toBeGreaterThan(3.5);
    expect(Math.abs(p.components[0]! * u[0]! + p.components[1]! * u[1]!)).toBeGreaterThan(0.99);
    const rec = pcaDecode(p, pcaEncode(p, data, n), n);
    let mse = 0;
    for (let i = 0; i < rec.length; i++) mse += (rec[i]! - data[i]!) ** 2;
    mse /= rec.length;
    expect(mse).toBeCloseTo(pcaTrainingMse(p), 5);
    const { mean } = covariance(data, n, d);
    expect(mean[0]!).toBeCloseTo(0.5, 1);
  });
});
