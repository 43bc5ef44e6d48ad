// Self-ensemble ("passes"): the eight orientations, turning back exactly, averaging, progress,
// cancel, and a real gain with the default grey network.
import { beforeAll, describe, expect, it } from 'vitest';
import { addNoise } from '../../../src-main/core/corrupt/noise.js';
import { Rng } from '../../../src-main/core/math/rng.js';
import type { Raster } from '../../../src-main/core/image/raster.js';
import { denoiseRaster } from '../../../src-main/core/infer/denoise.js';
import { orientationMap, selfEnsemble } from '../../../src-main/core/infer/ensemble.js';
import { psnr } from '../../../src-main/core/metrics/psnr.js';
import { resolveModel } from '../../../src-main/core/models/registry.js';
import { initBackend } from '../../../src-main/core/runtime/backend.js';
import type { JobEvent } from '../../../src-main/shared/jobs.js';
import { naturalImage } from '../../helpers/synthetic.js';

/** A w x h raster whose value at (x, y, c) is a unique number. */
function indexRaster(width: number, height: number, channels: number): Raster {
  return { width, height, channels, data: Float32Array.from({ length: width * height * channels }, (_, i) => i) };
}

const at = (r: Raster, x: number, y: number, c = 0): number => r.data[(y * r.width + x) * r.channels + c]!;

/** The raster in orientation t, built from orientationMap. */
function turned(r: Raster, t: number): Raster {
  const { map, width, height } = orientationMap(r.width, r.height, t);
  const data = new Float32Array(r.data.length);
  map.forEach((src, i) => {
    for (let c = 0; c < r.channels; c++) data[i * r.channels + c] = r.data[src * r.channels + c]!;
  });
  return { width, height, channels: r.channels, data };
}

describe('orientationMap', () => {
  it('gives the eight distinct turns and mirrors of the dihedral group', () => {
    const r = indexRaster(3, 2, 1);
    const seen = new Set<string>();
    for (let t = 0; t < 8; t++) {
      const o = turned(r, t);
      expect([o.width, o.height]).toEqual(t % 2 ? [2, 3] : [3, 2]);
      expect([...o.data].sort((a, b) => a - b)).toEqual([...r.data]); // a permutation
      seen.add(o.data.join());
    }
    expect(seen.size).toBe(8);
  });

  it('turns clockwise, mirrors left-right', () => {
    const r = indexRaster(3, 2, 1); // rows [0 1 2], [3 4 5]
    expect([...turned(r, 0).data]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...turned(r, 1).data]).toEqual([3, 0, 4, 1, 5, 2]); // a quarter turn clockwise: 2 wide, 3 high
    expect([...turned(r, 2).data]).toEqual([5, 4, 3, 2, 1, 0]);
    expect([...turned(r, 4).data]).toEqual([2, 1, 0, 5, 4, 3]);
    expect(at(turned(r, 3), 0, 0)).toBe(2); // three quarter turns: the top-right corner comes to the top left
  });
});

describe('selfEnsemble', () => {
  it('turns every pass back: an identity network gives the input, colour channels kept apart', async () => {
    const r = indexRaster(5, 4, 3);
    for (const passes of [2, 4, 8]) {
      const out = await selfEnsemble(r, passes, async (x) => x);
      for (let i = 0; i < r.data.length; i++) expect(out.data[i]).toBeCloseTo(r.data[i]!, 4);
    }
  });

  it('averages what depends on orientation: a left-to-right ramp added by the network evens out over 8 passes', async () => {
    const r = naturalImage(24, 16, 1, 3);
    // The "network" adds 0.1 * x / (width - 1) in whatever orientation it is shown the image.
    const ramp = async (x: Raster): Promise<Raster> => ({
      ...x, data: x.data.map((v, i) => v + (0.1 * (i % x.width)) / (x.width - 1)),
    });
    const one = await selfEnsemble(r, 1, ramp);
    expect(at(one, 23, 5) - at(r, 23, 5)).toBeCloseTo(0.1, 5);
    // Mirrored, the ramp runs the other way; turned, along y: eight orientations average to 0.05.
    const eight = await selfEnsemble(r, 8, ramp);
    for (let i = 0; i < r.data.length; i++) expect(eight.data[i]! - r.data[i]!).toBeCloseTo(0.05, 5);
  });

  it('reports progress over all passes, in order, ending at the total', async () => {
    const events: JobEvent[] = [];
    const run = async (x: Raster, onEvent?: (e: JobEvent) => void): Promise<Raster> => {
      for (const done of [1, 2]) onEvent?.({ type: 'progress', stage: 'denoise', done, total: 2, etaSeconds: 2 - done });
      return x;
    };
    await selfEnsemble(indexRaster(4, 4, 1), 4, run, { onEvent: (e) => events.push(e) });
    const dones = events.map((e) => (e.type === 'progress' ? e.done / e.total : NaN));
    expect(dones).toEqual([0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1]);
    expect(events[2]).toMatchObject({ detail: 'pass 2 of 4' });
    // Half-way through pass 1 of 4: this pass has 1 s left and each later pass takes 2.
    expect(events[0]).toMatchObject({ etaSeconds: 1 + 2 * 3 });
  });

  it('stops between passes when cancelled', async () => {
    const ctl = new AbortController();
    let runs = 0;
    const run = async (x: Raster): Promise<Raster> => {
      runs++;
      ctl.abort();
      return x;
    };
    await expect(selfEnsemble(indexRaster(4, 4, 1), 8, run, { signal: ctl.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(runs).toBe(1);
  });

  it('refuses pass counts other than 1, 2, 4 and 8', async () => {
    await expect(selfEnsemble(indexRaster(4, 4, 1), 3, async (x) => x)).rejects.toThrow(/--passes must be 1, 2, 4 or 8, got 3/);
  });
});

describe('passes with the default grey denoiser', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('four passes denoise better than one', async () => {
    const model = await resolveModel(undefined, 'denoise', 1);
    const clean = naturalImage(128, 96, 1, 41);
    const noisy = addNoise(clean, { kind: 'gaussian', sigma: 25 }, new Rng(42), { clip: false });
    const one = (await denoiseRaster(noisy, model, { sigma: 25 })).output;
    const four = (await denoiseRaster(noisy, model, { sigma: 25, passes: 4 })).output;
    expect(psnr(one, clean) - psnr(noisy, clean)).toBeGreaterThan(8);
    // About +0.04 dB on this small synthetic scene (+0.15 on Set12); turned-back errors would cost dBs.
    expect(psnr(four, clean) - psnr(one, clean)).toBeGreaterThan(0.02);
  });

  it('on a colour photo, one progress bar runs over the luminance passes and the two colour planes', async () => {
    const model = await resolveModel(undefined, 'denoise', 3);
    const noisy = addNoise(naturalImage(96, 64, 3, 43), { kind: 'gaussian', sigma: 20 }, new Rng(44));
    const events: JobEvent[] = [];
    await denoiseRaster(noisy, model, { sigma: 20, passes: 2, onEvent: (e) => events.push(e) });
    const progress = events.flatMap((e) => (e.type === 'progress' ? [e] : []));
    const fractions = progress.map((e) => e.done / e.total);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    expect(progress.every((e) => e.total === 4000)).toBe(true); // 2 luminance passes + 2 colour planes
    expect(progress.map((e) => e.detail)).toEqual(expect.arrayContaining(['pass 2 of 2', 'colour plane 2 of 2']));
  });
});
