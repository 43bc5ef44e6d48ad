// The code regularizers: sparse KL, sparse L1, the contractive (Jacobian) penalty, and parsing.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/math/rng.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { contractivePenalty, klPenalty, l1Penalty, parseRegularizer, sigmoidContractivePenalty } from '../../../src-main/core/train/regularizers.js';
import { MendError } from '../../../src-main/shared/errors.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const scalar = (t: tf.Scalar): number => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

function kl(rho: number, m: number): number {
  return rho * Math.log(rho / m) + (1 - rho) * Math.log((1 - rho) / (1 - m));
}

/** A [2,4,4,C] code whose channel c has mean activation means[c] (values spread around it). */
function codeWithMeans(means: number[], rng: Rng): tf.Tensor {
  const c = means.length;
  const n = 2 * 4 * 4;
  const v = new Float32Array(n * c);
  for (let ch = 0; ch < c; ch++) {
    // Pairs m - d, m + d keep the mean exact and the values in [0, 1].
    for (let i = 0; i < n; i += 2) {
      const d = rng.next() * Math.min(means[ch]!, 1 - means[ch]!);
      v[i * c + ch] = means[ch]! - d;
      v[(i + 1) * c + ch] = means[ch]! + d;
    }
  }
  return tf.tensor4d(v, [2, 4, 4, c]);
}

describe('klPenalty', () => {
  it('is ~0 when every channel averages rho, even with spread-out values', () => {
    const rng = new Rng(1);
    for (const rho of [0.05, 0.2, 0.5]) {
      const code = codeWithMeans([rho, rho, rho, rho], rng);
      expect(Math.abs(scalar(klPenalty(code, rho)))).toBeLessThan(1e-5);
      code.dispose();
    }
  });

  it('is positive when a channel is off target, and grows the further off it is', () => {
    const rng = new Rng(2);
    let previous = 0;
    for (const off of [0.07, 0.15, 0.4, 0.8]) {
      const code = codeWithMeans([0.05, off, 0.05], rng);
      const v = scalar(klPenalty(code, 0.05));
      expect(v).toBeGreaterThan(previous);
      previous = v;
      code.dispose();
    }
    // Below target counts too.
    const low = codeWithMeans([0.01, 0.05], rng);
    expect(scalar(klPenalty(low, 0.05))).toBeGreaterThan(0.01);
    low.dispose();
  });

  it('matches the formula on a hand example: sum over channels of KL(rho || mean)', () => {
    // 2 pixels, 3 channels: channel means 0.1, 0.3, 0.05.
    const code = tf.tensor4d([0.0, 0.2, 0.05, 0.2, 0.4, 0.05], [1, 1, 2, 3]);
    const rho = 0.05;
    const expected = kl(rho, 0.1) + kl(rho, 0.3) + kl(rho, 0.05);
    expect(expected).toBeGreaterThan(0.1);
    expect(scalar(klPenalty(code, rho))).toBeCloseTo(expected, 5);
    code.dispose();
  });

  it('stays finite for dead (all-zero) and saturated channels', () => {
    const code = tf.tensor4d([0, 1, 0, 1], [1, 1, 2, 2]);
    const v = scalar(klPenalty(code, 0.05));
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThan(1);
    code.dispose();
  });
});

describe('l1Penalty', () => {
  it('is the mean absolute activation', () => {
    const rng = new Rng(3);
    const v = new Float32Array(2 * 3 * 5 * 4);
    let sum = 0;
    for (let i = 0; i < v.length; i++) {
      v[i] = rng.normal();
      sum += Math.abs(v[i]!);
    }
    const code = tf.tensor4d(v, [2, 3, 5, 4]);
    expect(scalar(l1Penalty(code))).toBeCloseTo(sum / v.length, 5);
    code.dispose();
    const zeros = tf.zeros([1, 2, 2, 3]);
    expect(scalar(l1Penalty(zeros))).toBe(0);
    zeros.dispose();
  });
});

