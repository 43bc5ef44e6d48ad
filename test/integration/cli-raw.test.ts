// `mend denoise` on camera raw files, end to end through the built CLI: a DNG Mend writes itself
// (a clean picture unprocessed to a noisy Bayer mosaic) in, a linear DNG (default) or 16-bit TIFF out.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/core/math/rng.js';
import { readImage } from '../../src-main/core/image/io.js';
import { psnr } from '../../src-main/core/metrics/psnr.js';
import { renderSrgb } from '../../src-main/core/raw/colour.js';
import { LINEAR_RAW_PHOTOMETRIC, readDng, writeCfaDng } from '../../src-main/core/raw/dng.js';
import { cameraRgb } from '../../src-main/core/raw/raw-denoise.js';
import { nums, parseTiff } from '../../src-main/core/raw/tiff.js';
import { unprocess } from '../../src-main/core/raw/unprocess.js';
import { runMend } from '../helpers/cli.js';
import { naturalImage } from '../helpers/synthetic.js';

let dir: string;
const W = 160, H = 128;
const clean = naturalImage(W, H, 3, 13);
const made = unprocess(clean, { noise: { a: 0.006, b: 6e-5 }, rng: new Rng(8), iso: 6400 });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mend-raw-cli-'));
  await writeFile(path.join(dir, 'IMG_0001.dng'), writeCfaDng(made.dng));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 16-bit camera RGB of a linear DNG Mend wrote (one strip, little-endian), on [0,1]. */
async function linearDngPixels(file: string): Promise<Float32Array> {
  const t = parseTiff(await readFile(file));
  expect(nums(t.ifds[0], 262)).toEqual([LINEAR_RAW_PHOTOMETRIC]);
  const off = nums(t.ifds[0], 273)![0];
  const out = new Float32Array(W * H * 3);
  for (let i = 0; i < out.length; i++) out[i] = t.view.getUint16(off + 2 * i, true) / 65535;
  return out;
}

