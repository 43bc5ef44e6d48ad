// The denoiser-prior refinement of inpainting: which tiles it touches, that only holes change,
// the rounds' order, progress and cancel, and a real gain over a smooth fill.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Raster } from '../../../src-main/core/image/raster.js';
import { denoiseRaster } from '../../../src-main/core/infer/denoise.js';
import { holeTiles, REFINE_SIGMAS, refineHoles } from '../../../src-main/core/infer/refine.js';
import { resolveModel } from '../../../src-main/core/models/registry.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import type { JobEvent } from '../../../src-main/shared/jobs.js';
import { naturalImage } from '../../helpers/synthetic.js';

/** A diagonal scratch 3 pixels wide, and a dust spot far from it. */
function scratchMask(width: number, height: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (Math.abs(x - 0.6 * y - 10) <= 1) m[y * width + x] = 1;
      if ((x - width + 20) ** 2 + (y - 15) ** 2 <= 9) m[y * width + x] = 1;
    }
  }
  return m;
}

function holeRmse(a: Raster, b: Raster, mask: Uint8Array): number {
  let s = 0;
  let n = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    for (let k = 0; k < a.channels; k++) s += (a.data[p * a.channels + k]! - b.data[p * b.channels + k]!) ** 2;
    n += a.channels;
  }
  return Math.sqrt(s / n);
}

describe('holeTiles', () => {
  it('covers every hole pixel once, reads within the image, skips tiles without holes', () => {
    const w = 600;
    const h = 300;
    const mask = new Uint8Array(w * h);
    mask[10 * w + 10] = 1;
    mask[290 * w + 590] = 1;
    mask[100 * w + 300] = 1;
    const tiles = holeTiles(w, h, mask, 256, 40);
    expect(tiles).toHaveLength(3); // of the 3 x 2 tiles, the three with a hole
    expect(tiles.flatMap((t) => [...t.holes]).sort((a, b) => a - b)).toEqual([10 * w + 10, 100 * w + 300, 290 * w + 590]);
    for (const t of tiles) {
      expect(t.x0).toBeGreaterThanOrEqual(0);
      expect(t.y0).toBeGreaterThanOrEqual(0);
      expect(t.x1).toBeLessThanOrEqual(w);
      expect(t.y1).toBeLessThanOrEqual(h);
    }
    expect(tiles[1]).toMatchObject({ x0: 216, y0: 0, x1: 552, y1: 296 });
  });
});

describe('refineHoles', () => {
  it('changes only hole pixels, clamped, with the rounds in order of falling sigma', async () => {
    const img = naturalImage(300, 80, 3, 5);
    const mask = scratchMask(300, 80);
    const before = new Float32Array(img.data);
    const sigmas: number[] = [];
    // A "denoiser" that pushes everything up by 0.7 past the top of the range.
    await refineHoles(img, mask, async (crop, s) => {
      if (!sigmas.includes(s)) sigmas.push(s);
      return { ...crop, data: crop.data.map((v) => v + 0.7) };
    });
    expect(sigmas).toEqual([...REFINE_SIGMAS]);
    for (let p = 0; p < mask.length; p++) {
      for (let k = 0; k < 3; k++) {
        const v = img.data[p * 3 + k]!;
        if (mask[p]) expect(v).toBe(1);
        else expect(v).toBe(before[p * 3 + k]);
      }
    }
  });

  it('each round reads the previous round whole (a crop sees its neighbours\' last values)', async () => {
    const img: Raster = { width: 520, height: 20, channels: 1, data: new Float32Array(520 * 20) };
    const mask = new Uint8Array(520 * 20).fill(1);
    // Adds 0.1 to what it sees: after 3 rounds every pixel is 0.3 whatever tile it is in.
    await refineHoles(img, mask, async (crop) => ({ ...crop, data: crop.data.map((v) => v + 0.1) }), { sigmas: [3, 2, 1] });
    for (const v of img.data) expect(v).toBeCloseTo(0.3, 6);
  });

  it('reports progress per tile and round, and stops when cancelled', async () => {
    const img = naturalImage(300, 80, 1, 6);
    const mask = scratchMask(300, 80);
    const events: JobEvent[] = [];
    await refineHoles(img, mask, async (c) => c, { sigmas: [4, 2], onEvent: (e) => events.push(e) });
    expect(events.map((e) => (e.type === 'progress' ? `${e.done}/${e.total}` : ''))).toEqual(['1/4', '2/4', '3/4', '4/4']);
    const ctl = new AbortController();
    let calls = 0;
    const run = refineHoles(img, mask, async (c) => {
      calls++;
      ctl.abort();
      return c;
    }, { signal: ctl.signal });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(calls).toBe(1);
  });

  it('with the default denoiser, fills holes from their surroundings', async () => {
    // Started from holes of flat grey, the rounds carry the picture in. (Its gain over a good
    // first fill is measured on photographs: README, inpainting; on these synthetic scenes of
    // flat shapes and gradients a smooth fill is already close to exact.)
    await initBackend('wasm');
    const clean = naturalImage(192, 128, 3, 7);
    const mask = scratchMask(192, 128);
    const grey = { ...clean, data: clean.data.map((v, i) => (mask[Math.floor(i / 3)] ? 0.5 : v)) };
    const refined = { ...grey, data: new Float32Array(grey.data) };
    const denoiser = await resolveModel(undefined, 'denoise', 3);
    await refineHoles(refined, mask, async (crop, sigma) => (await denoiseRaster(crop, denoiser, { sigma })).output);
    expect(holeRmse(refined, clean, mask)).toBeLessThan(0.5 * holeRmse(grey, clean, mask));
  });
});
