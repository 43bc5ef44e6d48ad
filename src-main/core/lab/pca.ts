/**
 * Principal component analysis: the linear baseline of the autoencoder lab. A linear
 * undercomplete autoencoder trained with squared error spans the same subspace as the top k
 * principal components (Baldi and Hornik, 1989), so its reconstruction error should match
 * PCA's; the lab shows both side by side.
 *
 * Rows of `data` are samples (n x d, row-major float32). The covariance is accumulated in float64
 * and diagonalised by Jacobi rotations (metrics/noise-estimate.ts).
 */
import { symmetricEigenvalues } from '../math/eigen.js';

export interface Pca {
  /** Input dimension. */
  dim: number;
  /** Kept components. */
  k: number;
  /** Mean sample (d). */
  mean: Float64Array;
  /** k x d, row i = unit eigenvector of the i-th largest eigenvalue. */
  components: Float64Array;
  /** All d eigenvalues of the covariance, largest first. */
  eigenvalues: Float64Array;
}

/** Covariance (d x d, divided by n) and mean of the rows. */
export function covariance(data: Float32Array, n: number, d: number): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(d);
  for (let s = 0; s < n; s++) for (let i = 0; i < d; i++) mean[i]! += data[s * d + i]!;
  for (let i = 0; i < d; i++) mean[i]! /= Math.max(1, n);
  const cov = new Float64Array(d * d);
  const v = new Float64Array(d);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < d; i++) v[i] = data[s * d + i]! - mean[i]!;
    for (let i = 0; i < d; i++) {
      const vi = v[i]!;
      const row = i * d;
      for (let j = i; j < d; j++) cov[row + j]! += vi * v[j]!;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const c = cov[i * d + j]! / Math.max(1, n);
      cov[i * d + j] = c;
      cov[j * d + i] = c;
    }
  }
  return { mean, cov };
}

/** Eigenvalues (descending) and matching unit eigenvectors (rows) of a symmetric matrix. */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = new Float64Array(matrix);
  const cols = new Float64Array(n * n);
  const ev = symmetricEigenvalues(m, n, cols);
  const order = Array.from(ev.keys()).sort((a, b) => ev[b]! - ev[a]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = ev[src]!;
    // A fixed sign (largest-magnitude entry positive) so results do not flip between runs.
    let big = 0;
    for (let r = 0; r < n; r++) if (Math.abs(cols[r * n + src]!) > Math.abs(big)) big = cols[r * n + src]!;
    const sign = big < 0 ? -1 : 1;
    for (let r = 0; r < n; r++) vectors[dst * n + r] = sign * cols[r * n + src]!;
  });
  return { values, vectors };
}

export function fitPca(data: Float32Array, n: number, d: number, k: number): Pca {
  if (k < 1 || k > d) throw new RangeError(`PCA needs 1 <= k <= ${d}, got ${k}`);
  const { mean, cov } = covariance(data, n, d);
  const { values, vectors } = symmetricEigen(cov, d);
  return { dim: d, k, mean, components: vectors.slice(0, k * d), eigenvalues: values };
}

/** Codes (n x k): projections of the centred rows on the components. */
export function pcaEncode(p: Pca, data: Float32Array, n: number): Float32Array {
  const { dim: d, k, mean, components } = p;
  const out = new Float32Array(n * k);
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < k; j++) {
      let acc = 0;
      for (let i = 0; i < d; i++) acc += (data[s * d + i]! - mean[i]!) * components[j * d + i]!;
      out[s * k + j] = acc;
    }
  }
  return out;
}

/** Reconstructions (n x d) from codes. */
export function pcaDecode(p: Pca, codes: Float32Array, n: number): Float32Array {
  const { dim: d, k, mean, components } = p;
  const out = new Float32Array(n * d);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < d; i++) {
      let acc = mean[i]!;
      for (let j = 0; j < k; j++) acc += codes[s * k + j]! * components[j * d + i]!;
      out[s * d + i] = acc;
    }
  }
  return out;
}

/** Mean squared error per element that PCA predicts on its own training data: the discarded variance / d. */
export function pcaTrainingMse(p: Pca): number {
  let rest = 0;
  for (let i = p.k; i < p.dim; i++) rest += Math.max(0, p.eigenvalues[i]!);
  return rest / p.dim;
}
