/** Training images: a folder read once into memory, split into training and validation sets. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isMendError, MendError } from '../../shared/errors.js';
import { formatFromPath, readImage } from '../image/io.js';
import { type Raster } from '../image/raster.js';
import { convertChannels } from '../image/channels.js';
import { throwIfCancelled } from '../jobs/cancel.js';

export interface Dataset {
  train: Raster[];
  val: Raster[];
  files: number;
}

/** Lists image files (by extension) under a folder, sorted so splits are reproducible. */
export async function listImages(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch (e) {
    throw new MendError('not-found', `${dir}: training folder not found or unreadable`, { cause: e });
  }
  return entries.filter((f) => formatFromPath(f) !== undefined).sort().map((f) => path.join(dir, f));
}

/**
 * Reads every image, converted to `channels`, and holds out every 20th (at least one, when
 * there are two or more) for validation.
 */
export async function loadDataset(
  dir: string,
  channels: number,
  opts: {
    minSide: number;
    maxImages?: number;
    signal?: AbortSignal;
    onLoaded?: (done: number, total: number) => void;
    /** A file that cannot be decoded is skipped (one bad photo must not end a long run). */
    onSkipped?: (file: string, reason: string) => void;
  },
): Promise<Dataset> {
  let files = await listImages(dir);
  if (opts.maxImages) files = files.slice(0, opts.maxImages);
  if (files.length === 0) throw new MendError('usage', `${dir}: no images to train on`);
  const images: Raster[] = [];
  for (const [i, file] of files.entries()) {
    throwIfCancelled(opts.signal);
    let raster: Raster;
    try {
      ({ raster } = await readImage(file));
    } catch (e) {
      if (!isMendError(e) || e.code === 'internal') throw e;
      opts.onSkipped?.(file, e.message);
      opts.onLoaded?.(i + 1, files.length);
      continue;
    }
    if (raster.width >= opts.minSide && raster.height >= opts.minSide) images.push(convertChannels(raster, channels));
    opts.onLoaded?.(i + 1, files.length);
  }
  if (images.length === 0) throw new MendError('usage', `${dir}: no readable image is at least ${opts.minSide}x${opts.minSide} pixels`);
  const val = images.length >= 2 ? images.filter((_, i) => i % 20 === 19 || (images.length < 20 && i === images.length - 1)) : images;
  const train = images.length >= 2 ? images.filter((r) => !val.includes(r)) : images;
  return { train, val, files: files.length };
}
