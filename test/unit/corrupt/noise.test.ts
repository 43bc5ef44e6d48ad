import { describe, expect, it } from 'vitest';
import { createRaster, type Raster } from '../../../src-main/core/image/raster.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import {
  addNoise,
  describeNoise,
  formatNoiseSpec,
  parseNoiseSpec,
  type NoiseSpec,
} from '../../../src-main/core/corrupt/noise.js';
import { MendError } from '../../../src-main/shared/errors.js';
import { naturalImage } from '../../helpers/synthetic.js';

function constant(width: number, height: number, channels: number, value: number): Raster {
  const r = createRaster(width, height, channels);
  r.data.fill(value);
  return r;
}

function residualStats(noisy: Raster, clean: Raster): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  const n = noisy.data.length;
  for (let i = 0; i < n; i++) {
    const d = noisy.data[i]! - clean.data[i]!;
    s += d;
    s2 += d * d;
  }
  const mean = s / n;
  return { mean, std: Math.sqrt(s2 / n - mean * mean) };
}

function same(x: Float32Array, y: Float32Array): boolean {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
}

function usageError(f: () => unknown): MendError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MendError);
    expect((e as MendError).code).toBe('usage');
    return e as MendError;
  }
  throw new Error('expected a usage error');
}

describe('parseNoiseSpec', () => {
  it('parses the three kinds', () => {
    expect(parseNoiseSpec('gaussian:25')).toEqual({ kind: 'gaussian', sigma: 25 });
    expect(parseNoiseSpec(' Poisson-Gaussian: 0.01, 0.0004 ')).toEqual({ kind: 'poisson-gaussian', a: 0.01, b: 0.0004 });
    expect(parseNoiseSpec('salt-pepper:0.05')).toEqual({ kind: 'salt-pepper', p: 0.05 });
    expect(parseNoiseSpec('gaussian:1e1')).toEqual({ kind: 'gaussian', sigma: 10 });
  });

  it('round-trips through formatNoiseSpec', () => {
    for (const text of ['gaussian:7.5', 'poisson-gaussian:0.02,0.0001', 'salt-pepper:0.1']) {
      expect(formatNoiseSpec(parseNoiseSpec(text))).toBe(text);
    }
  });

  it('rejects bad text with a usage error that explains the format', () => {
    for (const bad of [
      'gaussian',
      'gaussian:',
      'gaussian:abc',
      'gaussian:-5',
      'gaussian:25,3',
      'gaussian:300',
      'poisson-gaussian:0.01',
      'poisson-gaussian:0.01,x',
      'salt-pepper:1.5',
      'speckle:0.1',
      '',
    ]) {
      const e = usageError(() => parseNoiseSpec(bad));
      expect(e.message).toMatch(/gaussian:/);
    }
  });

  it('describes specs', () => {
    expect(describeNoise({ kind: 'gaussian', sigma: 25 })).toMatch(/Gaussian.*25/);
    expect(describeNoise({ kind: 'poisson-gaussian', a: 0.01, b: 0.0004 })).toMatch(/Poisson-Gaussian.*0\.01.*0\.0004/);
    expect(describeNoise({ kind: 'salt-pepper', p: 0.05 })).toMatch(/salt-and-pepper.*5%/);
  });
});

