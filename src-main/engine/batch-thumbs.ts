/**
 * Before/after thumbnails of a batch's files, sent with its 'file' events as data: URLs: the
 * Batch page shows them without a route or a file of its own, in web mode and in the desktop
 * app alike (both page policies allow data: images). Small (at most 240x160, JPEG quality 70:
 * 5-10 kB each), and only for the first BATCH_THUMB_LIMIT files of a batch.
 */
import sharp from 'sharp';
import { LIMITS } from '../shared/api.js';

const THUMB_W = 240;
const THUMB_H = 160;

/** A small JPEG of an image file as a data: URL, or undefined when it cannot be read. */
export async function thumbDataUrl(file: string): Promise<string | undefined> {
  try {
    const jpeg = await sharp(file, { failOn: 'none', limitInputPixels: LIMITS.maxPixels })
      .rotate()
      .resize(THUMB_W, THUMB_H, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#808080' })
      .jpeg({ quality: 70 })
      .toBuffer();
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  } catch {
    // A thumbnail is a nicety: the file is listed by name without one.
    return undefined;
  }
}

/** Both thumbnails of one done file, or undefined if either cannot be made. */
export async function beforeAfter(input: string, output: string): Promise<{ before: string; after: string } | undefined> {
  const [before, after] = await Promise.all([thumbDataUrl(input), thumbDataUrl(output)]);
  return before && after ? { before, after } : undefined;
}
