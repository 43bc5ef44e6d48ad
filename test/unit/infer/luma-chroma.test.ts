// Colour denoising with a grayscale network: the opponent transform, the guided filter on the
// chroma planes, and the gain over running the network on each RGB channel.
import { beforeAll, describe, expect, it } from 'vitest';
import { addNoise } from '../../../src-main/core/corrupt/noise.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import { denoiseRaster } from '../../../src-main/core/infer/denoise.js';
import { boxMean, guidedFilter } from '../../../src-main/core/infer/guided-filter.js';
import { CHROMA_NETWORK_WEIGHT, denoiseLumaChroma, fromOpponent, toOpponent } from '../../../src-main/core/infer/luma-chroma.js';
import type { Raster } from '../../../src-main/core/image/raster.js';
import { psnr } from '../../../src-main/core/metrics/psnr.js';
import { resolveModel } from '../../../src-main/core/models/registry.js';
import type { LoadedModel } from '../../../src-main/core/models/store.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import { naturalImage } from '../../helpers/synthetic.js';

function randomPlane(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.next());
}

/** Mean over the clipped window, pixel by pixel: the definition boxMean must meet. */
function naiveBox(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      let n = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
          s += src[yy * w + xx];
          n++;
        }
      }
      out[y * w + x] = s / n;
    }
  }
  return out;
}

/** The guided filter's smoothed coefficients, written out from the paper with naive window means. */
function naiveCoefficients(I: Float32Array, p: Float32Array, w: number, h: number, r: number, eps: number): { ma: Float32Array; mb: Float32Array } {
  const n = w * h;
  const mul = (a: Float32Array, b: Float32Array): Float32Array => a.map((v, i) => v * b[i]);
  const mI = naiveBox(I, w, h, r);
  const mp = naiveBox(p, w, h, r);
  const vI = naiveBox(mul(I, I), w, h, r).map((v, i) => v - mI[i] * mI[i]);
  const cIp = naiveBox(mul(I, p), w, h, r).map((v, i) => v - mI[i] * mp[i]);
  const a = new Float32Array(n).map((_, i) => cIp[i] / (vI[i] + eps));
  const b = new Float32Array(n).map((_, i) => mp[i] - a[i] * mI[i]);
  return { ma: naiveBox(a, w, h, r), mb: naiveBox(b, w, h, r) };
}

function naiveGuided(I: Float32Array, p: Float32Array, w: number, h: number, r: number, eps: number): Float32Array {
  const { ma, mb } = naiveCoefficients(I, p, w, h, r, eps);
  return I.map((v, i) => ma[i] * v + mb[i]);
}

/**
 * The fast guided filter with factor 2: coefficients on 2x2 block means, bilinear back up; with
 * `variance`, b also gets the residual's share beyond a quarter of that variance.
 */
