// On-the-fly training corruption: the --noise parser, corruptBatch's noise and conditioning
// planes, and the random hole masks used to train inpainters.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/math/rng.js';
import { corruptBatch, parseTrainCorruption, randomHoleMask } from '../../../src-main/core/train/corruption.js';
import { photoNoise } from '../../../src-main/core/train/corruption.js';
import { MendError } from '../../../src-main/shared/errors.js';
import { naturalImage } from '../../helpers/synthetic.js';

function usageError(fn: () => unknown): MendError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MendError);
  expect((err as MendError).code).toBe('usage');
  return err as MendError;
}

/** n clean patches [n, size, size, channels] cut from a synthetic photo. */
function cleanPatches(n: number, size: number, channels: number, seed: number): Float32Array {
  const img = naturalImage(size, size * n, channels, seed);
  return Float32Array.from(img.data); // rows of n stacked patches = n patches in NHWC order
}

function meanStd(values: number[]): [number, number] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const v = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return [mean, Math.sqrt(v)];
}

describe('parseTrainCorruption', () => {
  it.each([
    ['gaussian:25', { kind: 'gaussian', sigma: [25, 25] }],
    ['gaussian:0-55', { kind: 'gaussian', sigma: [0, 55] }],
    ['  gaussian:7.5-12 ', { kind: 'gaussian', sigma: [7.5, 12] }],
    ['poisson-gaussian:0.01-0.02,0.0001', { kind: 'poisson-gaussian', a: [0.01, 0.02], b: [0.0001, 0.0001] }],
    ['poisson-gaussian:1e-3,1e-4-4e-4', { kind: 'poisson-gaussian', a: [0.001, 0.001], b: [0.0001, 0.0004] }],
    ['salt-pepper:0.05', { kind: 'salt-pepper', p: [0.05, 0.05] }],
    ['salt-pepper:0.01-0.1', { kind: 'salt-pepper', p: [0.01, 0.1] }],
    ['damage', { kind: 'damage' }],
    ['none', { kind: 'none' }],
  ])('parses %j', (text, expected) => {
    expect(parseTrainCorruption(text)).toEqual(expected);
  });

  it.each([
    '',
    'blur:3',
    'Gaussian:25',
    'gaussian',
    'gaussian:',
    'gaussian:abc',
    'gaussian:-5',
    'gaussian:55-0',
    'gaussian:1-2-3',
    'gaussian:25:30',
    'gaussian:0x10',
    'gaussian:300',
    'salt-pepper:2',
    'salt-pepper:',
    'poisson-gaussian:0.01',
    'poisson-gaussian:0.01,',
    'poisson-gaussian:0.01,0.001,5',
    'poisson-gaussian:2,0.001',
    'damage:5',
    'none:0',
  ])('rejects %j with a usage error that shows the accepted forms', (text) => {
    expect(usageError(() => parseTrainCorruption(text)).message).toMatch(/gaussian:SIGMA/);
  });
});

