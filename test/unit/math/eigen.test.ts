import { describe, expect, it } from 'vitest';
import { symmetricEigenvalues, tridiagonalEigenvalues } from '../../../src-main/core/math/eigen.js';
import { Rng } from '../../../src-main/core/math/rng.js';

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

describe('tridiagonalEigenvalues', () => {
  it('gives the eigenvalues Jacobi gives, on patch covariances of 8x8 and 6x6 patches and edge cases', () => {
    const rng = new Rng(12);
    for (const n of [64, 36, 2, 1]) {
      // A covariance of correlated samples: a wide spread of eigenvalues, as patch covariances have.
      const m = new Float64Array(n * n);
      const mix = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.normal()));
      for (let t = 0; t < 4 * n + 8; t++) {
        const z = Array.from({ length: n }, () => rng.normal());
        const x = mix.map((row, i) => row.reduce((acc, v, j) => acc + v * z[j]! * (j <= i ? 1 : 0.1), 0));
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j]! += x[i]! * x[j]!;
      }
      const a = Array.from(tridiagonalEigenvalues(m.slice(), n)).sort((x, y) => x - y);
      const b = Array.from(symmetricEigenvalues(m.slice(), n)).sort((x, y) => x - y);
      const top = Math.max(...b.map(Math.abs));
      for (let i = 0; i < n; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-10 * top);
    }
    // Already diagonal, and all zero.
    expect(Array.from(tridiagonalEigenvalues(Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 2]), 3)).sort()).toEqual([1, 2, 3]);
    expect(Array.from(tridiagonalEigenvalues(new Float64Array(16), 4))).toEqual([0, 0, 0, 0]);
  });
});