function naiveFastGuided(I: Float32Array, p: Float32Array, w: number, h: number, r: number, eps: number, variance?: number): Float32Array {
  const W = Math.ceil(w / 2);
  const H = Math.ceil(h / 2);
  const down = (src: Float32Array): Float32Array => new Float32Array(W * H).map((_, j) => {
    const bx = j % W;
    const by = Math.floor(j / W);
    let s = 0;
    let n = 0;
    for (let y = 2 * by; y < Math.min(h, 2 * by + 2); y++) for (let x = 2 * bx; x < Math.min(w, 2 * bx + 2); x++, n++) s += src[y * w + x];
    return s / n;
  });
  const Ic = down(I);
  const pc = down(p);
  const { ma, mb } = naiveCoefficients(Ic, pc, W, H, r, eps);
  if (variance !== undefined) {
    const d = pc.map((v, i) => v - (ma[i] * Ic[i] + mb[i]));
    const e = naiveBox(d.map((v) => v * v), W, H, r);
    for (let i = 0; i < mb.length; i++) if (e[i] > variance / 4) mb[i] += ((e[i] - variance / 4) / e[i]) * d[i];
  }
  const at = (g: Float32Array, x: number, y: number): number => {
    const cx = Math.min(W - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
    const cy = Math.min(H - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const x0 = Math.floor(cx);
    const y0 = Math.floor(cy);
    const x1 = Math.min(W - 1, x0 + 1);
    const y1 = Math.min(H - 1, y0 + 1);
    const tx = cx - x0;
    const ty = cy - y0;
    return (1 - ty) * ((1 - tx) * g[y0 * W + x0] + tx * g[y0 * W + x1]) + ty * ((1 - tx) * g[y1 * W + x0] + tx * g[y1 * W + x1]);
  };
  return I.map((v, i) => at(ma, i % w, Math.floor(i / w)) * v + at(mb, i % w, Math.floor(i / w)));
}

const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('boxMean', () => {
  it('is the mean over the window clipped at the borders, for radii below and above the image size', () => {
    const src = randomPlane(13 * 9, 1);
    for (const r of [0, 1, 3, 12]) expect(maxDiff(boxMean(src, 13, 9, r), naiveBox(src, 13, 9, r))).toBeLessThan(1e-5);
  });
});

describe('guidedFilter', () => {
  it('equals the paper\'s equations on an image taller than one strip (strip seams are exact)', () => {
    const w = 17;
    const h = 601;
    const I = randomPlane(w * h, 2);
    const p = randomPlane(w * h, 3);
    const q = randomPlane(w * h, 4);
    const [fp, fq] = guidedFilter(I, [p, q], w, h, { radius: 3, eps: 1e-3 });
    expect(maxDiff(fp!, naiveGuided(I, p, w, h, 3, 1e-3))).toBeLessThan(1e-4);
    expect(maxDiff(fq!, naiveGuided(I, q, w, h, 3, 1e-3))).toBeLessThan(1e-4);
  });

  it('with subsample 2 equals the fast guided filter: coefficients on 2x2 means, bilinear back up', () => {
    const w = 19; // odd sides: partial blocks at the right and bottom
    const h = 603;
    const I = randomPlane(w * h, 5);
    const p = randomPlane(w * h, 6);
    const [fp] = guidedFilter(I, [p], w, h, { radius: 4, eps: 1e-3, subsample: 2 });
    expect(maxDiff(fp!, naiveFastGuided(I, p, w, h, 2, 1e-3))).toBeLessThan(1e-4);
    const [fv] = guidedFilter(I, [p], w, h, { radius: 4, eps: 1e-3, subsample: 2, noiseVariances: [0.05] });
    expect(maxDiff(fv!, naiveFastGuided(I, p, w, h, 2, 1e-3, 0.05))).toBeLessThan(1e-4);
    expect(maxDiff(fv!, fp!)).toBeGreaterThan(0.01); // the option did something
  });

  it('keeps a chroma edge that the guide has and removes the noise on either side', () => {
    const w = 64;
    const h = 64;
    const guide = new Float32Array(w * h);
    const clean = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        guide[y * w + x] = x < 32 ? 0.2 : 0.8;
        clean[y * w + x] = x < 32 ? -0.1 : 0.15;
      }
    }
    const rng = new Rng(4);
    const noisy = clean.map((v) => v + 0.06 * rng.normal());
    const [out] = guidedFilter(guide, [noisy], w, h, { radius: 3, eps: 1e-3, subsample: 2 });
    const rms = (a: Float32Array): number => Math.sqrt(a.reduce((s, v, i) => s + (v - clean[i]) ** 2, 0) / a.length);
    // Noise std 0.06 falls to under a quarter; a blur across the edge would leave errors of ~0.1.
    expect(rms(out!)).toBeLessThan(0.25 * rms(noisy));
    for (let y = 0; y < h; y++) {
      expect(Math.abs(out![y * w + 31] - -0.1)).toBeLessThan(0.05);
      expect(Math.abs(out![y * w + 32] - 0.15)).toBeLessThan(0.05);
    }
  });
});

