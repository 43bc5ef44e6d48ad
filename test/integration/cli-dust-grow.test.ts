// `mend anomaly --batch DIR --grow N` (issue 21, point 6): the shoot mask is the spots' disks,
// each of its measured radius plus N pixels; N changes only the margin, not which spots.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../../src-main/core/image/io.js';
import { runMend } from '../helpers/cli.js';
import { dustyShoot } from '../helpers/shoot.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mend-cli-dust-'));
  await mkdir(path.join(dir, 'shoot'));
  for (const [i, f] of dustyShoot(10, 200, 150, 11, 6, 2).frames.entries()) {
    await writeImage(path.join(dir, 'shoot', `f${i}.png`), { raster: f, bitDepth: 8 }, { keepMetadata: false });
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(grow: string): Promise<{ masked: number; spots: { x: number; y: number; radius: number }[] }> {
  const out = path.join(dir, `mask-${grow}.png`);
  const res = await runMend(['anomaly', '--batch', path.join(dir, 'shoot'), '-o', out, '--grow', grow, '--json']);
  expect(res.code, res.stderr).toBe(0);
  const result = JSON.parse(res.stdout.trim().split('\n').pop()!) as { maskedPixels: number; spots: { x: number; y: number; radius: number }[] };
  const { data } = await sharp(out).greyscale().raw().toBuffer({ resolveWithObject: true });
  expect(data.reduce((a, v) => a + (v > 127 ? 1 : 0), 0)).toBe(result.maskedPixels);
  return { masked: result.maskedPixels, spots: result.spots };
}

describe('mend anomaly --batch --grow', () => {
  it('grows every spot by the margin and keeps the same spots', async () => {
    const tight = await run('0');
    const wide = await run('5');
    expect(wide.spots).toEqual(tight.spots);
    expect(tight.spots.length).toBeGreaterThanOrEqual(6);
    // Disks of radius r + 0.5 against r + 5.5: many more pixels, and about what the disks say.
    const disks = (g: number): number => tight.spots.reduce((a, s) => a + Math.PI * (s.radius + g + 0.5) ** 2, 0);
    expect(wide.masked).toBeGreaterThan(1.5 * tight.masked);
    expect(wide.masked).toBeLessThanOrEqual(disks(5) * 1.1);
    const bad = await runMend(['anomaly', path.join(dir, 'shoot', 'f0.png'), '-o', path.join(dir, 'x.png'), '--grow', '3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--grow go with --batch DIR');
  });
});
