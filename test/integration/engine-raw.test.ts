// Camera RAW in the editor's engine (issue 24), through the real engine process as both hosts
// drive it: a DNG Mend writes itself (a clean picture unprocessed to a noisy Bayer mosaic) opens
// as its default rendering (the preview the interface shows), Denoise runs the raw route, and
// Export writes the linear DNG (read back by exiftool) or a 16-bit TIFF.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/core/math/rng.js';
import { readImage, writeImage } from '../../src-main/core/image/io.js';
import { psnr } from '../../src-main/core/metrics/psnr.js';
import { renderSrgb } from '../../src-main/core/raw/colour.js';
import { LINEAR_RAW_PHOTOMETRIC, readDng, writeCfaDng } from '../../src-main/core/raw/dng.js';
import { rawPreview } from '../../src-main/core/raw/raw-file.js';
import { nums, parseTiff } from '../../src-main/core/raw/tiff.js';
import { unprocess } from '../../src-main/core/raw/unprocess.js';
import { EngineClient } from '../../src-main/host/client.js';
import type { ApiError, ImageInfo } from '../../src-main/shared/api.js';
import { naturalImage } from '../helpers/synthetic.js';

let tmp: string;
let client: EngineClient;
const W = 160, H = 128;
const clean = naturalImage(W, H, 3, 17);
const made = unprocess(clean, { noise: { a: 0.006, b: 6e-5 }, rng: new Rng(4), iso: 6400 });
const dngBytes = writeCfaDng(made.dng);
const raw = readDng(dngBytes);
let original: ImageInfo;
let denoised: ImageInfo;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-engine-raw-'));
  client = new EngineClient({ workspaceDir: path.join(tmp, 'ws'), env: { MEND_BACKEND: 'wasm', MEND_USER_MODELS: path.join(tmp, 'models') } });
});