describe('guidedFilter with noise variances', () => {
  it('gives back a colour edge the guide lacks and leaves noise on flat colour filtered', () => {
    // Equal brightness on both sides: the guide is flat, the chroma steps at x = 32.
    const w = 64;
    const h = 300; // over one strip
    const guide = new Float32Array(w * h).fill(0.5);
    const clean = new Float32Array(w * h).map((_, i) => (i % w < 32 ? -0.1 : 0.1));
    const rng = new Rng(8);
    const sd = 0.04;
    const noisy = clean.map((v) => v + sd * rng.normal());
    const opts = { radius: 4, eps: 1e-3, subsample: 2 } as const;
    const [blurred] = guidedFilter(guide, [noisy], w, h, opts);
    const [kept] = guidedFilter(guide, [noisy], w, h, { ...opts, noiseVariances: [sd * sd] });
    const rms = (a: Float32Array, cols: (x: number) => boolean): number => {
      let s = 0;
      let n = 0;
      for (let i = 0; i < a.length; i++) if (cols(i % w)) { s += (a[i] - clean[i]) ** 2; n++; }
      return Math.sqrt(s / n);
    };
    const edge = (x: number): boolean => x >= 30 && x < 34; // the 4 columns at the step
    const flat = (x: number): boolean => x < 20 || x >= 44;
    // Across the edge the blur is an error of about two noise sds; most of it comes back.
    expect(rms(blurred!, edge)).toBeGreaterThan(1.5 * sd);
    expect(rms(kept!, edge)).toBeLessThan(0.6 * rms(blurred!, edge));
    // Away from the edge the result stays under a tenth of the noise (measured 0.0028 without the
    // option, 0.0036 with it: noise sometimes looks like structure).
    expect(rms(kept!, flat)).toBeLessThan(0.12 * sd);
    expect(rms(kept!, flat)).toBeLessThan(1.5 * rms(blurred!, flat));
  });
});

describe('opponent planes', () => {
  it('round-trip RGB exactly and turn white RGB noise into independent planes of the documented std', () => {
    const rng = new Rng(5);
    const n = 200_000;
    const data = Float32Array.from({ length: 3 * n }, () => rng.normal());
    const planes = toOpponent({ width: n, height: 1, channels: 3, data });
    expect(maxDiff(fromOpponent(planes, n, 1).data, data)).toBeLessThan(1e-5);
    const std = (a: Float32Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(std(planes.y)).toBeCloseTo(1 / Math.sqrt(3), 2);
    expect(std(planes.u)).toBeCloseTo(1 / Math.SQRT2, 2);
    expect(std(planes.v)).toBeCloseTo(Math.sqrt(6) / 4, 2);
    const corr = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i], 0) / a.length / (std(a) * std(b));
    expect(Math.abs(corr(planes.y, planes.u))).toBeLessThan(0.01);
    expect(Math.abs(corr(planes.y, planes.v))).toBeLessThan(0.01);
    expect(Math.abs(corr(planes.u, planes.v))).toBeLessThan(0.01);
  });
});

