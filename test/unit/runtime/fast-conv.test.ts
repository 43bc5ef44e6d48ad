// The hand-written conv2d gradients (runtime/fast-conv.ts) against finite differences and against
// the stock tf.conv2d gradients computed on the pure-JS 'cpu' backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/math/rng.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { conv2dFilterGrad, conv2dSame } from '../../../src-main/core/runtime/fast-conv.js';

beforeAll(async () => {
  await initBackend('wasm');
  expect(tf.getBackend()).toBe('wasm');
});

function randomArray(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

interface Case {
  x: Float32Array;
  w: Float32Array;
  r: Float32Array;
  xShape: [number, number, number, number];
  wShape: [number, number, number, number];
  rShape: [number, number, number, number];
}

function makeCase(batch: number, k: number, seed: number): Case {
  const rng = new Rng(seed);
  const xShape: Case['xShape'] = [batch, 9, 7, 3];
  const wShape: Case['wShape'] = [k, k, 3, 5];
  const rShape: Case['rShape'] = [batch, 9, 7, 5];
  return { x: randomArray(size(xShape), rng), w: randomArray(size(wShape), rng), r: randomArray(size(rShape), rng), xShape, wShape, rShape };
}

/** Gradients of sum(conv(x, w) * r) w.r.t. x and w, on the active backend. */
function gradients(c: Case, conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(c.x, c.xShape);
    const w = tf.tensor4d(c.w, c.wShape);
    const r = tf.tensor4d(c.r, c.rShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, w]);
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

/** Runs `fn` on the pure-JS cpu backend and switches back to wasm. */
async function onCpu<T>(fn: () => T): Promise<T> {
  expect(await tf.setBackend('cpu')).toBe(true);
  try {
    return fn();
  } finally {
    expect(await tf.setBackend('wasm')).toBe(true);
  }
}

/** The loss in float64 from the float32 convolution output (less round-off in the sum). */
function loss(c: Case, x: Float32Array, w: Float32Array): number {
  return tf.tidy(() => {
    const y = conv2dSame(tf.tensor4d(x, c.xShape), tf.tensor4d(w, c.wShape)).dataSync();
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i]! * c.r[i]!;
    return s;
  });
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** max |a - b| relative to max |b|. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m / Math.max(1e-12, maxAbs(b));
}