describe('corruptBatch', () => {
  it('gaussian sigma 25: noise std 25/255, zero mean, and a noise-map plane of 25/255', async () => {
    const [n, size] = [4, 32];
    for (const channels of [1, 3]) {
      const clean = cleanPatches(n, size, channels, 11);
      const { input, mask } = await corruptBatch(clean, n, size, channels, { kind: 'gaussian', sigma: [25, 25] }, 'noise-map', new Rng(1));
      expect(mask).toBeUndefined();
      const cin = channels + 1;
      expect(input.length).toBe(n * size * size * cin);
      const noise: number[] = [];
      let wrongMap = 0;
      for (let p = 0; p < n * size * size; p++) {
        for (let c = 0; c < channels; c++) noise.push(input[p * cin + c]! - clean[p * channels + c]!);
        if (input[p * cin + channels] !== Math.fround(25 / 255)) wrongMap++;
      }
      expect(wrongMap).toBe(0);
      const [mean, std] = meanStd(noise);
      expect(Math.abs(mean)).toBeLessThan(0.01);
      expect(std / (25 / 255)).toBeGreaterThan(0.96);
      expect(std / (25 / 255)).toBeLessThan(1.04);
    }
  });

  it('gaussian with a range: each patch gets its own sigma, and its map plane says which', async () => {
    const [n, size, channels] = [6, 48, 1];
    const clean = cleanPatches(n, size, channels, 12);
    const { input } = await corruptBatch(clean, n, size, channels, { kind: 'gaussian', sigma: [5, 55] }, 'noise-map', new Rng(2));
    const px = size * size;
    const sigmas: number[] = [];
    for (let i = 0; i < n; i++) {
      const noise: number[] = [];
      const map = input[i * px * 2 + 1]!;
      let varying = 0;
      for (let p = 0; p < px; p++) {
        noise.push(input[(i * px + p) * 2]! - clean[i * px + p]!);
        if (input[(i * px + p) * 2 + 1] !== map) varying++; // constant over the patch
      }
      expect(varying).toBe(0);
      expect(map * 255).toBeGreaterThanOrEqual(5);
      expect(map * 255).toBeLessThanOrEqual(55);
      const std = meanStd(noise)[1];
      expect(std / map).toBeGreaterThan(0.93);
      expect(std / map).toBeLessThan(1.07);
      sigmas.push(map);
    }
    expect(new Set(sigmas).size).toBe(n);
  });

  it('without conditioning the input is just the noisy image', async () => {
    const clean = cleanPatches(2, 16, 3, 13);
    const { input } = await corruptBatch(clean, 2, 16, 3, { kind: 'gaussian', sigma: [25, 25] }, 'none', new Rng(3));
    expect(input.length).toBe(clean.length);
    const { input: none } = await corruptBatch(clean, 2, 16, 3, { kind: 'none' }, 'none', new Rng(3));
    expect(Array.from(none)).toEqual(Array.from(clean));
  });

  it('damage: the mask plane equals the returned mask, and known pixels are untouched', async () => {
    const [n, size] = [5, 32];
    for (const channels of [1, 3]) {
      const clean = cleanPatches(n, size, channels, 14);
      const { input, mask } = await corruptBatch(clean, n, size, channels, { kind: 'damage' }, 'mask', new Rng(4 + channels));
      expect(mask).toBeDefined();
      const cin = channels + 1;
      const px = size * size;
      expect(mask!.length).toBe(n * px);
      let holes = 0;
      let changedHole = 0;
      let bad = 0; // non-binary mask values, plane != mask, changed known pixels, fills out of [0,1]
      for (let i = 0; i < n; i++) {
        let patchHoles = 0;
        for (let p = 0; p < px; p++) {
          const q = i * px + p;
          const m = mask![q]!;
          if (m !== 0 && m !== 1) bad++;
          if (input[q * cin + channels] !== m) bad++;
          patchHoles += m;
          for (let c = 0; c < channels; c++) {
            const v = input[q * cin + c]!;
            if (m === 0) {
              if (!Object.is(v, clean[q * channels + c])) bad++;
            } else {
              if (!(v >= 0 && v <= 1)) bad++;
              if (v !== clean[q * channels + c]) changedHole++;
            }
          }
        }
        expect(patchHoles).toBeGreaterThan(0); // every patch has something to fill
        expect(patchHoles).toBeLessThan(px); // ... and something to fill it from
        holes += patchHoles;
      }
      expect(bad).toBe(0);
      // The holes are pre-filled by interpolation, so they no longer hold the clean values.
      expect(changedHole).toBeGreaterThan(0.5 * holes * channels);
    }
  });

  it('is reproducible: the same seed gives the same batch', async () => {
    const clean = cleanPatches(3, 16, 1, 15);
    for (const spec of [{ kind: 'gaussian', sigma: [0, 50] }, { kind: 'damage' }, { kind: 'salt-pepper', p: [0.1, 0.2] }] as const) {
      const cond = spec.kind === 'damage' ? 'mask' : 'noise-map';
      const a = await corruptBatch(clean, 3, 16, 1, spec as never, cond, new Rng(9));
      const b = await corruptBatch(clean, 3, 16, 1, spec as never, cond, new Rng(9));
      expect(Array.from(a.input)).toEqual(Array.from(b.input));
    }
  });

  it('poisson-gaussian: the map plane is sqrt(a*y + b) per pixel, and noise variance follows it', async () => {
    const [n, size] = [2, 48];
    const clean = cleanPatches(n, size, 1, 16);
    const a = 0.02;
    const b = 0.0004;
    const { input } = await corruptBatch(clean, n, size, 1, { kind: 'poisson-gaussian', a: [a, a], b: [b, b] }, 'noise-map', new Rng(6));
    let ratio = 0;
    let count = 0;
    let mapError = 0;
    for (let p = 0; p < n * size * size; p++) {
      const y = clean[p]!;
      mapError = Math.max(mapError, Math.abs(input[p * 2 + 1]! - Math.sqrt(a * y + b)));
      // Normalised squared error: averages to ~1 (values away from the clip at 0 and 1).
      if (y > 0.2 && y < 0.8) {
        ratio += (input[p * 2]! - y) ** 2 / (a * y + b);
        count++;
      }
    }
    expect(mapError).toBeLessThan(1e-6);
    expect(count).toBeGreaterThan(500);
    expect(ratio / count).toBeGreaterThan(0.85);
    expect(ratio / count).toBeLessThan(1.15);
  });
});

