import { link, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMP_MARKER, tempPathFor } from '../../../src-main/core/image/atomic-write.js';
import { extensionFor, formatFromPath } from '../../../src-main/core/image/formats.js';
import {
  assertNotSameFile,
  defaultOutputPath,
  readImage,
  readMask,
  writeImage,
  writeMask,
} from '../../../src-main/core/image/io.js';
import { expectMendError, makeTempDir, noisyPicture } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

const tiny = { raster: { width: 2, height: 2, channels: 3, data: new Float32Array(12).fill(0.5) }, bitDepth: 8 as const };

async function tempLeftovers(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((f) => f.includes(TEMP_MARKER));
}

describe('read errors name the file and say why', () => {
  it('missing file -> not-found', async () => {
    await expectMendError(readImage(join(dir, 'no-such-photo.png')), 'not-found', 'no-such-photo.png');
  });

  it('text file renamed .jpg -> not-an-image; empty file too', async () => {
    const p = join(dir, 'notes-in-disguise.jpg');
    await writeFile(p, 'These are my holiday notes, not a photo.\n');
    await expectMendError(readImage(p), 'not-an-image', 'notes-in-disguise.jpg');
    const empty = join(dir, 'empty-file.png');
    await writeFile(empty, '');
    await expectMendError(readImage(empty), 'not-an-image', 'empty-file.png');
  });

  for (const format of ['png', 'jpeg'] as const) {
    it(`truncated ${format.toUpperCase()} (cut in half) -> corrupt-image`, async () => {
      const whole = await noisyPicture(format);
      const p = join(dir, `cut-in-half.${format}`);
      await writeFile(p, whole.subarray(0, Math.floor(whole.length / 2)));
      await expectMendError(readImage(p), 'corrupt-image', `cut-in-half.${format}`);
    });
  }

  it('over the pixel limit -> too-large, with the size', async () => {
    const p = join(dir, 'big-one.png');
    await writeFile(p, await noisyPicture('png', 64, 48));
    const e = await expectMendError(readImage(p, { limitInputPixels: 100 }), 'too-large', 'big-one.png');
    expect(e.message).toContain('64x48');
    expect(e.message).toContain('100');
    // the default guard is sharp's and lets ordinary images through
    await expect(readImage(p)).resolves.toMatchObject({ raster: { width: 64, height: 48 } });
  });

  it('a GIF is recognised but unsupported', async () => {
    const p = join(dir, 'anim.gif');
    await sharp({ create: { width: 4, height: 4, channels: 3, background: '#ff0000' } }).gif().toFile(p);
    await expectMendError(readImage(p), 'unsupported', 'anim.gif');
  });
});

describe('write errors and atomic writes', () => {
  it('path under a regular file (ENOTDIR) -> unwritable, no temp file left', async () => {
    const blocker = join(dir, 'plain-file');
    await writeFile(blocker, 'x');
    await expectMendError(writeImage(join(blocker, 'result.png'), tiny), 'unwritable', 'result.png');
    await expectMendError(writeMask(join(blocker, 'mask.png'), new Uint8Array(4), 2, 2), 'unwritable', 'mask.png');
  });

  it('non-existent folder -> unwritable', async () => {
    await expectMendError(writeImage(join(dir, 'no-such-folder', 'result.png'), tiny), 'unwritable', 'result.png');
  });

  it('success leaves only the target; failure after the temp file exists removes it', async () => {
    const folder = join(dir, 'atomic');
    await mkdir(folder);
    await writeImage(join(folder, 'ok.png'), tiny);
    expect(await readdir(folder)).toEqual(['ok.png']);
    // Replacing an existing file works and is still clean.
    await writeImage(join(folder, 'ok.png'), tiny);
    expect(await readdir(folder)).toEqual(['ok.png']);
    // Target is a folder: the temp file is written, then rename fails.
    await mkdir(join(folder, 'taken.png'));
    await expectMendError(writeImage(join(folder, 'taken.png'), tiny), 'unwritable', 'taken.png');
    expect(await tempLeftovers(folder)).toEqual([]);
    expect((await readdir(folder)).sort()).toEqual(['ok.png', 'taken.png']);
  });

  it('temp files are hidden, in the same folder, and marked', () => {
    const t = tempPathFor(join(dir, 'photo.jpg'));
    expect(t.startsWith(join(dir, '.photo.jpg'))).toBe(true);
    expect(t).toContain(TEMP_MARKER);
  });

  it('unknown output format -> usage; bad quality -> usage', async () => {
    await expectMendError(writeImage(join(dir, 'result.xyz'), tiny), 'usage', 'result.xyz');
    await expectMendError(writeImage(join(dir, 'q.jpg'), tiny, { quality: 0 }), 'usage', 'q.jpg');
  });

  it('HEIF (HEVC) output is refused cleanly when this sharp build cannot encode it', async () => {
    const canHevc = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .heif({ compression: 'hevc' })
      .toBuffer()
      .then(
        () => true,
        () => false,
      );
    const p = join(dir, 'photo.heic');
    if (canHevc) {
      await writeImage(p, tiny);
      expect((await sharp(p).metadata()).format).toBe('heif');
    } else {
      await expectMendError(writeImage(p, tiny), 'unsupported', 'photo.heic');
      expect(await tempLeftovers(dir)).toEqual([]);
    }
  });
});