describe('conv2dSame gradients (wasm)', () => {
  for (const batch of [2, 1]) {
    for (const k of [1, 3, 5]) {
      it(`match central finite differences, kernel ${k}, batch ${batch}`, () => {
        const c = makeCase(batch, k, 100 * k + batch);
        const { dx, dw } = gradients(c, conv2dSame);
        const rng = new Rng(k * 7 + batch);
        const eps = 1e-2;
        const check = (which: 'x' | 'w', grad: Float32Array): void => {
          const base = which === 'x' ? c.x : c.w;
          const scale = maxAbs(grad);
          for (let t = 0; t < 6; t++) {
            const i = rng.int(base.length);
            const plus = Float32Array.from(base);
            const minus = Float32Array.from(base);
            plus[i] += eps;
            minus[i] -= eps;
            const fd = which === 'x' ? (loss(c, plus, c.w) - loss(c, minus, c.w)) / (2 * eps) : (loss(c, c.x, plus) - loss(c, c.x, minus)) / (2 * eps);
            // Relative 2e-2, with a floor of 2e-3 of the gradient's scale for entries near zero.
            expect(Math.abs(fd - grad[i]!), `${which}[${i}]: fd ${fd} vs grad ${grad[i]}`).toBeLessThanOrEqual(
              2e-2 * Math.max(Math.abs(grad[i]!), 0.1 * scale),
            );
          }
        };
        check('x', dx);
        check('w', dw);
      });

      it(`match stock tf.conv2d gradients on the cpu backend, kernel ${k}, batch ${batch}`, async () => {
        const c = makeCase(batch, k, 1000 + 10 * k + batch);
        const fast = gradients(c, conv2dSame);
        const ref = await onCpu(() => gradients(c, (x, w) => tf.conv2d(x, w, 1, 'same')));
        expect(fast.dx.length).toBe(size(c.xShape));
        expect(fast.dw.length).toBe(size(c.wShape));
        expect(relError(fast.dx, ref.dx)).toBeLessThan(1e-4);
        expect(relError(fast.dw, ref.dw)).toBeLessThan(1e-4);
        // And the forward pass agrees with the reference too.
        const yFast = tf.tidy(() => conv2dSame(tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.w, c.wShape)).dataSync());
        const yRef = await onCpu(() => tf.tidy(() => tf.conv2d(tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.w, c.wShape), 1, 'same').dataSync()));
        expect(relError(yFast, yRef)).toBeLessThan(1e-5);
      });
    }
  }

  it('the fast path on the cpu backend also matches the stock gradients', async () => {
    const c = makeCase(2, 3, 77);
    const [fast, ref] = await onCpu(() => [gradients(c, conv2dSame), gradients(c, (x, w) => tf.conv2d(x, w, 1, 'same'))]);
    expect(relError(fast!.dx, ref!.dx)).toBeLessThan(1e-4);
    expect(relError(fast!.dw, ref!.dw)).toBeLessThan(1e-4);
  });

  it('rejects even and non-square kernels', () => {
    const x = tf.zeros([1, 6, 6, 2]) as tf.Tensor4D;
    for (const shape of [[2, 2, 2, 3], [4, 4, 2, 3], [3, 1, 2, 3], [1, 3, 2, 3]] as [number, number, number, number][]) {
      const w = tf.zeros(shape) as tf.Tensor4D;
      expect(() => conv2dSame(x, w), `kernel ${shape.join('x')}`).toThrow(/odd square kernel/);
      w.dispose();
    }
    x.dispose();
  });
});

describe('conv2dFilterGrad', () => {
  for (const [batch, k, h, w] of [
    [2, 1, 9, 7],
    [2, 3, 9, 7],
    [1, 5, 9, 7],
    [3, 3, 5, 11],
  ] as const) {
    it(`equals the cpu backend's stock filter gradient (batch ${batch}, k ${k}, ${h}x${w})`, async () => {
      const rng = new Rng(batch * 31 + k * 7 + h);
      const xShape: [number, number, number, number] = [batch, h, w, 3];
      const dyShape: [number, number, number, number] = [batch, h, w, 5];
      const xs = randomArray(size(xShape), rng);
      const dys = randomArray(size(dyShape), rng);
      const wZero = new Float32Array(k * k * 3 * 5);

      const xt = tf.tensor4d(xs, xShape);
      const dyt = tf.tensor4d(dys, dyShape);
      const before = tf.memory().numTensors;
      const dw = conv2dFilterGrad(xt, dyt, k);
      expect(dw.shape).toEqual([k, k, 3, 5]);
      const fast = dw.dataSync() as Float32Array;
      dw.dispose();
      // No intermediate (padded input, im2col matrix) is left behind.
      expect(tf.memory().numTensors).toBe(before);
      xt.dispose();
      dyt.dispose();

      // dL/dW of sum(conv(x, W) * dy) is the filter gradient for upstream dy (at any W).
      const ref = await onCpu(() =>
        tf.tidy(() => {
          const x = tf.tensor4d(xs, xShape);
          const dy = tf.tensor4d(dys, dyShape);
          const g = tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, wt as tf.Tensor4D, 1, 'same'), dy)))(tf.tensor4d(wZero, [k, k, 3, 5]));
          return g.dataSync() as Float32Array;
        }),
      );
      expect(relError(fast, ref)).toBeLessThan(1e-4);
      // On the cpu backend (no wasm heap) the same function must agree as well.
      const cpuFast = await onCpu(() => {
        const t = conv2dFilterGrad(tf.tensor4d(xs, xShape), tf.tensor4d(dys, dyShape), k);
        const v = t.dataSync() as Float32Array;
        t.dispose();
        return Float32Array.from(v);
      });
      expect(relError(cpuFast, ref)).toBeLessThan(1e-4);
    });
  }
});
