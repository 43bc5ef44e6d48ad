// The CLI's image commands end to end on generated photos, with the shipped models.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNoise } from '../../src-main/core/corrupt/noise.js';
import { Rng } from '../../src-main/core/math/rng.js';
import { readImage, writeImage, writeMask } from '../../src-main/core/image/io.js';
import { psnr } from '../../src-main/core/metrics/psnr.js';
import { runMend } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

let dir: string;
const clean = naturalImage(192, 160, 3, 7);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mend-cli-'));
  await writeImage(path.join(dir, 'clean.png'), { raster: clean, bitDepth: 8, format: 'png' });
  const noisy = addNoise(clean, { kind: 'gaussian', sigma: 25 }, new Rng(3), { clip: true });
  await writeImage(path.join(dir, 'noisy.png'), { raster: noisy, bitDepth: 8, format: 'png' });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mend denoise', () => {
  it('raises PSNR by at least 6 dB at sigma 25 with the default colour model', async () => {
    const res = await runMend(['denoise', path.join(dir, 'noisy.png'), '--sigma', '25', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const result = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(result.output).toBe(path.join(dir, 'noisy.mend.png'));
    const ref = (await readImage(path.join(dir, 'clean.png'))).raster;
    const before = psnr((await readImage(path.join(dir, 'noisy.png'))).raster, ref);
    const after = psnr((await readImage(result.output)).raster, ref);
    expect(after - before).toBeGreaterThanOrEqual(6);
    // Two passes (the network also on a turned copy) are no worse, and are reported.
    const two = await runMend(['denoise', path.join(dir, 'noisy.png'), '--sigma', '25', '--passes', '2', '-o', path.join(dir, 'two.png'), '--json']);
    expect(two.code, two.stderr).toBe(0);
    expect(JSON.parse(two.stdout.trim().split('\n').pop()!).passes).toBe(2);
    expect(psnr((await readImage(path.join(dir, 'two.png'))).raster, ref)).toBeGreaterThan(after);
  });

  it('estimates sigma when not given, and strength 0 returns the input', async () => {
    const out = path.join(dir, 'keep.png');
    const res = await runMend(['denoise', path.join(dir, 'noisy.png'), '-o', out, '--strength', '0', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const result = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(result.estimated).toBe(true);
    expect(result.sigma).toBeGreaterThan(18);
    expect(result.sigma).toBeLessThan(32);
    const a = await sharp(path.join(dir, 'noisy.png')).raw().toBuffer();
    const b = await sharp(out).raw().toBuffer();
    expect(Buffer.compare(a, b)).toBe(0);
  });

  it('keeps a 16-bit PNG 16-bit and keeps EXIF and ICC metadata', async () => {
    const input = path.join(dir, 'deep.png');
    const raw = Buffer.alloc(64 * 48 * 3 * 2);
    for (let i = 0; i < 64 * 48 * 3; i++) raw.writeUInt16LE((i * 997) % 65536, i * 2);
    await sharp(raw, { raw: { width: 64, height: 48, channels: 3, premultiplied: false } })
      .toColourspace('rgb16').png().toFile(path.join(dir, 'tmp16.png'));
    await writeImage(input, { ...(await readImage(path.join(dir, 'tmp16.png'))), metadata: {} });
    const tagged = path.join(dir, 'tagged.jpg');
    await sharp(path.join(dir, 'clean.png')).withExif({ IFD0: { Artist: 'Mend Test' } }).withIccProfile('p3').jpeg().toFile(tagged);
    const r16 = await runMend(['denoise', input, '--sigma', '5']);
    expect(r16.code, r16.stderr).toBe(0);
    const meta16 = await sharp(path.join(dir, 'deep.mend.png')).metadata();
    expect(meta16.depth).toBe('ushort');
    const rj = await runMend(['denoise', tagged, '--sigma', '5']);
    expect(rj.code, rj.stderr).toBe(0);
    const meta = await sharp(path.join(dir, 'tagged.mend.jpg')).metadata();
    expect(meta.exif?.toString('latin1')).toContain('Mend Test');
    expect(meta.icc).toBeDefined();
  });

  it('refuses bad input with one line naming the file and a non-zero exit', async () => {
    const missing = await runMend(['denoise', path.join(dir, 'nope.jpg')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('nope.jpg');
    const text = path.join(dir, 'notes.png');
    await writeFile(text, 'not an image at all');
    const notImage = await runMend(['denoise', text]);
    expect(notImage.code).toBe(1);
    expect(notImage.stderr).toContain('notes.png');
    const png = await readFile(path.join(dir, 'clean.png'));
    const cut = path.join(dir, 'cut.png');
    await writeFile(cut, png.subarray(0, Math.floor(png.length / 2)));
    const truncated = await runMend(['denoise', cut]);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toContain('cut.png');
    const unwritable = await runMend(['denoise', path.join(dir, 'clean.png'), '-o', path.join(dir, 'clean.png', 'x.png')]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toContain('x.png');
    const same = await runMend(['denoise', path.join(dir, 'clean.png'), '-o', path.join(dir, 'clean.png')]);
    expect(same.code).toBe(2);
    const usage = await runMend(['denoise', path.join(dir, 'clean.png'), '--strength', '2']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--strength');
    const passes = await runMend(['denoise', path.join(dir, 'clean.png'), '--passes', '3']);
    expect(passes.code).toBe(2);
    expect(passes.stderr).toContain('--passes must be 1, 2, 4 or 8');
  });
});

describe('mend inpaint', () => {
  it('fills the mask and leaves every other pixel bit-identical', async () => {
    const mask = new Uint8Array(192 * 160);
    for (let y = 60; y < 80; y++) for (let x = 40; x < 120; x++) mask[y * 192 + x] = 1;
    await writeMask(path.join(dir, 'mask.png'), mask, 192, 160);
    const damaged = path.join(dir, 'damaged.png');
    const d = clean.data.slice();
    for (let p = 0; p < mask.length; p++) if (mask[p]) d[3 * p] = d[3 * p + 1] = d[3 * p + 2] = 1;
    await writeImage(damaged, { raster: { ...clean, data: d }, bitDepth: 8, format: 'png' });
    const res = await runMend(['inpaint', damaged, '--mask', path.join(dir, 'mask.png')]);
    expect(res.code, res.stderr).toBe(0);
    const a = await sharp(damaged).raw().toBuffer();
    const b = await sharp(path.join(dir, 'damaged.mend.png')).raw().toBuffer();
    let changedOutside = 0;
    for (let p = 0; p < mask.length; p++) for (let k = 0; k < 3; k++) if (!mask[p] && a[3 * p + k] !== b[3 * p + k]) changedOutside++;
    expect(changedOutside).toBe(0);
    // The hole was white; the fill must be close to the real content, far closer than white.
    const out = (await readImage(path.join(dir, 'damaged.mend.png'))).raster;
    const ref = (await readImage(path.join(dir, 'clean.png'))).raster;
    expect(psnr(out, ref, { mask })).toBeGreaterThan(psnr({ ...clean, data: d }, ref, { mask }) + 8);
  });

  it('gives the fill of a noisy photo its grain, and leaves it smooth with --no-grain (and no texture copied: --no-synthesis)', async () => {
    const mask = new Uint8Array(192 * 160);
    for (let y = 60; y < 90; y++) for (let x = 40; x < 120; x++) mask[y * 192 + x] = 1;
    await writeMask(path.join(dir, 'grain-mask.png'), mask, 192, 160);
    const noisy = path.join(dir, 'noisy.png');
    for (const [flags, out] of [[[], 'grain.png'], [['--no-grain', '--no-synthesis'], 'smooth.png']] as const) {
      const res = await runMend(['inpaint', noisy, '--mask', path.join(dir, 'grain-mask.png'), '-o', path.join(dir, out), ...flags]);
      expect(res.code, res.stderr).toBe(0);
    }
    // Mean absolute difference of horizontal neighbours (0-255), where the mask is `inside`.
    const roughness = async (file: string, inside: boolean): Promise<number> => {
      const d = (await readImage(file)).raster.data;
      let s = 0;
      let n = 0;
      for (let y = 0; y < 160; y++) {
        for (let x = 0; x < 191; x++) {
          const p = y * 192 + x;
          if (!!mask[p] !== inside || !!mask[p + 1] !== inside) continue;
          for (let k = 0; k < 3; k++) s += Math.abs(d[3 * p + k]! - d[3 * p + 3 + k]!) * 255;
          n += 3;
        }
      }
      return s / n;
    };
    const photo = await roughness(noisy, false);
    expect(photo).toBeGreaterThan(20); // sigma 25
    expect(await roughness(path.join(dir, 'grain.png'), true)).toBeGreaterThan(0.7 * photo);
    expect(await roughness(path.join(dir, 'smooth.png'), true)).toBeLessThan(0.25 * photo);
  });

  it('refuses a mask of the wrong size', async () => {
    await writeMask(path.join(dir, 'small.png'), new Uint8Array(16), 4, 4);
    const res = await runMend(['inpaint', path.join(dir, 'clean.png'), '--mask', path.join(dir, 'small.png')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('small.png');
  });
});

describe('mend anomaly', () => {
  it('flags hot pixels and suggests a mask that covers them', async () => {
    const hot = clean.data.slice();
    const spots = [[30, 30], [100, 50], [150, 120], [60, 140]];
    for (const [x, y] of spots) for (let k = 0; k < 3; k++) hot[(y * 192 + x) * 3 + k] = 1;
    await writeImage(path.join(dir, 'hot.png'), { raster: { ...clean, data: hot }, bitDepth: 8, format: 'png' });
    const res = await runMend(['anomaly', path.join(dir, 'hot.png'), '-o', path.join(dir, 'map.png'), '--mask-out', path.join(dir, 'hot-mask.png')]);
    expect(res.code, res.stderr).toBe(0);
    const { data } = await sharp(path.join(dir, 'hot-mask.png')).greyscale().raw().toBuffer({ resolveWithObject: true });
    for (const [x, y] of spots) expect(data[y * 192 + x]).toBe(255);
    let flagged = 0;
    for (const v of data) if (v > 127) flagged++;
    expect(flagged / data.length).toBeLessThan(0.05);
  });
});

describe('mend info', () => {
  it('names the backend, why faster ones were skipped, and the shipped models', async () => {
    const res = await runMend(['info', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const info = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(['cuda', 'native', 'wasm', 'cpu']).toContain(info.backend);
    if (info.backend === 'wasm') expect(info.skipped.map((s: { name: string }) => s.name)).toEqual(['cuda', 'native']);
    const ids = info.models.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['color-denoise', 'gray-denoise', 'color-inpaint']));
    const forced = await runMend(['info', '--json', '--backend', 'cpu']);
    expect(JSON.parse(forced.stdout.trim().split('\n').pop()!).backend).toBe('cpu');
    const bad = await runMend(['info', '--backend', 'quantum']);
    expect(bad.code).toBe(2);
  });
});
