// The raw route's chroma filter in the default rendering (rendered-chroma.ts): it removes colour
// noise where the rendering shows it, keeps the rendering's luminance, and carries the change back
// to camera RGB exactly (rendering the result gives the filtered picture).
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

  it('removes colour noise, keeps the luminance, and renders to what it filtered', () => {
    const out = new Float32Array(noisy);
    filterRenderedChroma(out, W, H, neutral, TYPICAL_COLOR_MATRIX, 10);
    const before = psnr(render(noisy), clean);
    const after = psnr(render(out), clean);
    expect(after).toBeGreaterThan(before + 3);
    // The rendering's luminance is kept wherever no channel was clipped by the rendering.
    const yIn = toOpponent(render(noisy)).y, yOut = toOpponent(render(out)).y;
    const r = render(noisy).data;
    let worst = 0, n = 0;
    for (let i = 0; i < W * H; i++) {
      if (Math.min(r[3 * i]!, r[3 * i + 1]!, r[3 * i + 2]!) < 0.02 || Math.max(r[3 * i]!, r[3 * i + 1]!, r[3 * i + 2]!) > 0.98) continue;
      worst = Math.max(worst, Math.abs(yOut[i]! - yIn[i]!));
      n++;
    }
    expect(n).toBeGreaterThan(0.5 * W * H);
    expect(worst).toBeLessThan(2e-3);
  });
});
