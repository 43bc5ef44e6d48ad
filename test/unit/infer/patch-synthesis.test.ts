import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/math/rng.js';
import type { Raster } from '../../../src-main/core/image/raster.js';
import { inpaintPrefill } from '../../../src-main/core/infer/prefill.js';
import { synthesizeWideHolesSteps, transferDetail, WIDE_DEPTH } from '../../../src-main/core/infer/wide-holes.js';
import { runSteps, runStepsAsync } from '../../../src-main/core/jobs/steps.js';
import { erodeHoles, holeTextureRatio } from '../../../src-main/core/metrics/hole-texture.js';
import { MendError } from '../../../src-main/shared/errors.js';

const W = 96;
const H = 96;

/** Boards: vertical stripes 8 px wide with dark gaps, a little grain, grey. */
function boards(seed = 1): Raster {
  const rng = new Rng(seed);
  const data = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = (x % 8 < 2 ? 0.25 : 0.7) + 0.03 * rng.normal();
  return { width: W, height: H, channels: 1, data };
}

function square(x0: number, y0: number, side: number): Uint8Array {
  const m = new Uint8Array(W * H);
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) m[y * W + x] = 1;
  return m;
}

function rmseIn(a: Raster, b: Raster, mask: Uint8Array): number {
  let s = 0;
  let n = 0;
  for (let p = 0; p < mask.length; p++) {
    if (mask[p]) {
      s += (a.data[p]! - b.data[p]!) ** 2;
      n++;
    }
  }
  return Math.sqrt(s / n);
}

function holed(clean: Raster, mask: Uint8Array): Raster {
  const d = new Float32Array(clean.data);
  for (let p = 0; p < mask.length; p++) if (mask[p]) d[p] = 0.5;
  return { ...clean, data: d };
}

