// readImage against input that decodes to the wrong thing (issue 20): animated WebP (sharp gives
// the first frame), camera RAW files (sharp gives the TIFF container's small preview), and the
// pixel limit that keeps a decompression bomb from being decoded.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../../src-main/core/image/io.js';
import { defaultPixelLimit, PEAK_BYTES_PER_PIXEL } from '../../../src-main/core/image/pixel-limit.js';
import { MendError } from '../../../src-main/shared/errors.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'mend-io-hostile-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function refusal(file: string): Promise<MendError> {
  const e = await readImage(file).then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(MendError);
  return e as MendError;
}

const frame = (colour: string): Promise<Buffer> => sharp({ create: { width: 16, height: 12, channels: 3, background: colour } }).png().toBuffer();

describe('animated WebP (defect 8)', () => {
  it('is refused with a message naming the file and its frames; a still WebP reads', async () => {
    const file = path.join(tmp, 'anim.webp');
    await sharp([await frame('#ff0000'), await frame('#00ff00'), await frame('#0000ff')], { join: { animated: true } }).webp({ loop: 0, delay: [80, 80, 80] }).toFile(file);
    const e = await refusal(file);
    expect(e.code).toBe('unsupported');
    expect(e.message).toBe(`${file} is an animated WebP (3 frames); Mend edits still images: export the frame you want first`);
    const still = path.join(tmp, 'still.webp');
    await sharp(await frame('#808080')).webp({ lossless: true }).toFile(still);
    expect((await readImage(still)).raster.width).toBe(16);
  });
});

/** A little-endian TIFF header and first IFD with these (tag, type, value) entries; no pixels needed. */
function tiffWith(entries: [number, number, number][], magic = 'II*\0', extra = ''): Buffer {
  const b = Buffer.alloc(8 + 2 + entries.length * 12 + 4 + 16);
  b.write(magic, 0, 'latin1');
  b.writeUInt32LE(8 + extra.length, 4);
  b.write(extra, 8, 'latin1');
  const at0 = 8 + extra.length;
  b.writeUInt16LE(entries.length, at0);
  entries.forEach(([tag, type, value], i) => {
    const at = at0 + 2 + i * 12;
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeUInt32LE(1, at + 4);
    if (type === 3) b.writeUInt16LE(value, at + 8);
    else b.writeUInt32LE(value, at + 8);
  });
  return b;
}

describe('camera RAW files (issue 24: refused until read)', () => {
  it('are refused by extension and by signature, whatever they are called', async () => {
    const cases: [string, Buffer, string][] = [
      ['a.CR2', await sharp(await frame('#808080')).tiff().toBuffer(), 'CR2'],
      ['dng-named.tif', tiffWith([[254, 4, 1], [50706, 1, 0x0104]]), 'DNG'],
      ['nef-like.tiff', tiffWith([[254, 4, 1], [330, 4, 200]]), 'RAW'],
      ['canon', Buffer.concat([Buffer.from('II*\0\x10\0\0\0CR\x02\0', 'latin1'), Buffer.alloc(40)]), 'CR2'],
      ['fuji.jpg', Buffer.concat([Buffer.from('FUJIFILMCCD-RAW 0201', 'latin1'), Buffer.alloc(40)]), 'RAF'],
      ['panasonic.tif', Buffer.concat([Buffer.from('IIU\0', 'latin1'), Buffer.alloc(40)]), 'RW2'],
    ];
    for (const [name, bytes, kind] of cases) {
      const file = path.join(tmp, name);
      await writeFile(file, bytes);
      const e = await refusal(file);
      expect(e.message, name).toContain(`${file} is a camera RAW file (${kind})`);
    }
  });

  it('a TIFF from an editor (no preview-first layout, no DNG tag) still reads', async () => {
    const file = path.join(tmp, 'edited.tif');
    await sharp(await frame('#406080')).tiff({ compression: 'deflate' }).toFile(file);
    const img = await readImage(file);
    expect(img.format).toBe('tiff');
    expect(img.raster.width).toBe(16);
  });
});

describe('pixel limit', () => {
  it('is half this machine\'s memory at a denoise\'s peak bytes per pixel, within sharp\'s guard; MEND_MAX_PIXELS sets it', async () => {
    const byMemory = Math.floor((os.totalmem() * 0.5) / PEAK_BYTES_PER_PIXEL);
    expect(defaultPixelLimit()).toBe(Math.min(268402689, Math.max(24_000_000, byMemory)));
    const file = path.join(tmp, 'wide.png');
    await sharp({ create: { width: 400, height: 300, channels: 3, background: '#000' } }).png().toFile(file);
    process.env.MEND_MAX_PIXELS = '100000';
    try {
      expect(defaultPixelLimit()).toBe(100000);
      const e = await refusal(file);
      expect(e.code).toBe('too-large');
      expect(e.message).toContain(`${file} is too large: 400x300 (120000 pixels) is over the limit of 100000 pixels`);
    } finally {
      delete process.env.MEND_MAX_PIXELS;
    }
    expect((await readImage(file)).raster.height).toBe(300);
  });
});