describe('masks', () => {
  it('round trips through writeMask/readMask as an 8-bit grey PNG', async () => {
    const mask = Uint8Array.from([1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0]);
    const p = join(dir, 'mask.png');
    await writeMask(p, mask, 4, 3);
    const m = await sharp(p).metadata();
    expect([m.format, m.channels, m.depth, m.width, m.height]).toEqual(['png', 1, 'uchar', 4, 3]);
    expect(await readMask(p, 4, 3)).toEqual(mask);
  });

  it('thresholds any image at 127 (white = selected), transparent = unselected', async () => {
    const grey = Uint8Array.from([0, 127, 128, 255]);
    const p = join(dir, 'grey-mask.jpg.png');
    await sharp(grey, { raw: { width: 4, height: 1, channels: 1 } }).png().toFile(p);
    expect(Array.from(await readMask(p, 4, 1))).toEqual([0, 0, 1, 1]);
    const rgba = Uint8Array.from([255, 255, 255, 255, 255, 255, 255, 0]);
    const q = join(dir, 'alpha-mask.png');
    await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(q);
    expect(Array.from(await readMask(q, 2, 1))).toEqual([1, 0]);
  });

  it('refuses a mask of the wrong size', async () => {
    const p = join(dir, 'small-mask.png');
    await writeMask(p, new Uint8Array(6), 3, 2);
    const e = await expectMendError(readMask(p, 30, 20), 'usage', 'small-mask.png');
    expect(e.message).toContain('3x2');
    expect(e.message).toContain('30x20');
    await expectMendError(readMask(join(dir, 'missing-mask.png'), 3, 2), 'not-found', 'missing-mask.png');
  });
});

describe('paths', () => {
  it('formatFromPath / extensionFor', () => {
    expect(formatFromPath('/a/B.JPG')).toBe('jpeg');
    expect(formatFromPath('x.jpeg')).toBe('jpeg');
    expect(formatFromPath('x.tif')).toBe('tiff');
    expect(formatFromPath('x.heic')).toBe('heif');
    expect(formatFromPath('x.avif')).toBe('avif');
    expect(formatFromPath('x.gif')).toBeUndefined();
    expect(formatFromPath('noext')).toBeUndefined();
    expect(['jpeg', 'png', 'tiff', 'webp', 'avif', 'heif'].map((f) => extensionFor(f as never))).toEqual([
      'jpg',
      'png',
      'tif',
      'webp',
      'avif',
      'heic',
    ]);
  });

  it('defaultOutputPath', () => {
    expect(defaultOutputPath('/p/holiday.JPG')).toBe('/p/holiday.mend.JPG');
    expect(defaultOutputPath('/p/holiday.jpg', { outDir: '/out' })).toBe('/out/holiday.mend.jpg');
    expect(defaultOutputPath('/p/holiday.jpg', { format: 'png', suffix: 'clean' })).toBe('/p/holiday.clean.png');
    expect(defaultOutputPath('/p/scan.tiff', { format: 'tiff' })).toBe('/p/scan.mend.tif');
    expect(defaultOutputPath('/p/odd.bmp')).toBe('/p/odd.mend.png');
  });

  it('assertNotSameFile refuses the input (same path spelt differently, or a hard link)', async () => {
    const input = join(dir, 'original.png');
    await writeFile(input, 'x');
    expect(() => assertNotSameFile(input, join(dir, '.', 'sub', '..', 'original.png'))).toThrowError(
      expect.objectContaining({ code: 'usage', message: expect.stringContaining('original.png') }),
    );
    const hard = join(dir, 'hardlink.png');
    await link(input, hard);
    expect(() => assertNotSameFile(input, hard)).toThrowError(expect.objectContaining({ code: 'usage' }));
    expect(() => assertNotSameFile(input, join(dir, 'original.mend.png'))).not.toThrow();
  });
});
