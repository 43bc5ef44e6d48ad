import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage, writeImage } from '../../../src-main/core/image/io.js';
import { resetExifOrientation, resetXmpOrientation } from '../../../src-main/core/image/metadata.js';
import { gradient16, gradient8, makeTempDir, storedSamples } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
afterAll(() => cleanup());

const XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" ' +
  'dc:format="image/jpeg" tiff:Orientation="6"><dc:creator>Xavier Xmp</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>';

describe('EXIF orientation', () => {
  it('rotates a 2x3 orientation-6 image to 3x2 with pixels in the right places, and resets the tag', async () => {
    // Stored 2 wide x 3 high; red channel = 10 * (index + 1) identifies each stored pixel.
    const w = 2;
    const h = 3;
    const px = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) px[i * 3] = 10 * (i + 1);
    const input = join(dir, 'oriented.png');
    await sharp(px, { raw: { width: w, height: h, channels: 3 } }).withMetadata({ orientation: 6 }).png().toFile(input);
    expect((await sharp(input).metadata()).orientation).toBe(6);

    const img = await readImage(input);
    expect([img.raster.width, img.raster.height]).toEqual([3, 2]);
    // Orientation 6 = rotate 90 degrees clockwise: new (x, y) = stored (y, h - 1 - x).
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 3; x++) {
        const stored = (h - 1 - x) * w + y;
        expect(Math.round(img.raster.data[(y * 3 + x) * 3]! * 255)).toBe(10 * (stored + 1));
      }
    }
    const out = join(dir, 'oriented-out.png');
    await writeImage(out, img);
    const m = await sharp(out).metadata();
    expect([m.width, m.height]).toEqual([3, 2]);
    expect(m.orientation).toBe(1); // not rotated a second time by viewers
    const again = await readImage(out);
    expect([again.raster.width, again.raster.height]).toEqual([3, 2]);
  });

  it('resetExifOrientation patches big- and little-endian IFD0, resetXmpOrientation patches XMP', () => {
    for (const le of [true, false]) {
      const b = Buffer.alloc(6 + 8 + 2 + 12 + 4);
      b.write('Exif\0\0', 0, 'latin1');
      const t = 6;
      b.write(le ? 'II' : 'MM', t, 'latin1');
      const w16 = (v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
      const w32 = (v: number, o: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
      w16(42, t + 2);
      w32(8, t + 4);
      w16(1, t + 8);
      w16(0x0112, t + 10);
      w16(3, t + 12);
      w32(1, t + 14);
      w16(8, t + 18);
      const fixed = resetExifOrientation(b);
      expect(le ? fixed.readUInt16LE(t + 18) : fixed.readUInt16BE(t + 18)).toBe(1);
      expect(le ? b.readUInt16LE(t + 18) : b.readUInt16BE(t + 18)).toBe(8); // input untouched
    }
    expect(resetXmpOrientation(Buffer.from(XMP)).toString()).toContain('tiff:Orientation="1"');
    expect(resetXmpOrientation(Buffer.from('<tiff:Orientation>8</tiff:Orientation>')).toString()).toBe(
      '<tiff:Orientation>1</tiff:Orientation>',
    );
  });
});

describe('EXIF, ICC and XMP survive read -> write', () => {
  it('keeps them for JPEG, PNG, WebP (and ICC+XMP for TIFF), without converting pixels', async () => {
    const input = join(dir, 'tagged.jpg');
    await sharp(gradient8(16, 12, 3), { raw: { width: 16, height: 12, channels: 3 } })
      .withExif({ IFD0: { Artist: 'Ann Artist', Copyright: 'CC-0 Mend Test' } })
      .withIccProfile('p3')
      .withXmp(XMP)
      .jpeg({ quality: 95 })
      .toFile(input);
    const srcMeta = await sharp(input).metadata();
    expect(srcMeta.icc).toBeDefined();

    const img = await readImage(input);
    expect(img.metadata.icc?.equals(srcMeta.icc!)).toBe(true);
    expect(img.metadata.exif?.includes('Ann Artist')).toBe(true);
    expect(img.metadata.xmp?.toString()).toContain('Xavier Xmp');
    // Pixels are the stored (Display P3) values, not converted to sRGB.
    const stored = await storedSamples(input, false, false);
    expect(Array.from(img.raster.data, (v) => Math.round(v * 255))).toEqual(stored.samples);
    expect(Array.from(await sharp(input).raw().toBuffer())).not.toEqual(stored.samples); // sRGB-converted differs

    for (const ext of ['jpg', 'png', 'webp', 'tif']) {
      const out = join(dir, `tagged-out.${ext}`);
      await writeImage(out, { raster: img.raster, metadata: img.metadata, bitDepth: 8 }); // format from extension
      const m = await sharp(out).metadata();
      expect(m.icc?.equals(srcMeta.icc!), `${ext} icc`).toBe(true);
      expect(m.xmp?.toString(), `${ext} xmp`).toContain('Xavier Xmp');
      if (ext !== 'tif') {
        // sharp/libvips cannot write EXIF into TIFF
        expect(m.exif?.includes('Ann Artist'), `${ext} exif`).toBe(true);
        expect(m.exif?.includes('CC-0 Mend Test'), `${ext} exif`).toBe(true);
      }
      if (ext === 'png' || ext === 'tif') {
        expect((await storedSamples(out, false, false)).samples, `${ext} pixels`).toEqual(stored.samples);
      }
    }
  });

  it('keeps a 16-bit PNG with an ICC profile exact', async () => {
    const src = gradient16(6, 4, 3);
    const input = join(dir, 'icc16.png');
    // withIccProfile converts the pixels on the way in; compare against what the file stores.
    await sharp(src, { raw: { width: 6, height: 4, channels: 3 } }).toColourspace('rgb16').withIccProfile('p3').png().toFile(input);
    const stored = await storedSamples(input, true, false);
    const img = await readImage(input);
    expect(img.bitDepth).toBe(16);
    const out = join(dir, 'icc16-out.png');
    await writeImage(out, img);
    expect((await storedSamples(out, true, false)).samples).toEqual(stored.samples);
    expect((await sharp(out).metadata()).icc?.equals(img.metadata.icc!)).toBe(true);
  });

  it('keepMetadata: false strips EXIF, ICC and XMP', async () => {
    const input = join(dir, 'tagged2.png');
    await sharp(gradient8(4, 4, 3), { raw: { width: 4, height: 4, channels: 3 } })
      .withExif({ IFD0: { Artist: 'Ann Artist' } })
      .withIccProfile('p3')
      .withXmp(XMP)
      .png()
      .toFile(input);
    const img = await readImage(input);
    const out = join(dir, 'stripped.png');
    await writeImage(out, img, { keepMetadata: false });
    const m = await sharp(out).metadata();
    expect([m.exif, m.icc, m.xmp]).toEqual([undefined, undefined, undefined]);
  });
});
