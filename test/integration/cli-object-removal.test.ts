import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/core/math/rng.js';
import { readImage, writeImage, writeMask } from '../../src-main/core/image/io.js';
import type { Raster } from '../../src-main/core/image/raster.js';
import { holeTextureRatio } from '../../src-main/core/metrics/hole-texture.js';
import { runMend } from '../helpers/cli.js';

// A board wall (boards 8 px apart, dark gaps, grain) with a 32-px post to remove.
const W = 128;
const H = 96;
let dir: string;
const mask = new Uint8Array(W * H);
const exclude = new Uint8Array(W * H);
let wall: Raster;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mend-removal-'));
  const rng = new Rng(4);
  const data = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = (y % 8 < 2 ? 0.2 : 0.6) + 0.04 * rng.normal();
      data.set([v * 1.1, v * 0.9, v * 0.7], (y * W + x) * 3);
    }
  }
  wall = { width: W, height: H, channels: 3, data };
  const photo = { ...wall, data: new Float32Array(data) };
  for (let y = 0; y < H; y++) {
    for (let x = 48; x < 80; x++) {
      photo.data.set([0.1, 0.08, 0.05], (y * W + x) * 3);
      mask[y * W + x] = 1;
    }
  }
  for (let p = 0; p < exclude.length; p++) exclude[p] = mask[p] ? 0 : 1;
  await writeImage(path.join(dir, 'post.png'), { raster: photo, bitDepth: 8, format: 'png' });
  await writeMask(path.join(dir, 'mask.png'), mask, W, H);
  await writeMask(path.join(dir, 'everything.png'), exclude, W, H);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function inpaint(out: string, ...flags: string[]): Promise<Raster> {
  const res = await runMend(['inpaint', path.join(dir, 'post.png'), '--mask', path.join(dir, 'mask.png'), '-o', path.join(dir, out), '--no-grain', ...flags]);
  expect(res.code, res.stderr).toBe(0);
  return (await readImage(path.join(dir, out))).raster;
}

describe('mend inpaint on a wide hole', () => {
  // (Seeds and re-rolls: test/unit/infer/patch-synthesis.test.ts and test/e2e/removal.test.ts.)
  it('carries the boards into the hole; --no-synthesis smears it; nothing to copy from gives the smooth fill', async () => {
    const synth = await inpaint('synth.png');
    const smooth = await inpaint('smooth.png', '--no-synthesis');
    expect(holeTextureRatio(synth, wall, mask)).toBeGreaterThan(0.5);
    expect(holeTextureRatio(smooth, wall, mask)).toBeLessThan(0.3);
    // Every known pixel excluded as a source: no patch to copy, so the smooth pipeline's fill exactly.
    const none = await inpaint('none.png', '--exclude', path.join(dir, 'everything.png'));
    expect(none.data).toEqual(smooth.data);
  });

  it('refuses a bad seed in one line', async () => {
    const res = await runMend(['inpaint', path.join(dir, 'post.png'), '--mask', path.join(dir, 'mask.png'), '--seed', '1.5']);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe('mend: --seed must be an integer between 0 and 2147483647, got "1.5"');
  });
});
