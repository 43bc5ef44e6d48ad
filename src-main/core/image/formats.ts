// Image formats Mend reads and writes: names, file extensions and magic-byte sniffing.
import { extname } from 'node:path';

export type ImageFormat = 'jpeg' | 'png' | 'tiff' | 'webp' | 'avif' | 'heif';

export const IMAGE_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'tiff', 'webp', 'avif', 'heif'];

/** For messages: "JPEG, PNG, TIFF, WebP, AVIF or HEIF". */
export const FORMAT_LIST = 'JPEG, PNG, TIFF, WebP, AVIF or HEIF';

const BY_EXTENSION: Record<string, ImageFormat> = {
  jpg: 'jpeg',
  jpeg: 'jpeg',
  jpe: 'jpeg',
  jfif: 'jpeg',
  png: 'png',
  tif: 'tiff',
  tiff: 'tiff',
  webp: 'webp',
  avif: 'avif',
  heif: 'heif',
  heic: 'heif',
  hif: 'heif',
};

const EXTENSION: Record<ImageFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  tiff: 'tif',
  webp: 'webp',
  avif: 'avif',
  heif: 'heic',
};

/** The format a file name implies by its extension (case-insensitive), if any. */
export function formatFromPath(path: string): ImageFormat | undefined {
  const ext = extname(path).slice(1).toLowerCase();
  return Object.hasOwn(BY_EXTENSION, ext) ? BY_EXTENSION[ext] : undefined;
}

/** The usual extension (without dot) for a format: jpg, png, tif, webp, avif, heic. */
export function extensionFor(format: ImageFormat): string {
  return EXTENSION[format];
}

/** Whether Mend writes this format with 16 bits per channel when asked (PNG and TIFF only). */
export function canHold16(format: ImageFormat): boolean {
  return format === 'png' || format === 'tiff';
}

/**
 * Recognise an image file by its first bytes (at least 12 are needed for every case).
 * 'other' means a known image signature of a format Mend does not handle (GIF).
 * Used to tell "not an image" apart from "an image, but broken".
 */
export function sniffFormat(head: Uint8Array): ImageFormat | 'other' | undefined {
  const b = head;
  const ascii = (from: number, to: number): string => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 4) {
    const le = b[0] === 0x49 && b[1] === 0x49 && (b[2] === 0x2a || b[2] === 0x2b) && b[3] === 0;
    const be = b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && (b[3] === 0x2a || b[3] === 0x2b);
    if (le || be) return 'tiff';
  }
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (b.length >= 12 && ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heif';
  }
  if (b.length >= 4 && ascii(0, 4) === 'GIF8') return 'other';
  return undefined;
}
