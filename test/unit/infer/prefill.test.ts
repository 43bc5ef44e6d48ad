import { describe, expect, it } from 'vitest';
import { nonLocalBlend, nonLocalBlendSteps } from '../../../src-main/core/infer/nonlocal-blend.js';
import { harmonicFill, inpaintPrefill, inpaintPrefillSteps } from '../../../src-main/core/infer/prefill.js';
import { pushPullFill } from '../../../src-main/core/infer/push-pull.js';
import { runStepsAsync } from '../../../src-main/core/jobs/steps.js';
import type { JobEvent } from '../../../src-main/shared/jobs.js';
import { createRaster, type Raster } from '../../../src-main/core/image/raster.js';
import { naturalImage } from '../../helpers/synthetic.js';

function rectMask(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * width + x] = 1;
  return m;
}

function scribbleMask(width: number, height: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (Math.abs(x - y * 1.3 - 5) < 3 || (x - 40) ** 2 + (y - 30) ** 2 < 100) m[y * width + x] = 1;
    }
  return m;
}

describe('pushPullFill', () => {
  for (const channels of [1, 3]) {
    it(`keeps known pixels bit-identical and fills holes with finite values (${channels} ch)`, () => {
      const img = naturalImage(97, 61, channels, 3);
      const mask = scribbleMask(97, 61);
      const out = pushPullFill(img, mask);
      expect(out.data).not.toBe(img.data);
      let changedKnown = 0;
      let badHole = 0;
      for (let p = 0; p < mask.length; p++) {
        for (let c = 0; c < channels; c++) {
          const v = out.data[p * channels + c]!;
          if (mask[p] === 0) {
            if (!Object.is(v, img.data[p * channels + c])) changedKnown++;
          } else if (!(v >= 0 && v <= 1)) badHole++;
        }
      }
      expect(changedKnown).toBe(0);
      expect(badHole).toBe(0);
    });

    it(`fills a hole in a constant image with the constant (${channels} ch)`, () => {
      const img = createRaster(50, 40, channels);
      img.data.fill(0.3);
      const mask = rectMask(50, 40, 10, 5, 35, 30);
      const out = pushPullFill(img, mask);
      expect(Math.max(...Array.from(out.data, (v) => Math.abs(v - 0.3)))).toBeLessThan(1e-6);
    });

    it(`fills a hole in a horizontal ramp close to the ramp (${channels} ch)`, () => {
      const w = 80;
      const h = 50;
      const img: Raster = createRaster(w, h, channels);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) img.data[(y * w + x) * channels + c] = x / (w - 1);
      const mask = rectMask(w, h, 25, 12, 51, 37);
      const out = pushPullFill(img, mask);
      let maxErr = 0;
      for (let i = 0; i < out.data.length; i++) maxErr = Math.max(maxErr, Math.abs(out.data[i]! - img.data[i]!));
      expect(maxErr).toBeLessThan(0.05);
    });

    it(`gives an all-hole image a finite constant (${channels} ch)`, () => {
      const img = naturalImage(9, 7, channels, 1);
      const out = pushPullFill(img, new Uint8Array(63).fill(1));
      expect(out.data.every((v) => v === 0.5)).toBe(true);
    });
  }

  it('fills a small hole in a large image (cropped work) like the whole-image case', () => {
    const w = 300;
    const h = 200;
    const img = createRaster(w, h, 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) img.data[(y * w + x) * 3 + c] = 0.2 + (0.5 * x) / w;
    const mask = rectMask(w, h, 140, 90, 152, 101);
    const out = pushPullFill(img, mask);
    let maxErr = 0;
    for (let i = 0; i < out.data.length; i++) maxErr = Math.max(maxErr, Math.abs(out.data[i]! - img.data[i]!));
    expect(maxErr).toBeLessThan(0.01);
    // A NaN under the mask is ignored.
    const nan = createRaster(w, h, 1);
    nan.data.fill(0.6);
    nan.data[95 * w + 145] = Number.NaN;
    expect(pushPullFill(nan, mask).data.every((v) => Math.abs(v - 0.6) < 1e-6)).toBe(true);
  });

  it('handles a single known pixel, 1x1 and odd sizes', () => {
    const img = createRaster(13, 1, 1);
    img.data[6] = 0.8;
    const mask = new Uint8Array(13).fill(1);
    mask[6] = 0;
    expect(Array.from(pushPullFill(img, mask).data).every((v) => Math.abs(v - 0.8) < 1e-6)).toBe(true);
    const one = createRaster(1, 1, 3);
    one.data.set([0.1, 0.2, 0.3]);
    expect(Array.from(pushPullFill(one, new Uint8Array(1)).data)).toEqual(Array.from(one.data));
  });

  it('is smooth inside a large hole (no blocky steps)', () => {
    const w = 128;
    const h = 96;
    const img = naturalImage(w, h, 1, 4);
    const mask = rectMask(w, h, 30, 20, 100, 80);
    const out = pushPullFill(img, mask).data;
    // Away from the hole's rim (which follows the known texture), neighbouring values differ little.
    let maxStep = 0;
    for (let y = 28; y < 72; y++)
      for (let x = 38; x < 92; x++) {
        maxStep = Math.max(maxStep, Math.abs(out[y * w + x + 1]! - out[y * w + x]!));
        maxStep = Math.max(maxStep, Math.abs(out[(y + 1) * w + x]! - out[y * w + x]!));
      }
    expect(maxStep).toBeLessThan(0.02);
  });
});

