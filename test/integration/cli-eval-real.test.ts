// `mend eval --task real`: a folder of noisy/ and clean/ pairs (here generated: correlated,
// camera-like noise on a synthetic photo, saved as 8-bit PNG) scored blind with the shipped default.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNoise } from '../../src-main/core/corrupt/noise.js';
import { Rng } from '../../src-main/core/math/rng.js';
import { writeImage } from '../../src-main/core/image/io.js';
import { quantize8 } from '../../src-main/core/metrics/psnr.js';
import { runMend } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-eval-real-'));
  await mkdir(join(dir, 'set', 'noisy'), { recursive: true });
  await mkdir(join(dir, 'set', 'clean'), { recursive: true });
  for (const seed of [1, 2]) {
    const clean = quantize8(naturalImage(192, 160, 3, seed));
    const noisy = quantize8(addNoise(clean, { kind: 'gaussian', sigma: 6 }, new Rng(seed), { correlation: 1 }));
    await writeImage(join(dir, 'set', 'clean', `p${seed}.png`), { raster: clean });
    await writeImage(join(dir, 'set', 'noisy', `p${seed}.png`), { raster: noisy });
  }
  await mkdir(join(dir, 'orphan', 'noisy'), { recursive: true });
  await mkdir(join(dir, 'orphan', 'clean'), { recursive: true });
  await writeImage(join(dir, 'orphan', 'noisy', 'x.png'), { raster: quantize8(naturalImage(64, 64, 3, 3)) });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mend eval --task real', () => {
  it('scores blind denoising against the references: well above the noisy input, none below it', async () => {
    const r = await runMend(['eval', '--task', 'real', '--data', join(dir, 'set'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { task: string; results: { images: number; inputPsnr: number; psnr: number; belowInput: number; amount: number }[] };
    expect(result.task).toBe('real');
    const row = result.results[0]!;
    expect(row.images).toBe(2);
    expect(row.psnr).toBeGreaterThan(row.inputPsnr + 3);
    expect(row.belowInput).toBe(0);
    expect(row.amount).toBeGreaterThan(30);
  });

  it('names a noisy image without a reference', async () => {
    const r = await runMend(['eval', '--task', 'real', '--data', join(dir, 'orphan')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/x\.png: no reference of that name/);
  });

  it('refuses options that belong to the synthetic protocol', async () => {
    const r = await runMend(['eval', '--task', 'real', '--data', join(dir, 'set'), '--sigma', '25']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--task real/);
  });
});
