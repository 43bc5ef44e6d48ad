// `mend batch` on a folder with camera RAW files (issue 24): DNGs Mend writes itself (a clean
// picture unprocessed to a noisy Bayer mosaic) are denoised in the raw domain and written as
// linear DNGs (default) or, with --format tiff, 16-bit TIFFs in the default rendering; another RAW
// extension goes through LibRaw; what LibRaw cannot read fails alone with its reason; ordinary
// photos in the same folder are denoised as before.
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
import { writePhoto } from '../unit/batch/helpers.js';

let dir: string;
const W = 160, H = 128;
const clean = naturalImage(W, H, 3, 21);
const made = unprocess(clean, { noise: { a: 0.006, b: 6e-5 }, rng: new Rng(9), iso: 6400 });
const ENV = { MEND_BACKEND: 'wasm' };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mend-batch-raw-'));
  const inDir = path.join(dir, 'in');
  await mkdir(inDir);
  await writeFile(path.join(inDir, 'IMG_0001.dng'), writeCfaDng(made.dng));
  await writeFile(path.join(inDir, 'DSC_0002.NEF'), writeCfaDng(made.dng)); // the LibRaw route
  await writeFile(path.join(inDir, 'IMG_0003.CR2'), 'not a raw file');
  await writePhoto(path.join(inDir, 'photo.png'), 48, 32, 3);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const resultOf = (stdout: string): Record<string, any> => JSON.parse(stdout.trim().split('\n').at(-1)!);

/** Camera RGB of a linear DNG Mend wrote (one 16-bit strip), on [0,1]. */
function linearDngPixels(bytes: Uint8Array): Float32Array {
  const t = parseTiff(bytes);
  expect(nums(t.ifds[0], 262)).toEqual([LINEAR_RAW_PHOTOMETRIC]);
  expect(nums(t.exif, 34855)).toEqual([6400]);
  const off = nums(t.ifds[0], 273)![0];
  const out = new Float32Array(W * H * 3);
  for (let i = 0; i < out.length; i++) out[i] = t.view.getUint16(off + 2 * i, true) / 65535;
  return out;
}

describe('mend batch with camera RAW files', () => {
  it('denoises DNG and other RAW files to linear DNGs, the photo as before, and fails what LibRaw cannot read alone', async () => {
    const inDir = path.join(dir, 'in');
    const outDir = path.join(dir, 'out');
    const res = await runMend(['batch', inDir, '-o', outDir, '--json'], { env: ENV });
    expect(res.code, res.stderr).toBe(1); // the junk CR2 failed
    const result = resultOf(res.stdout);
    expect([result.done, result.failed, result.total]).toEqual([3, 1, 4]);
    expect(result.failures[0].input).toBe(path.join(inDir, 'IMG_0003.CR2'));
    expect(result.failures[0].reason).toMatch(/LibRaw does not recognise this file as a CR2 camera raw file/);
    expect(result.notImages).toEqual([]);

    const raw = readDng(writeCfaDng(made.dng));
    const render = (rgb: Float32Array) => ({ width: W, height: H, channels: 3, data: renderSrgb(rgb, raw.meta.asShotNeutral, raw.meta.colorMatrix1!) });
    const before = psnr(render(cameraRgb(raw.data, raw)), clean);
    for (const name of ['IMG_0001.dng', 'DSC_0002.dng']) {
      const after = psnr(render(linearDngPixels(await readFile(path.join(outDir, name)))), clean);
      expect(after - before, name).toBeGreaterThan(7);
    }
    const photo = await readImage(path.join(outDir, 'photo.png'));
    expect([photo.raster.width, photo.raster.height]).toEqual([48, 32]);

    // A rerun skips what is done (journal), RAW included.
    const again = await runMend(['batch', inDir, '-o', outDir, '--json'], { env: ENV });
    expect([resultOf(again.stdout).skipped, resultOf(again.stdout).failed]).toEqual([3, 1]);
  });

  it('--format tiff writes the RAW files as 16-bit TIFFs in the default rendering', async () => {
    const outDir = path.join(dir, 'out-tiff');
    const res = await runMend(['batch', path.join(dir, 'in', 'IMG_0001.dng'), '-o', outDir, '--format', 'tiff', '--json'], { env: ENV });
    expect(res.code, res.stderr).toBe(0);
    const out = await readImage(path.join(outDir, 'IMG_0001.tif'));
    expect(out.bitDepth).toBe(16);
    expect([out.raster.width, out.raster.height, out.raster.channels]).toEqual([W, H, 3]);
    expect(psnr(out.raster, clean)).toBeGreaterThan(27);
  });
});