describe('contractivePenalty', () => {
  // A linear encoder h = flatten(x) . W: its Jacobian is W^T for every sample, so
  // E_v ||J v||^2 = ||W||_F^2 per sample, and the penalty (divided by x.size) has expectation
  // batch * ||W||_F^2 / x.size = ||W||_F^2 / (values per sample).
  const [h, w, c, k] = [4, 4, 3, 16];
  const d = h * w * c;
  const rng = new Rng(4);
  const wv = new Float32Array(d * k);
  let frob2 = 0;
  for (let i = 0; i < wv.length; i++) {
    wv[i] = rng.normal() * 0.3;
    frob2 += wv[i]! * wv[i]!;
  }

  function estimate(batch: number, draws: number): number {
    const W = tf.tensor2d(wv, [d, k]);
    const encode = (t: tf.Tensor): tf.Tensor => tf.matMul(tf.reshape(t, [t.shape[0]!, -1]), W);
    const xs = new Float32Array(batch * d);
    for (let i = 0; i < xs.length; i++) xs[i] = rng.next();
    const x = tf.tensor4d(xs, [batch, h, w, c]);
    const code = encode(x);
    let total = 0;
    for (let i = 0; i < draws; i++) total += scalar(contractivePenalty(encode, x, code));
    tf.dispose([W, x, code]);
    return total / draws;
  }

  it('averages to ||W||_F^2 / x.size for one sample (400 draws)', () => {
    const mean = estimate(1, 400);
    const expected = frob2 / d;
    expect(Math.abs(mean - expected) / expected).toBeLessThan(0.1);
  });

  it('averages to ||W||_F^2 / (values per sample) over a large batch, independent of batch size', () => {
    const mean = estimate(500, 4);
    const expected = frob2 / d;
    expect(Math.abs(mean - expected) / expected).toBeLessThan(0.1);
  });

  it('is zero for an encoder that ignores its input', () => {
    const encode = (t: tf.Tensor): tf.Tensor => tf.mul(tf.sum(t, [1, 2, 3], true), 0);
    const x = tf.ones([2, 4, 4, 3]);
    const code = encode(x);
    expect(scalar(contractivePenalty(encode, x, code))).toBe(0);
    tf.dispose([x, code]);
  });
});

describe('parseRegularizer', () => {
  it('accepts l1, kl and contractive with lambda >= 0', () => {
    expect(parseRegularizer('l1', 0.001)).toEqual({ kind: 'l1', lambda: 0.001, rho: undefined });
    expect(parseRegularizer('kl', 0, 0.1)).toEqual({ kind: 'kl', lambda: 0, rho: 0.1 });
    expect(parseRegularizer('contractive', 2)).toEqual({ kind: 'contractive', lambda: 2, rho: undefined });
  });

  it.each([
    ['l2', 0.1, undefined],
    ['', 0.1, undefined],
    ['L1', 0.1, undefined],
    ['l1', -0.1, undefined],
    ['kl', Number.NaN, undefined],
    ['kl', 0.1, 0],
    ['kl', 0.1, 1],
    ['kl', 0.1, -0.5],
  ])('rejects kind %j, lambda %d, rho %j with a usage error', (kind, lambda, rho) => {
    let err: unknown;
    try {
      parseRegularizer(kind, lambda, rho);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MendError);
    expect((err as MendError).code).toBe('usage');
  });
});

describe('sigmoidContractivePenalty', () => {
  it('is the exact Jacobian norm that contractivePenalty estimates, for one dense sigmoid layer', () => {
    const rng = new Rng(5);
    const d = 12;
    const k = 5;
    const w = tf.tensor2d(Float32Array.from({ length: d * k }, () => 0.5 * rng.normal()), [d, k]);
    const b = tf.tensor1d(Float32Array.from({ length: k }, () => 0.3 * rng.normal()));
    const x = tf.tensor2d(Float32Array.from({ length: 8 * d }, () => rng.normal()), [8, d]);
    const encode = (t: tf.Tensor): tf.Tensor => tf.sigmoid(tf.add(tf.matMul(t as tf.Tensor2D, w), b));
    const code = encode(x) as tf.Tensor2D;
    const exact = scalar(sigmoidContractivePenalty(code, w));
    let estimate = 0;
    const samples = 400;
    for (let i = 0; i < samples; i++) estimate += scalar(contractivePenalty(encode, x, code, 1e-3));
    estimate /= samples;
    expect(exact).toBeGreaterThan(0);
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.1);
    tf.dispose([w, b, x, code]);
  });
});
