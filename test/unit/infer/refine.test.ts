// The denoiser-prior refinement of inpainting: which tiles it touches, that only holes change,
// the rounds' order, progress and cancel, and a real gain over a smooth fill.
import { describe, expect, it } from 'vitest';
import type { Raster } from '../../../src-main/core/image/raster.js';
import { denoiseRaster } from '../../../src-main/core/infer/denoise.js';
import { inpaintPrefill } from '../../../src-main/core/infer/prefill.js';
import { holeTiles } from '../../../src-main/core/infer/hole-tiles.js';
import { holeDepth, REFINE_LEVELS, refineHoles } from '../../../src-main/core/infer/refine.js';
import { resolveModel } from '../../../src-main/core/models/registry.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import type { JobEvent } from '../../../src-main/shared/jobs.js';
import { naturalImage } from '../../helpers/synthetic.js';

/** A filled disc of radius r at (cx, cy), added to `m`. */
function disc(m: Uint8Array, width: number, cx: number, cy: number, r: number): Uint8Array {
  const height = m.length / width;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) m[y * width + x] = 1;
  return m;
}

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
  it('covers every hole pixel once, reads around its holes within the image, skips tiles without holes', () => {
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
    // The hole at (300, 100) with 40 pixels around it, the start on the grid of 4.
    expect(tiles[1]).toMatchObject({ x0: 260, y0: 60, x1: 341, y1: 141 });
    expect(holeTiles(w, h, mask, 256, 40, 16)[1]).toMatchObject({ x0: 256, y0: 48, x1: 341, y1: 141 });
  });
});

describe('holeDepth', () => {
  it('is the distance to the nearest known pixel inside holes, 0 outside', () => {
    const w = 9;
    const mask = new Uint8Array(w * 5);
    for (let y = 0; y < 5; y++) for (let x = 0; x < w; x++) if (x >= 1 && x <= 7 && y >= 0 && y <= 4) mask[y * w + x] = 1;
    const d = holeDepth(mask, w, 5);
    // Columns 0 and 8 are known; the top and bottom rows touch the frame, which is not known.
    expect(Array.from(d.subarray(2 * w, 3 * w))).toEqual([0, 1, 2, 3, 4, 3, 2, 1, 0]);
    expect(d[0]).toBe(0);
    expect(d[w + 4]).toBe(4);
  });
});

