// The raw route's finish in the default rendering (rendered-chroma.ts): it removes colour noise
// where the rendering shows it and keeps the rendering's luminance but for the Bayer-period pattern,
// carrying the change back to camera RGB.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/math/rng.js';
import { naturalImage } from '../../../src-main/core/lab/scenes.js';
import { toOpponent } from '../../../src-main/core/infer/luma-chroma.js';
import { psnr } from '../../../src-main/core/metrics/psnr.js';
import { neutralFor, renderSrgb, TYPICAL_COLOR_MATRIX, unprocessSrgb } from '../../../src-main/core/raw/colour.js';
import { filterRenderedChroma } from '../../../src-main/core/raw/rendered-chroma.js';

describe('chroma filter in the default rendering', () => {
  const W = 160, H = 120;
  const clean = naturalImage(W, H, 3, 7);
  const neutral = neutralFor(TYPICAL_COLOR_MATRIX);
  const cleanCamera = unprocessSrgb(clean.data, neutral, TYPICAL_COLOR_MATRIX);
  // Noise of its own in each camera channel (as the four planes' residuals are): through the
  // colour matrix, mostly colour noise in the rendering.
  const rng = new Rng(3);
  const noisy = cleanCamera.map((v) => v + 0.004 * rng.normal());
  const render = (camera: Float32Array) => ({ width: W, height: H, channels: 3, data: renderSrgb(camera, neutral, TYPICAL_COLOR_MATRIX) });

  it('level 0 changes nothing', () => {
    const out = new Float32Array(noisy);
    filterRenderedChroma(out, W, H, neutral, TYPICAL_COLOR_MATRIX, 0);
    expect(out).toEqual(noisy);
  });

  it('removes colour noise and keeps the luminance but for the Bayer-period pattern', () => {
    const out = new Float32Array(noisy);
    filterRenderedChroma(out, W, H, neutral, TYPICAL_COLOR_MATRIX, 10);
    const before = psnr(render(noisy), clean);
    const after = psnr(render(out), clean);
    expect(after).toBeGreaterThan(before + 3);
    // The rendering's luminance is kept, but for the Bayer-period pattern (mosaic-pattern.ts): its
    // 2x2 means, which that pattern hardly reaches, change far less than its noise (where no
    // channel was clipped).
    const yIn = toOpponent(render(noisy)).y, yOut = toOpponent(render(out)).y, yClean = toOpponent(clean).y;
    const r = render(noisy).data;
    const clipped = (i: number): boolean => Math.min(r[3 * i]!, r[3 * i + 1]!, r[3 * i + 2]!) < 0.02 || Math.max(r[3 * i]!, r[3 * i + 1]!, r[3 * i + 2]!) > 0.98;
    let sq = 0, noise = 0, n = 0;
    for (let y = 0; y + 1 < H; y++) {
      for (let x = 0; x + 1 < W; x++) {
        const q = [y * W + x, y * W + x + 1, (y + 1) * W + x, (y + 1) * W + x + 1];
        if (q.some(clipped)) continue;
        sq += (q.reduce((s, i) => s + yOut[i]! - yIn[i]!, 0) / 4) ** 2;
        noise += (q.reduce((s, i) => s + yIn[i]! - yClean[i]!, 0) / 4) ** 2;
        n++;
      }
    }
    expect(n).toBeGreaterThan(0.5 * W * H);
    // Changed by far less than the luminance noise there: the colour filter does not smooth it.
    expect(Math.sqrt(sq / noise)).toBeLessThan(0.3);
  });
});
