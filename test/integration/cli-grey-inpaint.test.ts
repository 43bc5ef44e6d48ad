// Inpainting a black-and-white photo (an old scan with dust and scratches): the colour inpainter
// runs on the grey plane copied to three channels, the output stays one grey channel, its alpha
// is kept exactly, and the fill is close to what was there.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, writeImage, writeMask } from '../../src-main/core/image/io.js';
import { psnr } from '../../src-main/core/metrics/psnr.js';
import { runMend } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mend-grey-inpaint-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mend inpaint on a grey photo', () => {
  it('fills scratches of a grey scan with alpha, staying grey and keeping the alpha', async () => {
    const w = 160;
    const h = 128;
    const clean = naturalImage(w, h, 1, 5);
    // A transparent left border, as a cut-out scan has: the output must keep it exactly.
    const alpha = new Float32Array(w * h);
    for (let p = 0; p < alpha.length; p++) alpha[p] = p % w < 12 ? 0 : 1;
    // Two thin white scratches, the old-scan case.
    const mask = new Uint8Array(w * h);
    for (let x = 20; x < 140; x++) for (let t = 0; t < 3; t++) mask[(40 + t + (x >> 4)) * w + x] = 1;
    for (let y = 10; y < 120; y++) for (let t = 0; t < 2; t++) mask[y * w + 100 + t] = 1;
    const damaged = clean.data.slice();
    for (let p = 0; p < mask.length; p++) if (mask[p]) damaged[p] = 1;
    await writeImage(path.join(dir, 'scan.png'), { raster: { ...clean, data: damaged }, alpha, bitDepth: 8, format: 'png' });
    await writeMask(path.join(dir, 'scratches.png'), mask, w, h);

    const res = await runMend(['inpaint', path.join(dir, 'scan.png'), '--mask', path.join(dir, 'scratches.png'), '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout.trim().split('\n').pop()!).model).toBe('color-inpaint');
    const out = await readImage(path.join(dir, 'scan.mend.png'));
    expect(out.raster.channels).toBe(1);
    expect(out.alpha).toBeDefined();
    for (let p = 0; p < alpha.length; p++) expect(Math.round(out.alpha![p]! * 255)).toBe(alpha[p]! * 255);
    const ref = { ...clean };
    const before = psnr({ ...clean, data: damaged }, ref, { mask });
    const after = psnr(out.raster, ref, { mask });
    console.log(`grey scratches: ${before.toFixed(1)} dB damaged -> ${after.toFixed(1)} dB filled`);
    expect(after).toBeGreaterThan(before + 10);
    expect(after).toBeGreaterThan(26);
  });
});