describe('addNoise', () => {
  it('gaussian: residual std is sigma/255 within 2%, zero mean, unclipped by default', () => {
    const clean = constant(256, 256, 3, 0.02);
    for (const sigma of [5, 25, 50]) {
      const noisy = addNoise(clean, { kind: 'gaussian', sigma }, new Rng(sigma));
      const { mean, std } = residualStats(noisy, clean);
      expect(Math.abs(std / (sigma / 255) - 1)).toBeLessThan(0.02);
      expect(Math.abs(mean)).toBeLessThan((3 * sigma) / 255 / Math.sqrt(clean.data.length));
      expect(noisy.data.some((v) => v < 0)).toBe(true);
    }
    const clipped = addNoise(clean, { kind: 'gaussian', sigma: 25 }, new Rng(1), { clip: true });
    expect(clipped.data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('returns a new raster, leaves the input alone, and is reproducible', () => {
    const clean = naturalImage(64, 48, 3, 1);
    const before = new Float32Array(clean.data);
    const specs: NoiseSpec[] = [
      { kind: 'gaussian', sigma: 15 },
      { kind: 'poisson-gaussian', a: 0.01, b: 0.0004 },
      { kind: 'salt-pepper', p: 0.1 },
    ];
    for (const spec of specs) {
      const a = addNoise(clean, spec, new Rng(9));
      const b = addNoise(clean, spec, new Rng(9));
      const c = addNoise(clean, spec, new Rng(10));
      expect(a).not.toBe(clean);
      expect(a.data).not.toBe(clean.data);
      expect([a.width, a.height, a.channels]).toEqual([64, 48, 3]);
      expect(same(a.data, b.data)).toBe(true);
      expect(same(a.data, c.data)).toBe(false);
      expect(same(clean.data, before)).toBe(true);
    }
  });

  it('poisson-gaussian: mean y and variance a*y + b at two brightness levels', () => {
    const a = 0.01;
    const b = 0.0004;
    for (const y of [0.2, 0.7]) {
      const clean = constant(256, 256, 1, y);
      const noisy = addNoise(clean, { kind: 'poisson-gaussian', a, b }, new Rng(Math.round(y * 100)));
      const { mean, std } = residualStats(noisy, clean);
      expect(Math.abs(mean)).toBeLessThan(0.002);
      expect(Math.abs((std * std) / (a * y + b) - 1)).toBeLessThan(0.03);
      expect(noisy.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
    // Without the Poisson part it is Gaussian with variance b.
    const flat = constant(128, 128, 1, 0.5);
    const g = residualStats(addNoise(flat, { kind: 'poisson-gaussian', a: 0, b }, new Rng(1)), flat);
    expect(Math.abs((g.std * g.std) / b - 1)).toBeLessThan(0.04);
  });

  it('salt-pepper: about p of the pixels become black or white, whole pixels at a time', () => {
    const clean = constant(200, 200, 3, 0.5);
    const p = 0.05;
    const noisy = addNoise(clean, { kind: 'salt-pepper', p }, new Rng(3));
    let black = 0;
    let white = 0;
    let other = 0;
    for (let i = 0; i < noisy.data.length; i += 3) {
      const [r, g, b] = [noisy.data[i]!, noisy.data[i + 1]!, noisy.data[i + 2]!];
      if (r !== g || g !== b) other++;
      else if (r === 0) black++;
      else if (r === 1) white++;
      else if (r !== 0.5) other++;
    }
    expect(other).toBe(0);
    const n = 200 * 200;
    const sd = Math.sqrt(p * (1 - p) * n);
    expect(Math.abs(black + white - p * n)).toBeLessThan(4 * sd);
    expect(Math.abs(black - white)).toBeLessThan(0.2 * (black + white));
  });

  it('correlated gaussian keeps sigma and correlates neighbours', () => {
    const clean = constant(256, 256, 1, 0.5);
    const neighbourCorrelation = (r: Raster): number => {
      let num = 0;
      let den = 0;
      for (let y = 0; y < r.height; y++) {
        for (let x = 0; x + 1 < r.width; x++) {
          const i = y * r.width + x;
          const d0 = r.data[i]! - 0.5;
          num += d0 * (r.data[i + 1]! - 0.5);
          den += d0 * d0;
        }
      }
      return num / den;
    };
    const white = addNoise(clean, { kind: 'gaussian', sigma: 20 }, new Rng(5));
    const correlated = addNoise(clean, { kind: 'gaussian', sigma: 20 }, new Rng(5), { correlation: 1 });
    expect(Math.abs(residualStats(correlated, clean).std / (20 / 255) - 1)).toBeLessThan(0.03);
    expect(Math.abs(neighbourCorrelation(white))).toBeLessThan(0.02);
    // Binomial [1,2,1]/4 kernel: lag-1 correlation 2/3.
    expect(neighbourCorrelation(correlated)).toBeCloseTo(2 / 3, 1);
    usageError(() => addNoise(clean, { kind: 'salt-pepper', p: 0.1 }, new Rng(1), { correlation: 0.5 }));
    usageError(() => addNoise(clean, { kind: 'gaussian', sigma: 5 }, new Rng(1), { correlation: 2 }));
  });

  it('rejects out-of-range specs', () => {
    const clean = constant(4, 4, 1, 0.5);
    usageError(() => addNoise(clean, { kind: 'gaussian', sigma: -1 }, new Rng(1)));
    usageError(() => addNoise(clean, { kind: 'salt-pepper', p: 2 }, new Rng(1)));
  });
});