/** Largest |fill - truth| over the hole's samples (any channel count). */
function holeError(fill: Raster, truth: Float32Array, mask: Uint8Array): number {
  let worst = 0;
  for (let i = 0; i < truth.length; i++) if (mask[Math.floor(i / fill.channels)]) worst = Math.max(worst, Math.abs(fill.data[i]! - truth[i]!));
  return worst;
}

/** Samples outside the hole that the fill changed (not bit-identical to the input). */
function changedKnownSamples(fill: Raster, truth: Float32Array, mask: Uint8Array): number {
  let changed = 0;
  for (let i = 0; i < truth.length; i++) if (!mask[Math.floor(i / fill.channels)] && !Object.is(fill.data[i], truth[i])) changed++;
  return changed;
}

describe('harmonicFill', () => {
  it('continues a ramp across a hole almost exactly, better than push-pull, and keeps known pixels', () => {
    const w = 40;
    const h = 30;
    const data = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = 0.1 + (0.8 * x) / (w - 1);
    const mask = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 15; x < 20; x++) mask[y * w + x] = 1;
    const raster = { width: w, height: h, channels: 1, data };
    const pp = pushPullFill(raster, mask);
    const hf = harmonicFill(raster, mask);
    expect(changedKnownSamples(hf, data, mask)).toBe(0);
    const errPP = holeError(pp, data, mask);
    const errHF = holeError(hf, data, mask);
    expect(errHF).toBeLessThan(2e-3);
    expect(errHF).toBeLessThan(errPP);
  });
});

describe('inpaintPrefill', () => {
  const w = 64;
  const h = 56;
  /** A colour paraboloid: curved shading that a harmonic fill flattens. */
  function bowl(): Float32Array {
    const data = new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const q = ((x - 30) ** 2 + (y - 25) ** 2) / 4000;
        for (let k = 0; k < 3; k++) data[(y * w + x) * 3 + k] = 0.1 + q * (k + 1) * 0.5;
      }
    }
    return data;
  }

  it('continues curved shading across a scratch, where the harmonic fill sags, and keeps known pixels', () => {
    const data = bowl();
    const mask = new Uint8Array(w * h);
    for (let y = 8; y < 48; y++) for (let x = 26; x < 31; x++) mask[y * w + x] = 1;
    const raster = { width: w, height: h, channels: 3, data };
    const hf = harmonicFill(raster, mask);
    const pf = inpaintPrefill(raster, mask);
    expect(changedKnownSamples(pf, data, mask)).toBe(0);
    const errHF = holeError(hf, data, mask);
    const errPF = holeError(pf, data, mask);
    // A quadratic has a constant Laplacian: the biharmonic fill reproduces it exactly.
    expect(errPF).toBeLessThan(1e-4);
    expect(errHF).toBeGreaterThan(20 * errPF);
  });

  it('is the harmonic fill deep inside a large hole, and needs no known pixel or hole at all', () => {
    const data = bowl();
    const raster = { width: w, height: h, channels: 3, data };
    const mask = new Uint8Array(w * h);
    for (let y = 5; y < 50; y++) for (let x = 5; x < 58; x++) mask[y * w + x] = 1;
    const hf = harmonicFill(raster, mask);
    const pf = inpaintPrefill(raster, mask);
    // (30, 27) is 23 steps from the nearest known pixel: past the blend, harmonic only.
    const centre = (27 * w + 30) * 3;
    expect(Array.from(pf.data.subarray(centre, centre + 3))).toEqual(Array.from(hf.data.subarray(centre, centre + 3)));
    // Near the edge the two differ.
    const near = (7 * w + 30) * 3;
    expect(Math.abs(pf.data[near]! - hf.data[near]!)).toBeGreaterThan(1e-4);
    expect(inpaintPrefill(raster, new Uint8Array(w * h)).data).toEqual(data);
    expect(inpaintPrefill(raster, new Uint8Array(w * h).fill(1)).data).toEqual(harmonicFill(raster, new Uint8Array(w * h).fill(1)).data);
  });
});