describe('exemplar synthesis of wide holes', () => {
  it('continues boards through a 30-px hole where the smooth fill smears them', () => {
    const clean = boards();
    const mask = square(33, 33, 30);
    const smooth = inpaintPrefill(holed(clean, mask), mask);
    const synth = { ...smooth, data: new Float32Array(smooth.data) };
    const { wide, count } = runSteps(synthesizeWideHolesSteps(synth, mask));
    expect(count).toBe(900);
    expect(Array.from(wide)).toEqual(Array.from(mask));
    // The smooth fill is a smear (texture under 0.3 of the boards'); synthesis carries the boards.
    expect(holeTextureRatio(smooth, clean, mask)).toBeLessThan(0.3);
    expect(holeTextureRatio(synth, clean, mask)).toBeGreaterThan(0.7);
    // Aligned with the boards around it: the gaps continue where they were, so the error is far under the smear's.
    expect(rmseIn(synth, clean, mask)).toBeLessThan(0.5 * rmseIn(smooth, clean, mask));
    // Outside the hole nothing changes.
    for (let p = 0; p < mask.length; p++) if (!mask[p]) expect(synth.data[p]).toBe(smooth.data[p]);
  });

  it('continues a rail that crosses the hole at an angle (the onion peel carries it in from both sides)', () => {
    // A bright band 5 px wide along y = 0.5 x + 24 over a darker grainy ground; the hole cuts 30 px of it.
    const rng = new Rng(3);
    const off = (x: number, y: number): number => Math.abs(y - (0.5 * x + 24)) / Math.hypot(1, 0.5);
    const data = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = (off(x, y) < 2.5 ? 0.9 : 0.35) + 0.03 * rng.normal();
    const clean: Raster = { width: W, height: H, channels: 1, data };
    const mask = square(33, 33, 30);
    const smooth = inpaintPrefill(holed(clean, mask), mask);
    const synth = { ...smooth, data: new Float32Array(smooth.data) };
    runSteps(synthesizeWideHolesSteps(synth, mask));
    // Mean inside the hole on the band's centre line and well off it.
    const means = (r: Raster): [number, number] => {
      const on: number[] = [];
      const away: number[] = [];
      for (let p = 0; p < mask.length; p++) {
        if (!mask[p]) continue;
        const d = off(p % W, Math.floor(p / W));
        if (d < 1) on.push(r.data[p]!);
        else if (d > 6) away.push(r.data[p]!);
      }
      const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
      return [mean(on), mean(away)];
    };
    const [onSynth, awaySynth] = means(synth);
    const [onSmooth, awaySmooth] = means(smooth);
    expect(onSynth).toBeGreaterThan(0.8);
    expect(awaySynth).toBeLessThan(0.45);
    // The smooth fill only diffuses it: far less contrast between the band and the ground.
    expect(onSynth - awaySynth).toBeGreaterThan(2.5 * (onSmooth - awaySmooth));
  });

  it('leaves thin and small holes to the smooth pipeline', () => {
    const clean = boards();
    const mask = new Uint8Array(W * H);
    for (let y = 10; y < 86; y++) for (let x = 40; x < 40 + 2 * (WIDE_DEPTH - 2); x++) mask[y * W + x] = 1; // a scratch 12 px wide
    for (let y = 70; y < 76; y++) for (let x = 10; x < 16; x++) mask[y * W + x] = 1; // a dust spot
    const filled = inpaintPrefill(holed(clean, mask), mask);
    const before = new Float32Array(filled.data);
    const { count } = runSteps(synthesizeWideHolesSteps(filled, mask));
    expect(count).toBe(0);
    expect(filled.data).toEqual(before);
  });

  it('never copies from excluded pixels', () => {
    // Left half bright boards, right half dark and flat; the hole straddles both.
    const clean = boards();
    for (let y = 0; y < H; y++) for (let x = W / 2; x < W; x++) clean.data[y * W + x] = 0.1;
    const mask = square(33, 33, 30);
    const exclude = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W / 2; x++) exclude[y * W + x] = 1;
    const maxIn = (r: Raster): number => {
      let m = 0;
      for (let p = 0; p < mask.length; p++) if (mask[p] && (p % W) >= 36 && (p % W) < 60) m = Math.max(m, r.data[p]!);
      return m;
    };
    const start = inpaintPrefill(holed(clean, mask), mask);
    const free = { ...start, data: new Float32Array(start.data) };
    runSteps(synthesizeWideHolesSteps(free, mask));
    const kept = { ...start, data: new Float32Array(start.data) };
    runSteps(synthesizeWideHolesSteps(kept, mask, { exclude }));
    expect(maxIn(free)).toBeGreaterThan(0.5); // the boards continue into its left part
    expect(maxIn(kept)).toBeLessThan(0.2); // only the dark flat area was a source
  });

  it('gives the same fill for the same seed and another for another seed (re-roll)', () => {
    const clean = boards();
    const mask = square(33, 33, 30);
    const start = inpaintPrefill(holed(clean, mask), mask);
    const run = (seed?: number): Float32Array => {
      const r = { ...start, data: new Float32Array(start.data) };
      runSteps(synthesizeWideHolesSteps(r, mask, { seed }));
      return r.data;
    };
    expect(run(5)).toEqual(run(5));
    const a = run(5);
    const b = run(6);
    let differ = 0;
    for (let p = 0; p < mask.length; p++) if (mask[p] && Math.abs(a[p]! - b[p]!) > 0.05) differ++;
    expect(differ).toBeGreaterThan(30);
  });

  it('reports progress and stops when cancelled', async () => {
    const clean = boards();
    const mask = square(20, 20, 56);
    const r = inpaintPrefill(holed(clean, mask), mask);
    const ac = new AbortController();
    const seen: number[] = [];
    const job = runStepsAsync(synthesizeWideHolesSteps(r, mask), 'synthesis', {
      signal: ac.signal, intervalMs: 0,
      onEvent: (e) => {
        if (e.type !== 'progress') return;
        seen.push(e.done);
        if (seen.length === 3) ac.abort();
      },
    });
    await expect(job).rejects.toSatisfy((e: unknown) => e instanceof MendError && e.code === 'cancelled');
    expect(seen.length).toBe(3);
    expect(seen[2]!).toBeGreaterThan(seen[0]!);
  });

  it('transferDetail keeps the base fill\'s shading and adds the synthesis\' detail, in the wide holes only', () => {
    const mask = square(33, 33, 30);
    const flat: Raster = { width: W, height: H, channels: 1, data: new Float32Array(W * H).fill(0.4) };
    const detail = boards();
    const pixels: number[] = [];
    for (let p = 0; p < mask.length; p++) if (mask[p]) pixels.push(p);
    transferDetail(flat, detail, [{ pixels: Int32Array.from(pixels), x0: 33, y0: 33, x1: 62, y1: 62, depth: 15 }], () => 4);
    let sum = 0;
    for (let p = 0; p < mask.length; p++) {
      if (!mask[p]) expect(flat.data[p]).toBe(Math.fround(0.4));
      else sum += flat.data[p]!;
    }
    // Mean brightness is the base's (0.4), not the boards' (0.59); the stripes are there.
    expect(sum / 900).toBeCloseTo(0.4, 1);
    expect(holeTextureRatio(flat, detail, mask)).toBeGreaterThan(0.8);
  });
});

describe('hole texture score', () => {
  it('is 0 for a flat fill and 1 for the photo itself, read 2 px inside the holes', () => {
    const clean = boards();
    const mask = square(33, 33, 30);
    const inner = erodeHoles(mask, W, H);
    let n = 0;
    for (const v of inner) n += v;
    expect(n).toBe(26 * 26);
    expect(holeTextureRatio(clean, clean, mask)).toBeCloseTo(1, 6);
    expect(holeTextureRatio(holed(clean, mask), clean, mask)).toBe(0);
    // A 4-px scratch keeps nothing after erosion: no score rather than a made-up one.
    expect(holeTextureRatio(clean, clean, square(10, 10, 4))).toBeNaN();
  });
});
