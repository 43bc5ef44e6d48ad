/**
 * What the Edit page's Export starts from: the input file's own format and bit depth, as
 * `mend batch` and the Batch page do ('same'), so a 16-bit TIFF is not quietly saved as an
 * 8-bit JPEG. A format the exporter cannot write (HEIF) becomes 16-bit TIFF when the input has
 * more than 8 bits, else JPEG; a camera RAW photo becomes a linear DNG.
 */
import type { ExportOptions, ImageInfo } from '../api';

export type ExportFormat = ExportOptions['format'];

const WRITABLE: readonly ExportFormat[] = ['jpeg', 'png', 'tiff', 'webp', 'avif'];

/** Formats that hold 16 bits per channel. */
export function holds16(format: ExportFormat): boolean {
  return format === 'png' || format === 'tiff';
}

export function exportDefaults(info: Pick<ImageInfo, 'format' | 'bitDepth' | 'raw'>): { format: ExportFormat; depth: 8 | 16 } {
  // A camera RAW photo: a linear DNG, which raw editors open like the original (as `mend denoise` writes).
  if (info.raw) return { format: 'dng', depth: 16 };
  const f = info.format.toLowerCase() === 'jpg' ? 'jpeg' : info.format.toLowerCase() === 'tif' ? 'tiff' : info.format.toLowerCase();
  const deep = info.bitDepth > 8;
  const format: ExportFormat = (WRITABLE as readonly string[]).includes(f) ? (f as ExportFormat) : deep ? 'tiff' : 'jpeg';
  return { format, depth: deep && holds16(format) ? 16 : 8 };
}
