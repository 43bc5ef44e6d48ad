/**
 * Camera RAW files in a batch: decoded to their mosaic (DNG by Mend's reader, the others by
 * LibRaw), denoised in the raw domain by the batch's grey model, and written as a linear DNG (the
 * default, keeping the original's colour data and Exif) or, when the batch names an image format,
 * in Mend's default rendering in that format (TIFF and PNG 16-bit unless --depth 8).
 */
import { MendError } from '../../shared/errors.js';
import { writeImage, type DecodedImage } from '../image/io.js';
import type { RawMosaic } from '../raw/dng.js';
import { readRawFile, renderRaw, writeRawOutput } from '../raw/raw-file.js';
import type { BatchOutputFormat } from './plan.js';
import type { BatchOptions } from './types.js';

/** A RAW input: its mosaic, and the same as a grey raster where the batch expects an image. */
export async function readRawInput(input: string, task: string): Promise<{ image: DecodedImage; raw: RawMosaic }> {
  if (task !== 'denoise') throw new MendError('unsupported', 'camera RAW file: batches denoise RAW files but do not inpaint them');
  const raw = await readRawFile(input);
  return { raw, image: { raster: { width: raw.width, height: raw.height, channels: 1, data: raw.data }, format: 'tiff', bitDepth: 16, metadata: {}, path: input } };
}

/** Writes the demosaiced camera RGB of a RAW input in the batch's output format. */
export async function writeRawBatchOutput(output: string, raw: RawMosaic, camera: Float32Array, format: BatchOutputFormat, o: BatchOptions): Promise<void> {
  if (format === 'dng') return writeRawOutput(output, raw, camera, 'dng');
  const depth = o.depth ?? (format === 'tiff' || format === 'png' ? 16 : 8);
  await writeImage(output, { raster: renderRaw(raw, camera), bitDepth: 16, format }, { format, quality: o.quality, depth, keepMetadata: false });
}