describe('randomHoleMask', () => {
  for (const size of [32, 64, 96]) {
    it(`covers between 0.5% and 60% of a ${size}x${size} patch, with varied coverage`, async () => {
      const coverages: number[] = [];
      let nonBinary = 0;
      for (let seed = 0; seed < 300; seed++) {
        const m = randomHoleMask(size, size, new Rng(seed));
        expect(m.length).toBe(size * size);
        let holes = 0;
        for (const v of m) {
          if (v !== 0 && v !== 1) nonBinary++;
          holes += v;
        }
        coverages.push(holes / m.length);
      }
      expect(nonBinary).toBe(0);
      const [mean, std] = meanStd(coverages);
      expect(Math.min(...coverages)).toBeGreaterThanOrEqual(0.005);
      expect(Math.max(...coverages)).toBeLessThanOrEqual(0.6);
      // Not one fixed shape: small scratches and large holes both occur.
      expect(std).toBeGreaterThan(0.04);
      expect(mean).toBeGreaterThan(0.05);
    });
  }

  it('works on non-square patches', async () => {
    const m = randomHoleMask(80, 24, new Rng(5));
    expect(m.length).toBe(80 * 24);
    const cov = m.reduce((a, b) => a + b, 0) / m.length;
    expect(cov).toBeGreaterThanOrEqual(0.005);
    expect(cov).toBeLessThanOrEqual(0.6);
  });
});

describe('photo training noise', () => {
  it('parses photo:A,B with ranges, and an optional JPEG quality range', async () => {
    expect(parseTrainCorruption('photo:0.001-0.01,0-0.0004')).toEqual({ kind: 'photo', a: [0.001, 0.01], b: [0, 0.0004] });
    expect(parseTrainCorruption('photo:0.001,0,60-95')).toEqual({ kind: 'photo', a: [0.001, 0.001], b: [0, 0], jpeg: [60, 95] });
    expect(() => parseTrainCorruption('photo:0.01')).toThrow(/photo needs A,B/);
    for (const bad of ['photo:0.01,0,0-90', 'photo:0.01,0,60-101', 'photo:0.01,0,70.5', 'poisson-gaussian:0.01,0,80', 'photo:0.01,0,80,1']) {
      expect(() => parseTrainCorruption(bad), bad).toThrow(MendError);
    }
  });

  it('with a JPEG quality, about half the patches carry JPEG blocking and the rest do not', async () => {
    // A flat patch: Poisson-Gaussian noise alone has no 8x8 structure; JPEG at low quality
    // quantises each 8x8 block's DCT, so the jumps across block borders outgrow those inside.
    const size = 64;
    const n = 24;
    const clean = new Float32Array(n * size * size * 3).fill(0.5);
    const spec = { kind: 'photo', a: [0.01, 0.01], b: [0.0005, 0.0005], jpeg: [20, 20] } as const;
    const { input } = await corruptBatch(clean, n, size, 3, spec as never, 'noise-map', new Rng(11));
    let blocky = 0;
    for (let i = 0; i < n; i++) {
      let border = 0;
      let inner = 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size - 1; x++) {
          const at = (xx: number): number => input[((i * size + y) * size + xx) * 4 + 1]!;
          const d = Math.abs(at(x + 1) - at(x));
          if (x % 8 === 7) border += d;
          else inner += d / 6;
        }
      }
      if (border > 1.3 * inner) blocky++;
    }
    expect(blocky, `${blocky} of ${n} blocky`).toBeGreaterThan(n * 0.2);
    expect(blocky).toBeLessThan(n * 0.8);
  });

  it('is 8-bit, keeps the Poisson-Gaussian level, and is spatially correlated about half the time', async () => {
    const size = 64;
    const y = 0.4;
    const a = 0.004;
    const b = 0.0002;
    const patch = { width: size, height: size, channels: 1, data: new Float32Array(size * size).fill(y) };
    const rng = new Rng(5);
    const expected = Math.sqrt(a * y + b);
    let correlated = 0;
    const draws = 40;
    for (let d = 0; d < draws; d++) {
      const out = photoNoise(patch, a, b, rng);
      let sum = 0;
      let sq = 0;
      let lag = 0;
      for (let i = 0; i < out.length; i++) {
        expect(Math.abs(out[i]! * 255 - Math.round(out[i]! * 255))).toBeLessThan(1e-4);
        const n = out[i]! - y;
        sum += n;
        sq += n * n;
        if (i % size !== size - 1) lag += n * (out[i + 1]! - y);
      }
      const variance = sq / out.length - (sum / out.length) ** 2;
      // Quantisation adds 1/12 LSB^2; the level stays within 10%.
      expect(Math.sqrt(variance)).toBeGreaterThan(expected * 0.9);
      expect(Math.sqrt(variance)).toBeLessThan(expected * 1.1);
      if (lag / (size * (size - 1)) / variance > 0.1) correlated++;
    }
    expect(correlated, `${correlated} of ${draws} correlated`).toBeGreaterThan(draws * 0.25);
    expect(correlated).toBeLessThan(draws * 0.75);
  });
});