afterAll(async () => {
  await client?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Camera RGB of a linear DNG Mend wrote (one 16-bit strip), on [0,1], after checking its tags. */
function linearDngPixels(bytes: Uint8Array): Float32Array {
  const t = parseTiff(bytes);
  expect(nums(t.ifds[0], 262)).toEqual([LINEAR_RAW_PHOTOMETRIC]);
  expect([nums(t.ifds[0], 256)![0], nums(t.ifds[0], 257)![0]]).toEqual([W, H]);
  const off = nums(t.ifds[0], 273)![0];
  const out = new Float32Array(W * H * 3);
  for (let i = 0; i < out.length; i++) out[i] = t.view.getUint16(off + 2 * i, t.littleEndian) / 65535;
  return out;
}

const render = (rgb: Float32Array) => ({ width: W, height: H, channels: 3, data: renderSrgb(rgb, raw.meta.asShotNeutral, raw.meta.colorMatrix1!) });

describe('camera RAW in the engine', () => {
  it('opens a DNG as its default rendering: size, 16-bit, and the view shows the preview pixels', async () => {
    const file = path.join(tmp, 'IMG_0001.dng');
    await writeFile(file, dngBytes);
    original = await client.call('openPath', file);
    expect(original).toMatchObject({ name: 'IMG_0001.dng', role: 'original', width: W, height: H, channels: 3, bitDepth: 16, format: 'dng', raw: true });
    const view = await sharp(await client.call('imageFile', original.id, 'view')).raw().toBuffer({ resolveWithObject: true });
    expect([view.info.width, view.info.height, view.info.channels]).toEqual([W, H, 3]);
    const preview = rawPreview(raw);
    let maxDiff = 0;
    for (let i = 0; i < preview.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(view.data[i]! - Math.round(255 * preview.data[i]!)));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });

  it('denoises it in the raw domain and exports the linear DNG (metadata kept) and a 16-bit TIFF', async () => {
    const result = await client.startJob({ type: 'denoise', image: original.id, sigma: 'auto' }, () => undefined).done;
    expect(result).toMatchObject({ type: 'denoise', model: 'gray-unet' });
    denoised = (result as { image: ImageInfo }).image;
    expect(denoised).toMatchObject({ role: 'denoised', width: W, height: H, raw: true, parent: original.id });

    const dng = await client.call('exportImage', { image: denoised.id, source: original.id, format: 'dng', keepMetadata: true, fileName: 'IMG_0001.mend.dng' });
    expect(dng.fileName).toBe('IMG_0001.mend.dng');
    // The original exported as a linear DNG (demosaiced, not denoised) is the baseline.
    const noisyPsnr = psnr(render(linearDngPixels(await exportedOriginal())), clean);
    const outPsnr = psnr(render(linearDngPixels(await readFile(dng.file))), clean);
    expect(outPsnr - noisyPsnr).toBeGreaterThan(7);
    const tags = execFileSync('exiftool', ['-validate', '-warning', '-ISO', '-ExposureTime', '-UniqueCameraModel', dng.file], { encoding: 'utf8' });
    expect(tags).toMatch(/Validate\s+: OK/);
    expect(tags).toMatch(/ISO\s+: 6400/);
    expect(tags).toMatch(/Exposure Time\s+: 1\/125/);

    // Half strength: halfway between the original's and the denoised camera RGB.
    const half = await client.call('exportImage', { image: denoised.id, base: original.id, strength: 0.5, source: original.id, format: 'dng', keepMetadata: false, fileName: 'half.dng' });
    const halfPsnr = psnr(render(linearDngPixels(await readFile(half.file))), clean);
    expect(halfPsnr).toBeGreaterThan(noisyPsnr);
    expect(halfPsnr).toBeLessThan(outPsnr);

    const tif = await client.call('exportImage', { image: denoised.id, source: original.id, format: 'tiff', depth: 16, keepMetadata: false, fileName: 'IMG_0001.mend.tif' });
    const decoded = await readImage(tif.file);
    expect(decoded.bitDepth).toBe(16);
    expect([decoded.raster.width, decoded.raster.height, decoded.raster.channels]).toEqual([W, H, 3]);
    expect(psnr(decoded.raster, clean)).toBeGreaterThan(27);
  });

  it('takes the panel\'s Amount and Detail: the level set by hand, texture given back, the view and the linear DNG one image', async () => {
    const run = async (amount: number, detail: number) => {
      const result = await client.startJob({ type: 'denoise', image: original.id, sigma: 'auto', amount, detail }, () => undefined).done;
      expect(result).toMatchObject({ type: 'denoise', amount, estimated: false });
      const image = (result as { image: ImageInfo }).image;
      const dng = await client.call('exportImage', { image: image.id, source: original.id, format: 'dng', keepMetadata: false, fileName: `a${amount}-d${detail}.dng` });
      const pixels = linearDngPixels(await readFile(dng.file));
      // What the editor shows is the rendering of the camera RGB the linear DNG keeps.
      const view = await sharp(await client.call('imageFile', image.id, 'view')).raw().toBuffer();
      const shown = render(pixels).data;
      let maxDiff = 0;
      for (let i = 0; i < shown.length; i++) maxDiff = Math.max(maxDiff, Math.abs(view[i]! - 255 * shown[i]!));
      expect(maxDiff).toBeLessThanOrEqual(1.5);
      return pixels;
    };
    const noisy = linearDngPixels(await exportedOriginal());
    const dist = (a: Float32Array) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i]! - noisy[i]!) ** 2;
      return s;
    };
    const [low, high, highDetail] = [await run(20, 0), await run(70, 0), await run(70, 100)];
    // More Amount removes more (further from the noisy original); Detail brings part of it back.
    expect(dist(low)).toBeLessThan(dist(high));
    expect(dist(highDetail)).toBeLessThan(0.6 * dist(high));
  });

  it('refuses a DNG export of an image that does not come from a RAW photo', async () => {
    const file = path.join(tmp, 'photo.png');
    await writeImage(file, { raster: naturalImage(32, 32, 3, 2) });
    const png = await client.call('openPath', file);
    const err = await client.call('exportImage', { image: png.id, format: 'dng', keepMetadata: true, fileName: 'photo.dng' }).catch((e: ApiError) => e);
    expect(err).toMatchObject({ code: 'usage', message: expect.stringContaining('does not come from a camera RAW photo') });
  });
});

async function exportedOriginal(): Promise<Buffer> {
  const e = await client.call('exportImage', { image: original.id, format: 'dng', keepMetadata: true, fileName: 'noisy.dng' });
  return readFile(e.file);
}