describe('refineHoles', () => {
  it('changes only hole pixels, clamped, with every level\'s rounds in order', async () => {
    const img = naturalImage(300, 80, 3, 5);
    // A scratch, and a blob deep enough for the coarse levels.
    const mask = disc(scratchMask(300, 80), 300, 200, 40, 20);
    const before = new Float32Array(img.data);
    const rounds: number[] = [];
    // A "denoiser" that pushes everything up by 0.7 past the top of the range.
    await refineHoles(img, mask, async (crop, s) => {
      if (rounds.at(-1) !== s) rounds.push(s);
      return { ...crop, data: crop.data.map((v) => v + 0.7) };
    });
    expect(rounds).toEqual(REFINE_LEVELS.flatMap((l) => l.sigmas));
    for (let p = 0; p < mask.length; p++) {
      for (let k = 0; k < 3; k++) {
        const v = img.data[p * 3 + k]!;
        if (mask[p]) expect(v).toBe(1);
        else expect(v).toBe(before[p * 3 + k]);
      }
    }
  });

  it('a coarse level\'s change counts by depth in the hole; thin holes keep theirs', async () => {
    const w = 200;
    const h = 120;
    const mask = disc(new Uint8Array(w * h), w, 100, 60, 25);
    for (let x = 10; x < 60; x++) mask[10 * w + x] = 1; // a 1-pixel scratch
    const img: Raster = { width: w, height: h, channels: 1, data: new Float32Array(w * h).fill(0.5) };
    await refineHoles(img, mask, async (crop) => ({ ...crop, data: crop.data.map((v) => v + 0.1) }), {
      levels: [{ factor: 2, sigmas: [10], depth: [2, 6] }],
    });
    const depth = holeDepth(mask, w, h);
    for (let p = 0; p < mask.length; p++) {
      const expected = mask[p] ? 0.5 + 0.1 * Math.min(1, Math.max(0, (depth[p]! - 2) / 4)) : 0.5;
      expect(img.data[p]).toBeCloseTo(expected, 5);
    }
    expect(img.data[10 * w + 30]).toBe(0.5); // the scratch
    expect(img.data[60 * w + 100]).toBeCloseTo(0.6, 5); // the disc's centre
  });

  it('turns each round\'s crops to the next orientation and turns the result back exactly', async () => {
    const img = naturalImage(300, 80, 3, 8);
    const mask = scratchMask(300, 80);
    const before = new Float32Array(img.data);
    const shapes = new Set<string>();
    // The identity: whatever orientation the crop was seen in, the picture must come back as it was.
    await refineHoles(img, mask, async (crop) => {
      shapes.add(`${crop.width}x${crop.height}`);
      return crop;
    }, { levels: [{ factor: 1, sigmas: [8, 7, 6, 5, 4, 3, 2, 1] }] });
    expect(img.data).toEqual(before);
    const first = holeTiles(300, 80, mask, 256, 40)[0]!;
    const [w, h] = [first.x1 - first.x0, first.y1 - first.y0];
    expect(w).not.toBe(h);
    expect(shapes).toContain(`${w}x${h}`); // the first tile, as it is
    expect(shapes).toContain(`${h}x${w}`); // and turned a quarter
  });

  it('each round reads the previous round whole (a crop sees its neighbours\' last values)', async () => {
    const img: Raster = { width: 520, height: 20, channels: 1, data: new Float32Array(520 * 20) };
    const mask = new Uint8Array(520 * 20).fill(1);
    // Adds 0.1 to what it sees: after 3 rounds every pixel is 0.3 whatever tile it is in.
    await refineHoles(img, mask, async (crop) => ({ ...crop, data: crop.data.map((v) => v + 0.1) }), { levels: [{ factor: 1, sigmas: [3, 2, 1] }] });
    for (const v of img.data) expect(v).toBeCloseTo(0.3, 6);
  });

  it('reports progress per tile and round, weighted by its pixels, and stops when cancelled', async () => {
    const img = naturalImage(300, 80, 1, 6);
    const mask = scratchMask(300, 80);
    const events: JobEvent[] = [];
    await refineHoles(img, mask, async (c) => c, { levels: [{ factor: 1, sigmas: [4, 2] }], onEvent: (e) => events.push(e) });
    // Two tiles, two rounds: four events, in pixels the network saw (and 4096 a call), ending at the total.
    const [first, second] = holeTiles(300, 80, mask, 256, 40).map((c) => (c.x1 - c.x0) * (c.y1 - c.y0) + 4096);
    const all = 2 * (first! + second!);
    expect(events.map((e) => (e.type === 'progress' ? `${e.done}/${e.total}` : ''))).toEqual(
      [first!, first! + second!, 2 * first! + second!, all].map((d) => `${d}/${all}`),
    );
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

  it('with the default denoiser, the coarse levels carry the picture into a wide hole', async () => {
    // A disc 40 pixels across is wider than one full-resolution pass sees well: from the
    // product's first fill, the full-resolution rounds alone barely move it (hole RMSE 0.0855 ->
    // 0.0846 when written); with the coarse levels first it drops to 0.055.
    await initBackend('wasm');
    const clean = naturalImage(192, 128, 3, 7);
    const mask = disc(new Uint8Array(192 * 128), 192, 96, 64, 20);
    const first = inpaintPrefill(clean, mask);
    const denoiser = await resolveModel(undefined, 'denoise', 3);
    const denoise = async (crop: Raster, sigma: number): Promise<Raster> => (await denoiseRaster(crop, denoiser, { sigma })).output;
    const all = { ...first, data: new Float32Array(first.data) };
    await refineHoles(all, mask, denoise);
    const fine = { ...first, data: new Float32Array(first.data) };
    await refineHoles(fine, mask, denoise, { levels: REFINE_LEVELS.filter((l) => l.factor === 1) });
    expect(holeRmse(all, clean, mask)).toBeLessThan(0.75 * holeRmse(fine, clean, mask));
    expect(holeRmse(all, clean, mask)).toBeLessThan(0.75 * holeRmse(first, clean, mask));
  });
});