describe('nonLocalBlend', () => {
  it('continues a texture across a scratch better than the smooth fill, touching only hole pixels near known ones', () => {
    // Fine diagonal stripes (period 5 px) in colour: a smooth fill can only give their mean.
    const w = 60;
    const h = 50;
    const data = new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = 0.5 + 0.3 * Math.sin((2 * Math.PI * (x + y)) / 5);
        for (let k = 0; k < 3; k++) data[(y * w + x) * 3 + k] = v * (0.6 + 0.2 * k);
      }
    }
    const raster = { width: w, height: h, channels: 3, data };
    const mask = rectMask(w, h, 28, 5, 31, 45); // a 3 px scratch
    const prefill = inpaintPrefill(raster, mask);
    const blended = { ...prefill, data: prefill.data.slice() };
    nonLocalBlend(raster, mask, blended);
    const rms = (r: Raster): number => {
      let s = 0;
      let n = 0;
      for (let i = 0; i < data.length; i++) if (mask[Math.floor(i / 3)]) { s += (r.data[i]! - data[i]!) ** 2; n++; }
      return Math.sqrt(s / n);
    };
    // The 8 best matches sit on the same stripe phase, so the blend moves 40% of the way to
    // the truth: the error falls by more than a quarter.
    expect(rms(blended)).toBeLessThan(0.75 * rms(prefill));
    expect(changedKnownSamples(blended, prefill.data, mask)).toBe(0);
  });

  it('leaves pixels deep inside a large hole alone (nothing known to match)', () => {
    const img = naturalImage(64, 64, 3, 5);
    const mask = rectMask(64, 64, 10, 10, 54, 54);
    const prefill = inpaintPrefill(img, mask);
    const blended = { ...prefill, data: prefill.data.slice() };
    nonLocalBlend(img, mask, blended);
    const centre = (32 * 64 + 32) * 3;
    expect(Array.from(blended.data.subarray(centre, centre + 3))).toEqual(Array.from(prefill.data.subarray(centre, centre + 3)));
    const edge = (32 * 64 + 10) * 3; // on the hole's edge: matched and blended
    expect(Math.abs(blended.data[edge]! - prefill.data[edge]!)).toBeGreaterThan(0);
  });
});

describe('the prefill and the texture blend as jobs', () => {
  it('give exactly the synchronous result, with progress that rises to the end', async () => {
    const img = naturalImage(120, 90, 3, 12);
    const mask = scribbleMask(120, 90);
    const events: JobEvent[] = [];
    const onEvent = (e: JobEvent): void => void events.push(e);
    const prefilled = await runStepsAsync(inpaintPrefillSteps(img, mask), 'prefill', { onEvent, intervalMs: 0 });
    expect(prefilled.data).toEqual(inpaintPrefill(img, mask).data);
    const done = events.map((e) => (e.type === 'progress' && e.stage === 'prefill' ? e.done : NaN));
    expect(done.length).toBeGreaterThan(10);
    expect(done.every((d, i) => i === 0 || d >= done[i - 1]!)).toBe(true);
    expect(done.at(-1)).toBe(1000);
    // The harmonic sweeps are the first half, the biharmonic iterations the second.
    expect(done.some((d) => d > 0 && d < 500)).toBe(true);
    expect(done.some((d) => d > 500 && d < 1000)).toBe(true);

    const blended = { ...prefilled, data: new Float32Array(prefilled.data) };
    await runStepsAsync(nonLocalBlendSteps(img, mask, blended), 'texture', { onEvent, intervalMs: 0 });
    const sync = { ...prefilled, data: new Float32Array(prefilled.data) };
    nonLocalBlend(img, mask, sync);
    expect(blended.data).toEqual(sync.data);
    expect(events.filter((e) => e.type === 'progress' && e.stage === 'texture')).toHaveLength(91); // a row each, then the end
  });

  it('stop when cancelled', async () => {
    const img = naturalImage(120, 90, 3, 13);
    const mask = scribbleMask(120, 90);
    const ctl = new AbortController();
    let seen = 0;
    const run = runStepsAsync(inpaintPrefillSteps(img, mask), 'prefill', {
      signal: ctl.signal,
      intervalMs: 0,
      onEvent: () => {
        seen++;
        ctl.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen).toBe(1);
  });
});
