// Suppression of the Bayer-period pattern in the raw route's luminance (mosaic-pattern.ts): a
// faint grid at the mosaic's period over a whole picture goes, strong fine texture stays.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/math/rng.js';
import { suppressMosaicPattern } from '../../../src-main/core/raw/mosaic-pattern.js';

const W = 96, H = 80;
const rms = (a: Float32Array, b: Float32Array, from = 0, to = a.length): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / (to - from));
};

describe('Bayer-period pattern suppression', () => {
  // A smooth picture: a gradient and a soft blob.
  const smooth = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) smooth[y * W + x] = 0.3 + 0.3 * (x / W) + 0.2 * Math.exp(-((x - 40) ** 2 + (y - 30) ** 2) / 200);

  it('takes out a faint grid at the mosaic period that varies slowly over the picture', () => {
    // What four planes denoised one by one leave: each 2x2 position off by its own slowly varying amount.
    const rng = new Rng(5);
    const off = [0, 1, 2, 3].map(() => [rng.normal(), rng.normal()]);
    // Their mean over the four is a shift of the luminance, not a pattern.
    for (const k of [0, 1]) {
      const mean = off.reduce((s, o) => s + o[k]!, 0) / 4;
      for (const o of off) o[k]! -= mean;
    }
    const patterned = new Float32Array(smooth);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const [a, b] = off[(y & 1) * 2 + (x & 1)]!;
        patterned[y * W + x]! += 0.004 * (a! * Math.cos(x / 13) + b! * Math.sin(y / 11));
      }
    }
    const out = suppressMosaicPattern(patterned, W, H);
    expect(rms(out, smooth)).toBeLessThan(0.25 * rms(patterned, smooth));
  });

  it('keeps strong fine texture: one-pixel stripes in a patch', () => {
    const textured = new Float32Array(smooth);
    for (let y = 20; y < 60; y++) for (let x = 20; x < 60; x++) textured[y * W + x]! += (x & 1 ? 0.1 : -0.1);
    const out = suppressMosaicPattern(textured, W, H);
    // Inside the patch (away from its border) the stripes keep most of their amplitude.
    let kept = 0, n = 0;
    for (let y = 26; y < 54; y++) for (let x = 26; x < 54; x++) { kept += (out[y * W + x]! - smooth[y * W + x]!) * (x & 1 ? 1 : -1); n++; }
    expect(kept / n).toBeGreaterThan(0.08);
  });
});
