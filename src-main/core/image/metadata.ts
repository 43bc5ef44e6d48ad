// EXIF / ICC / XMP handling that sharp does not do for us.
//
// sharp can keep the metadata of its *input* (keepExif/keepIccProfile/keepXmp) but cannot attach
// an arbitrary EXIF or ICC buffer to raw pixels: withExif takes strings and withIccProfile converts
// the pixels into that profile. So the encoder builds an in-memory "carrier" PNG holding the pixels
// plus eXIf / iCCP chunks and lets sharp keep that metadata while encoding the real output.

import { deflateSync } from 'node:zlib';
import { crc32 } from '../../shared/crc32.js';

export interface ImageMetadata {
  /** Raw EXIF block as sharp reports it (with or without the "Exif\0\0" APP1 prefix). */
  exif?: Buffer;
  /** ICC colour profile. Pixels are kept in this profile's space, never converted. */
  icc?: Buffer;
  /** XMP packet (UTF-8 XML). */
  xmp?: Buffer;
}

const EXIF_PREFIX = Buffer.from('Exif\0\0', 'latin1');

/** The TIFF-structured part of an EXIF block (drops a leading "Exif\0\0"). */
export function exifTiffBlock(exif: Buffer): Buffer {
  return exif.subarray(0, 6).equals(EXIF_PREFIX) ? exif.subarray(6) : exif;
}

/**
 * A copy of `exif` whose IFD0 Orientation tag (0x0112) says 1 (top-left). Used after the pixels
 * have been rotated upright. A block that cannot be parsed is returned unchanged (as a copy).
 */
export function resetExifOrientation(exif: Buffer): Buffer {
  const out = Buffer.from(exif);
  const base = out.subarray(0, 6).equals(EXIF_PREFIX) ? 6 : 0;
  if (out.length < base + 8) return out;
  const order = out.toString('latin1', base, base + 2);
  if (order !== 'II' && order !== 'MM') return out;
  const le = order === 'II';
  const u16 = (o: number): number => (le ? out.readUInt16LE(o) : out.readUInt16BE(o));
  const u32 = (o: number): number => (le ? out.readUInt32LE(o) : out.readUInt32BE(o));
  if (u16(base + 2) !== 42) return out;
  const ifd = base + u32(base + 4);
  if (ifd + 2 > out.length) return out;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > out.length) break;
    if (u16(entry) !== 0x0112) continue;
    // Orientation is a single SHORT stored inline in the value field.
    if (u16(entry + 2) === 3 && u32(entry + 4) === 1) {
      if (le) out.writeUInt16LE(1, entry + 8);
      else out.writeUInt16BE(1, entry + 8);
    }
    break;
  }
  return out;
}

/** A copy of an XMP packet whose tiff:Orientation (attribute or element form) says 1. */
export function resetXmpOrientation(xmp: Buffer): Buffer {
  const text = xmp.toString('utf8');
  const fixed = text
    .replace(/(tiff:Orientation\s*=\s*["'])\s*\d+\s*(["'])/g, '$11$2')
    .replace(/(<tiff:Orientation>)\s*\d+\s*(<\/tiff:Orientation>)/g, '$11$2');
  return fixed === text ? Buffer.from(xmp) : Buffer.from(fixed, 'utf8');
}

// ---- PNG chunk surgery -------------------------------------------------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([head, typeAndData, crc]);
}

const PNG_SIGNATURE_AND_IHDR = 8 + 4 + 4 + 13 + 4;

/**
 * Insert iCCP (ICC profile) and eXIf (EXIF) chunks right after IHDR of a PNG that has neither.
 * XMP is not handled here: sharp's withXmp() takes it as a string.
 */
export function addPngMetadata(png: Buffer, meta: { icc?: Buffer; exif?: Buffer }): Buffer {
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('addPngMetadata: not a PNG with IHDR first');
  const chunks: Buffer[] = [];
  if (meta.icc && meta.icc.length > 0) {
    // keyword, NUL, compression method 0 (zlib), compressed profile
    chunks.push(pngChunk('iCCP', Buffer.concat([Buffer.from('icc\0\0', 'latin1'), deflateSync(meta.icc)])));
  }
  if (meta.exif && meta.exif.length > 0) {
    chunks.push(pngChunk('eXIf', exifTiffBlock(meta.exif)));
  }
  if (chunks.length === 0) return png;
  return Buffer.concat([png.subarray(0, PNG_SIGNATURE_AND_IHDR), ...chunks, png.subarray(PNG_SIGNATURE_AND_IHDR)]);
}
