/**
 * Eigenvalues of real symmetric matrices (row-major Float64Array, n x n), for the noise
 * estimates (patch covariances, n = 64) and the lab's PCA (which also needs the vectors).
 *
 * Both are written for this project from the published algorithms, not copied from any book's
 * code: cyclic Jacobi rotations (Jacobi 1846; the rotation angle as in Golub & Van Loan,
 * "Matrix Computations", section 8.5), and Householder tridiagonalisation followed by the
 * implicit QL algorithm, following the structure of the public-domain EISPACK routines tred2
 * and tql2 as the public-domain JAMA library (NIST/MathWorks) restates them, without the
 * eigenvector accumulation.
 */

/**
 * Eigenvalues by cyclic Jacobi rotations (`m` is overwritten). With `vectors` (n x n, row-major)
 * the rotations are accumulated too: column i of `vectors` is then the unit eigenvector of
 * eigenvalue i (unsorted, in the order returned). Slow (several O(n^3) sweeps), very accurate.
 */
export function symmetricEigenvalues(m: Float64Array, n: number, vectors?: Float64Array): Float64Array {
  if (vectors) {
    vectors.fill(0);
    for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
  }
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += m[p * n + p]! ** 2;
      for (let q = p + 1; q < n; q++) off += m[p * n + q]! ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!;
        const aqq = m[q * n + q]!;
        // The rotation that zeroes m[p][q]: t = tan(angle), the smaller root of t^2 + 2 theta t - 1.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p]!;
          const akq = m[k * n + q]!;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k]!;
          const aqk = m[q * n + k]!;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
        if (vectors) {
          for (let k = 0; k < n; k++) {
            const vkp = vectors[k * n + p]!;
            const vkq = vectors[k * n + q]!;
            vectors[k * n + p] = c * vkp - s * vkq;
            vectors[k * n + q] = s * vkp + c * vkq;
          }
        }
      }
    }
  }
  const ev = new Float64Array(n);
  for (let i = 0; i < n; i++) ev[i] = m[i * n + i]!;
  return ev;
}

/**
 * Reduces symmetric `v` (overwritten) to tridiagonal form by Householder reflections (EISPACK
 * tred2's reduction step). Returns the diagonal `d` and the sub-diagonal `e` (e[i] couples rows
 * i - 1 and i; e[0] = 0).
 */
function householderTridiagonal(v: Float64Array, n: number): { d: Float64Array; e: Float64Array } {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const at = (i: number, j: number): number => v[i * n + j]!;
  for (let j = 0; j < n; j++) d[j] = at(n - 1, j);
  for (let i = n - 1; i > 0; i--) {
    // d[0..i-1] holds row i left of the diagonal; scale it to avoid under- and overflow.
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = at(i - 1, j);
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      // The Householder vector u (in d), with |u|^2 / 2 = h.
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! ** 2;
      }
      let f = d[i - 1]!;
      let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // p = A u / h (in e), using the lower triangle of the leading i x i block.
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[j * n + i] = f;
        g = e[j]! + at(j, j) * f;
        for (let k = j + 1; k < i; k++) {
          g += at(k, j) * d[k]!;
          e[k]! += at(k, j) * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      // q = p - (u.p / 2h) u; then A <- A - q u^T - u q^T on the lower triangle.
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k < i; k++) v[k * n + j]! -= f * e[k]! + g * d[k]!;
        d[j] = at(i - 1, j);
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // The reduction leaves the tridiagonal matrix's diagonal on v's diagonal.
  for (let j = 0; j < n; j++) d[j] = at(j, j);
  e[0] = 0;
  return { d, e };
}

/**
 * Eigenvalues (unsorted; `a` is overwritten): Householder reduction to tridiagonal form, then
 * the implicit QL algorithm with Wilkinson-type shifts (EISPACK tql2 without the vectors). One
 * O(n^3) pass instead of Jacobi's sweeps: at n = 64, where the noise estimates spend most of
 * their time, about 0.5 ms against Jacobi's 5 ms (a random covariance, warmed up, on the
 * development machine).
 */
export function tridiagonalEigenvalues(a: Float64Array, n: number): Float64Array {
  if (n === 0) return new Float64Array(0);
  const { d, e } = householderTridiagonal(a, n);
  // e[i] now couples d[i] and d[i + 1].
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  const eps = Number.EPSILON;
  let shiftSum = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    // The first negligible sub-diagonal element at or after l splits off a block.
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      for (let iter = 0; iter < 60; iter++) {
        // Shift: the eigenvalue of the leading 2 x 2 block nearer d[l].
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        shiftSum += h;
        // One implicit QL sweep of Givens rotations from m - 1 up to l.
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]!) > eps * tst1)) break;
      }
    }
    d[l] = d[l]! + shiftSum;
    e[l] = 0;
  }
  return d;
}
