import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, writeImage } from '../../../src-main/core/image/io.js';
import { gradient16, gradient8, makeTempDir, storedSamples } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

const W = 7;
const H = 5;

function toInts(values: Float32Array, max: number): number[] {
  return Array.from(values, (v) => Math.round(v * max));
}

/** Interleave raster + alpha back into integer samples, as stored in a file. */
function interleave(raster: { data: Float32Array; channels: number }, alpha: Float32Array | undefined, max: number): number[] {
  const out: number[] = [];
  const n = raster.data.length / raster.channels;
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < raster.channels; c++) out.push(Math.round(raster.data[p * raster.channels + c]! * max));
    if (alpha) out.push(Math.round(alpha[p]! * max));
  }
  return out;
}

describe('16-bit round trips are exact', () => {
  for (const format of ['png', 'tiff'] as const) {
    for (const channels of [1, 2, 3, 4] as const) {
      it(`${format}, ${channels} channel(s)`, async () => {
        const src = gradient16(W, H, channels);
        const input = join(dir, `in16-${channels}.${format}`);
        await sharp(src, { raw: { width: W, height: H, channels } })
          .toColourspace(channels <= 2 ? 'grey16' : 'rgb16')
          .toFormat(format, format === 'tiff' ? { compression: 'deflate' } : {})
          .toFile(input);

        const img = await readImage(input);
        expect(img.format).toBe(format);
        expect(img.bitDepth).toBe(16);
        expect(img.raster.width).toBe(W);
        expect(img.raster.height).toBe(H);
        expect(img.raster.channels).toBe(channels <= 2 ? 1 : 3);
        expect(img.alpha !== undefined).toBe(channels === 2 || channels === 4);
        expect(interleave(img.raster, img.alpha, 65535)).toEqual(Array.from(src));

        const output = join(dir, `out16-${channels}.${format}`);
        await writeImage(output, img);
        const meta = await sharp(output).metadata();
        expect(meta.format).toBe(format);
        expect(meta.depth).toBe('ushort');
        expect(meta.channels).toBe(channels);
        const stored = await storedSamples(output, true, channels <= 2);
        expect(stored.channels).toBe(channels);
        expect(stored.samples).toEqual(Array.from(src));
      });
    }
  }
});

describe('8-bit round trips', () => {
  it('8-bit RGB PNG is exact and stays 8-bit', async () => {
    const src = gradient8(W, H, 3);
    const input = join(dir, 'in8.png');
    await sharp(src, { raw: { width: W, height: H, channels: 3 } }).png().toFile(input);
    const img = await readImage(input);
    expect(img.bitDepth).toBe(8);
    expect(img.raster.channels).toBe(3);
    expect(img.alpha).toBeUndefined();
    expect(toInts(img.raster.data, 255)).toEqual(Array.from(src));
    const output = join(dir, 'out8.png');
    await writeImage(output, img);
    expect((await sharp(output).metadata()).depth).toBe('uchar');
    expect((await storedSamples(output, false, false)).samples).toEqual(Array.from(src));
  });

  it('8-bit greyscale stays one channel, RGBA alpha passes through exactly', async () => {
    const grey = gradient8(W, H, 1);
    const greyPath = join(dir, 'grey8.png');
    await sharp(grey, { raw: { width: W, height: H, channels: 1 } }).toColourspace('b-w').png().toFile(greyPath);
    const g = await readImage(greyPath);
    expect(g.raster.channels).toBe(1);
    expect(toInts(g.raster.data, 255)).toEqual(Array.from(grey));
    const greyOut = join(dir, 'grey8-out.png');
    await writeImage(greyOut, g);
    expect((await sharp(greyOut).metadata()).channels).toBe(1);

    const rgba = gradient8(W, H, 4);
    const rgbaPath = join(dir, 'rgba8.png');
    await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toFile(rgbaPath);
    const c = await readImage(rgbaPath);
    expect(c.raster.channels).toBe(3);
    expect(toInts(c.alpha!, 255)).toEqual(Array.from(rgba.filter((_, i) => i % 4 === 3)));
    const rgbaOut = join(dir, 'rgba8-out.webp');
    await writeImage(rgbaOut, c, { format: 'png' }); // explicit format wins over the extension
    const stored = await sharp(rgbaOut).metadata();
    expect(stored.format).toBe('png');
    expect((await storedSamples(rgbaOut, false, false)).samples).toEqual(Array.from(rgba));
  });

  it('clamps and rounds floats when encoding', async () => {
    const data = new Float32Array([-0.5, 0, 0.5, 1, 1.5, Number.NaN, 0.2, 0.998, 0.001]);
    const out = join(dir, 'clamp.png');
    await writeImage(out, { raster: { width: 3, height: 1, channels: 3, data }, bitDepth: 8 });
    expect((await storedSamples(out, false, false)).samples).toEqual([0, 0, 128, 255, 255, 0, 51, 254, 0]);
  });
});

describe('lossy formats', () => {
  it('reads JPEG and WebP; JPEG output is 8-bit and drops alpha', async () => {
    const src = gradient16(W, H, 4);
    const input = join(dir, 'rgba16.png');
    await sharp(src, { raw: { width: W, height: H, channels: 4 } }).toColourspace('rgb16').png().toFile(input);
    const img = await readImage(input);
    const jpg = join(dir, 'out.jpg');
    await writeImage(jpg, img, { format: 'jpeg', depth: 16 });
    const jm = await sharp(jpg).metadata();
    expect([jm.format, jm.depth, jm.channels]).toEqual(['jpeg', 'uchar', 3]);
    const webp = join(dir, 'out.webp');
    await writeImage(webp, { raster: img.raster, alpha: img.alpha, bitDepth: 16 });
    const wm = await sharp(webp).metadata();
    expect([wm.format, wm.depth, wm.hasAlpha]).toEqual(['webp', 'uchar', true]);

    for (const [path, format] of [
      [jpg, 'jpeg'],
      [webp, 'webp'],
    ] as const) {
      const back = await readImage(path);
      expect(back.format).toBe(format);
      expect(back.bitDepth).toBe(8);
      expect([back.raster.width, back.raster.height, back.raster.channels]).toEqual([W, H, 3]);
    }
  });

  it.skipIf(!sharp.format.heif.output.buffer)('reads AVIF', async () => {
    const path = join(dir, 'pic.avif');
    await writeFile(path, await sharp({ create: { width: 16, height: 8, channels: 3, background: '#3366cc' } }).avif().toBuffer());
    const img = await readImage(path);
    expect(img.format).toBe('avif');
    expect([img.raster.width, img.raster.height, img.raster.channels]).toEqual([16, 8, 3]);
    const out = join(dir, 'pic-out.avif');
    await writeImage(out, img);
    const m = await sharp(out).metadata();
    expect([m.format, m.compression]).toEqual(['heif', 'av1']);
  });
});