describe('mend denoise IMG.dng', () => {
  it('writes IMG.mend.dng, a linear DNG with the metadata kept and far less noise', async () => {
    const input = path.join(dir, 'IMG_0001.dng');
    const res = await runMend(['denoise', input, '--json']);
    expect(res.code, res.stderr).toBe(0);
    const result = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(result.output).toBe(path.join(dir, 'IMG_0001.mend.dng'));
    expect(result).toMatchObject({ raw: true, format: 'dng', width: W, height: H, iso: 6400, noiseSource: 'estimated' });
    expect(result.noise.a / 0.006).toBeGreaterThan(0.8);
    expect(result.noise.a / 0.006).toBeLessThan(1.25);
    // Rendered the same way, the output is far closer to the clean picture than the input is.
    const raw = readDng(writeCfaDng(made.dng));
    const render = (rgb: Float32Array) => ({ width: W, height: H, channels: 3, data: renderSrgb(rgb, raw.meta.asShotNeutral, raw.meta.colorMatrix1!) });
    const before = psnr(render(cameraRgb(raw.data, raw)), clean);
    const after = psnr(render(await linearDngPixels(result.output)), clean);
    expect(after - before).toBeGreaterThan(7);
    // An independent reader sees the metadata of the original.
    const tags = execFileSync('exiftool', ['-validate', '-warning', '-ISO', '-UniqueCameraModel', '-ExposureTime', result.output], { encoding: 'utf8' });
    expect(tags).toMatch(/Validate\s+: OK/);
    expect(tags).toMatch(/ISO\s+: 6400/);
    expect(tags).toMatch(/Exposure Time\s+: 1\/125/);
  });

  it('--format tiff writes a 16-bit TIFF in the default rendering', async () => {
    const input = path.join(dir, 'IMG_0001.dng');
    const res = await runMend(['denoise', input, '--format', 'tiff']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/IMG_0001\.mend\.tif \(RAW 160x128 ISO 6400, model gray-unet, noise estimated/);
    const out = await readImage(path.join(dir, 'IMG_0001.mend.tif'));
    expect(out.bitDepth).toBe(16);
    expect([out.raster.width, out.raster.height, out.raster.channels]).toEqual([W, H, 3]);
    expect(psnr(out.raster, clean)).toBeGreaterThan(27);
  });

  it('says a folder named like a photo is a folder (the DNG-by-content check opens it first)', async () => {
    const folder = path.join(dir, 'photo.png');
    await mkdir(folder);
    const res = await runMend(['denoise', folder, '-o', path.join(dir, 'out.png')]);
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim()).toBe(`mend: ${folder} is a folder, not an image`);
  });

  it('takes a DNG by its content under another name', async () => {
    const renamed = path.join(dir, 'scan.tif');
    await writeFile(renamed, writeCfaDng(made.dng));
    const res = await runMend(['denoise', renamed, '--json']);
    expect(res.code, res.stderr).toBe(0);
    const result = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(result).toMatchObject({ raw: true, output: path.join(dir, 'scan.mend.dng') });
  });

  it('reads other RAW formats through LibRaw: IMG.NEF -> IMG.mend.dng', async () => {
    // A DNG's bytes under a .NEF name go the proprietary route (LibRaw), as a camera's NEF would.
    const nef = path.join(dir, 'DSC_0001.NEF');
    await writeFile(nef, writeCfaDng(made.dng));
    const res = await runMend(['denoise', nef, '--json']);
    expect(res.code, res.stderr).toBe(0);
    const result = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(result).toMatchObject({ raw: true, format: 'dng', output: path.join(dir, 'DSC_0001.mend.dng'), width: W, height: H, iso: 6400 });
    const t = parseTiff(await readFile(result.output));
    expect(nums(t.ifds[0], 262)).toEqual([LINEAR_RAW_PHOTOMETRIC]);
    expect(nums(t.exif, 34855)).toEqual([6400]);
  });

  it('refuses what LibRaw cannot read and demosaiced DNGs in one line', async () => {
    const cr2 = path.join(dir, 'IMG_0002.CR2');
    await writeFile(cr2, Buffer.from('II*\0\x10\0\0\0CR\x02\0'));
    const res = await runMend(['denoise', cr2]);
    expect(res.code).not.toBe(0);
    expect(res.stderr.trim()).toBe(`mend: ${cr2}: LibRaw does not recognise this file as a CR2 camera raw file (Mend reads camera RAW files through LibRaw; a DNG made by Adobe DNG Converter or dnglab may work)`);
    const again = await runMend(['denoise', path.join(dir, 'IMG_0001.mend.dng'), '-o', path.join(dir, 'twice.dng')]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already demosaiced \(LinearRaw\)/);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    const both = await runMend(['denoise', path.join(dir, 'IMG_0001.dng'), '--sigma', '20', '--amount', '40']);
    expect(both.code).not.toBe(0);
    expect(both.stderr.trim()).toBe('mend: Give --amount or --sigma, not both.');
    const detail = await runMend(['denoise', path.join(dir, 'IMG_0001.dng'), '--detail', '120']);
    expect(detail.code).not.toBe(0);
    expect(detail.stderr.trim()).toBe('mend: --detail must be a number between 0 and 100, got "120"');
  });

  it('--amount, --sigma and --detail set the level and the texture given back', async () => {
    const input = path.join(dir, 'IMG_0001.dng');
    const raw = readDng(writeCfaDng(made.dng));
    const run = async (args: string[], name: string) => {
      const res = await runMend(['denoise', input, '-o', path.join(dir, name), '--json', ...args]);
      expect(res.code, res.stderr).toBe(0);
      const result = JSON.parse(res.stdout.trim().split('\n').pop()!);
      return { result, pixels: await linearDngPixels(result.output) };
    };
    const low = await run(['--amount', '20'], 'low.dng');
    const high = await run(['--amount', '70', '--detail', '100'], 'high.dng');
    const sigma = await run(['--sigma', '26.95'], 'sigma.dng');
    expect(low.result).toMatchObject({ raw: true, amount: 20, estimated: false, detail: 0 });
    expect(high.result).toMatchObject({ amount: 70, estimated: false, detail: 100 });
    expect(sigma.result).toMatchObject({ sigma: 26.95, amount: 70, estimated: false });
    const noisy = cameraRgb(raw.data, raw);
    const dist = (a: Float32Array, b: Float32Array) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
      return s;
    };
    // Amount 20 leaves the output closer to the noisy original than Amount 70 (which Detail 100
    // brings only 60% of the way back) or the same level given as --sigma.
    expect(dist(low.pixels, noisy)).toBeLessThan(dist(high.pixels, noisy));
    expect(dist(high.pixels, noisy)).toBeLessThan(dist(sigma.pixels, noisy));
  });
});