describe('a grayscale denoiser on a colour image', () => {
  let gray: LoadedModel;
  beforeAll(async () => {
    await initBackend('wasm');
    gray = await resolveModel('gray-lite', 'denoise', 1);
  });

  it('denoises a colour image far better than the colour network of the same cost', async () => {
    // color-lite: the colour default before this route, 86 kFLOP/px against gray-lite's 84.
    const colour = await resolveModel('color-lite', 'denoise', 3);
    const clean = naturalImage(160, 128, 3, 21);
    const noisy = addNoise(clean, { kind: 'gaussian', sigma: 25 }, new Rng(22));
    const { output } = await denoiseRaster(noisy, gray, { sigma: 25 });
    expect(output.channels).toBe(3);
    expect(psnr(output, clean) - psnr(noisy, clean)).toBeGreaterThan(10);
    const before = (await denoiseRaster(noisy, colour, { sigma: 25 })).output;
    expect(psnr(output, clean) - psnr(before, clean)).toBeGreaterThan(1);
  });

  it('with a chroma pass, blends the network\'s chroma with the filter\'s, each plane with its own noise level', async () => {
    const clean = naturalImage(64, 48, 3, 31);
    const noisy = addNoise(clean, { kind: 'gaussian', sigma: 20 }, new Rng(32));
    const same = async (r: Raster): Promise<Raster> => r;
    const filtered = toOpponent(await denoiseLumaChroma(noisy, 20, same));
    // A stand-in network that returns every chroma plane as a flat 0.5 (chroma 0 once shifted back).
    const seen: [number, number, number][] = [];
    const flat = async (r: Raster, s: number, k: number): Promise<Raster> => {
      seen.push([k, s, r.data.reduce((a, b) => a + b, 0) / r.data.length]);
      return { ...r, data: new Float32Array(r.data.length).fill(0.5) };
    };
    const blended = toOpponent(await denoiseLumaChroma(noisy, 20, same, undefined, flat));
    const k = 1 - CHROMA_NETWORK_WEIGHT;
    for (let i = 0; i < filtered.u.length; i += 97) {
      expect(blended.u[i]).toBeCloseTo(k * filtered.u[i]!, 5);
      expect(blended.v[i]).toBeCloseTo(k * filtered.v[i]!, 5);
    }
    // (R-B)/2 carries sigma/sqrt(2), (R-2G+B)/4 sigma*sqrt(6)/4; both arrive shifted into [0,1].
    expect(seen.map(([k, s]) => [k, +s.toFixed(3)])).toEqual([[0, 14.142], [1, 12.247]]);
    for (const [, , mean] of seen) expect(Math.abs(mean - 0.5)).toBeLessThan(0.2);
  });

  it('more passes on a colour photo: the chroma through the network too, well above one pass', async () => {
    const clean = naturalImage(128, 96, 3, 33);
    const noisy = addNoise(clean, { kind: 'gaussian', sigma: 25 }, new Rng(34), { clip: false });
    const one = (await denoiseRaster(noisy, gray, { sigma: 25 })).output;
    const two = (await denoiseRaster(noisy, gray, { sigma: 25, passes: 2 })).output;
    expect(psnr(two, clean) - psnr(one, clean)).toBeGreaterThan(0.2);
  });

  it('camera-like colour blotches: a half-resolution chroma pass removes more of them than the filter alone', async () => {
    // Colour noise correlated over a few pixels (demosaicing, in-camera processing): white noise
    // box-blurred over 3x3 in each chroma plane, on top of white luminance noise.
    const w = 128, h = 96;
    const clean = naturalImage(w, h, 3, 35);
    const planes = toOpponent(clean);
    const rng = new Rng(36);
    const blotches = (sd: number): Float32Array => boxMean(Float32Array.from({ length: w * h }, () => rng.normal() * sd), w, h, 1);
    const u = blotches(0.12), v = blotches(0.12);
    const noisy = fromOpponent({
      y: planes.y.map((x) => x + rng.normal() * 0.03), u: planes.u.map((x, i) => x + u[i]!), v: planes.v.map((x, i) => x + v[i]!),
    }, w, h);
    const run = async (r: Raster, s: number): Promise<Raster> => (await denoiseRaster(r, gray, { sigma: s })).output;
    const chroma = async (r: Raster, s: number): Promise<Raster> => run(r, s);
    const sizes: number[] = [];
    const sized = async (r: Raster, s: number): Promise<Raster> => (sizes.push(r.width, r.height), chroma(r, s));
    const filterOnly = await denoiseLumaChroma(noisy, 15, run);
    const half = await denoiseLumaChroma(noisy, 15, run, undefined, sized, 2);
    expect(sizes).toEqual([w / 2, h / 2, w / 2, h / 2]);
    const err = (r: Raster): number => {
      const o = toOpponent(r);
      let e = 0;
      for (let i = 0; i < o.u.length; i++) e += (o.u[i]! - planes.u[i]!) ** 2 + (o.v[i]! - planes.v[i]!) ** 2;
      return e;
    };
    expect(err(half)).toBeLessThan(0.85 * err(filterOnly));
  });

  it('leaves the chroma of a noiseless image untouched at sigma 0', async () => {
    const clean = naturalImage(96, 64, 3, 23);
    const { output } = await denoiseRaster(clean, gray, { sigma: 0 });
    const a = toOpponent(clean);
    const b = toOpponent(output);
    expect(maxDiff(a.u, b.u)).toBeLessThan(1e-5);
    expect(maxDiff(a.v, b.v)).toBeLessThan(1e-5);
  });
});
