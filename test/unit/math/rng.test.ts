import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/math/rng.js';

function moments(xs: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - mean) ** 2;
  return { mean, variance: v / (xs.length - 1) };
}

function sample(n: number, f: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f();
  return out;
}

describe('Rng', () => {
  it('is reproducible: same seed, same sequence; other seeds differ', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = sample(1000, () => a.next());
    const sb = sample(1000, () => b.next());
    const sc = sample(1000, () => c.next());
    expect(Array.from(sa)).toEqual(Array.from(sb));
    expect(Array.from(sa)).not.toEqual(Array.from(sc));
    // Mixed calls stay in step too (normal() caches its second value per instance).
    const x = new Rng(7);
    const y = new Rng(7);
    const mixed = (r: Rng): number[] => [r.normal(), r.next(), r.normal(), r.normal(), r.int(10), r.poisson(3.5), r.poisson(80)];
    expect(mixed(x)).toEqual(mixed(y));
  });

  it('distinguishes large and fractional seeds', () => {
    expect(new Rng(2 ** 32).next()).not.toBe(new Rng(0).next());
    expect(new Rng(1.5).next()).not.toBe(new Rng(1).next());
    expect(() => new Rng(Number.NaN)).toThrow();
  });

  it('next() is uniform in [0, 1)', () => {
    const r = new Rng(1);
    const xs = sample(200_000, () => r.next());
    expect(xs.reduce((m, x) => Math.min(m, x), 1)).toBeGreaterThanOrEqual(0);
    expect(xs.reduce((m, x) => Math.max(m, x), 0)).toBeLessThan(1);
    const { mean, variance } = moments(xs);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 3);
  });

  it('normal() has mean 0, variance 1 and Gaussian tails', () => {
    const r = new Rng(2);
    const xs = sample(200_000, () => r.normal());
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.015);
    let beyond2 = 0;
    let m4 = 0;
    for (const x of xs) {
      if (Math.abs(x) > 2) beyond2++;
      m4 += x ** 4;
    }
    expect(beyond2 / xs.length).toBeCloseTo(0.0455, 2); // P(|z| > 2)
    expect(m4 / xs.length).toBeGreaterThan(2.9); // kurtosis 3
    expect(m4 / xs.length).toBeLessThan(3.1);
  });

  it('int(n) covers 0..n-1 evenly', () => {
    const r = new Rng(3);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.int(7)]!++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it.each([0.3, 4, 9.9, 10, 25, 80, 1000, 50_000])('poisson(%s) has mean and variance lambda', (lambda) => {
    const r = new Rng(4);
    const xs = sample(100_000, () => r.poisson(lambda));
    expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / xs.length));
    expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.03);
  });

  it('poisson() matches the exact probabilities', () => {
    const r = new Rng(5);
    const n = 200_000;
    // lambda 2: P(0) = e^-2. lambda 40 (rejection sampler): P(40) = e^-40 40^40 / 40!
    let zeros = 0;
    for (let i = 0; i < n; i++) if (r.poisson(2) === 0) zeros++;
    expect(zeros / n).toBeCloseTo(Math.exp(-2), 2);
    let logP40 = -40 + 40 * Math.log(40);
    for (let k = 2; k <= 40; k++) logP40 -= Math.log(k);
    let at40 = 0;
    for (let i = 0; i < n; i++) if (r.poisson(40) === 40) at40++;
    expect(Math.abs(at40 / n - Math.exp(logP40))).toBeLessThan(0.003);
    expect(r.poisson(0)).toBe(0);
    expect(() => r.poisson(-1)).toThrow();
  });
});
