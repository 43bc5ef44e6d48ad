// Image I/O: decode any supported file into a float32 Raster (+ alpha + metadata) and back.
//
// Pixels stay in the file's own colour space: an embedded ICC profile is kept and re-attached on
// output, never converted (except CMYK and other non-RGB spaces, which sharp converts to sRGB).
// 16-bit PNG/TIFF stay 16-bit. EXIF orientation is applied to the pixels and reset to 1.

import { statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Metadata, Sharp, SharpOptions } from 'sharp';
import { MendError } from '../../shared/errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { canHold16, extensionFor, FORMAT_LIST, formatFromPath, type ImageFormat } from './formats.js';
import { addPngMetadata, resetExifOrientation, resetXmpOrientation, type ImageMetadata } from './metadata.js';
import { checkRaster, interleavedFromRaster, rasterFromInterleaved } from './pixels.js';
import type { Raster } from './raster.js';
import { defaultPixelLimit } from './pixel-limit.js';
import { refuseRaw } from './raw-refusal.js';
import { decodeError, oneLineCause, openForRead } from './read-errors.js';

export type { ImageFormat } from './formats.js';
export { formatFromPath } from './formats.js';
export type { ImageMetadata } from './metadata.js';

export interface DecodedImage {
  raster: Raster;
  /** Raw alpha in [0,1], passed through untouched; absent when the file has none. */
  alpha?: Float32Array;
  format: ImageFormat;
  bitDepth: 8 | 16;
  metadata: ImageMetadata;
  path: string;
}

export interface ReadOptions {
  /** Decompression-bomb guard; default: what this machine's memory holds (pixel-limit.ts). */
  limitInputPixels?: number;
}

export interface EncodeOptions {
  format?: ImageFormat;
  /** 1..100 for JPEG, WebP, AVIF, HEIF; ignored for PNG and TIFF (lossless). */
  quality?: number;
  depth?: 8 | 16;
  /** Keep EXIF, ICC and XMP (default true). TIFF output cannot carry EXIF. */
  keepMetadata?: boolean;
}

export interface ImageToWrite {
  raster: Raster;
  alpha?: Float32Array;
  metadata?: ImageMetadata;
  bitDepth?: 8 | 16;
  format?: ImageFormat;
}

const READ_FAIL_ON = 'error' as const; // truncated or undecodable data is an error; mere warnings are not

function readOptions(limit: number): SharpOptions {
  return { failOn: READ_FAIL_ON, limitInputPixels: limit };
}

function imageFormatOf(meta: Metadata): ImageFormat | undefined {
  switch (meta.format) {
    case 'jpeg':
    case 'png':
    case 'tiff':
    case 'webp':
      return meta.format;
    case 'heif':
      return meta.compression === 'av1' ? 'avif' : 'heif';
    default:
      return undefined;
  }
}

export async function readImage(path: string, opts: ReadOptions = {}): Promise<DecodedImage> {
  const head = await openForRead(path);
  await refuseRaw(path, head);
  const limit = opts.limitInputPixels ?? defaultPixelLimit();
  const sopts = readOptions(limit);
  let meta: Metadata;
  try {
    meta = await sharp(path, sopts).metadata();
  } catch (err) {
    throw await decodeError(path, err, head, limit);
  }
  const format = imageFormatOf(meta);
  if (!format) {
    throw new MendError('unsupported', `${path} is a ${String(meta.format).toUpperCase()} image; Mend reads ${FORMAT_LIST}`);
  }
  // sharp decodes the first frame only: an animation would be cut to it without a word.
  if ((meta.pages ?? 1) > 1 && format === 'webp') {
    throw new MendError('unsupported', `${path} is an animated WebP (${meta.pages} frames); Mend edits still images: export the frame you want first`);
  }
  const grey = meta.space === 'b-w' || meta.space === 'grey16';
  // Keep pixels in the embedded profile's space only when sharp would otherwise convert an RGB/grey
  // image; CMYK, Lab etc. are converted to sRGB through their profile and the profile is dropped.
  const keepIcc = meta.icc !== undefined && (grey || meta.space === 'srgb' || meta.space === 'rgb16');
  const sixteen = meta.depth !== 'uchar' && meta.depth !== 'char';
  let pipeline = sharp(path, sopts).rotate();
  if (keepIcc) pipeline = pipeline.keepIccProfile();
  // sharp's 'b-w' output drops the alpha band (grey16 keeps it): an 8-bit grey scan with alpha
  // is decoded as sRGB, whose three bands are the grey exactly, and folded back to grey below.
  const greyViaRgb = grey && !sixteen && meta.hasAlpha === true;
  pipeline = pipeline
    .toColourspace(grey && !greyViaRgb ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb')
    .raw(sixteen ? { depth: 'ushort' } : { depth: 'uchar' });
  let out: { data: Buffer; info: sharp.OutputInfo };
  try {
    out = await pipeline.toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw await decodeError(path, err, head, limit);
  }
  let { data, info } = out;
  if (greyViaRgb && info.channels === 4) {
    const ga = Buffer.alloc(info.width * info.height * 2);
    for (let p = 0; p < info.width * info.height; p++) {
      ga[2 * p] = data[4 * p]!;
      ga[2 * p + 1] = data[4 * p + 3]!;
    }
    data = ga;
    info = { ...info, channels: 2 };
  }
  const wide = data.byteLength === info.width * info.height * info.channels * 2;
  const bytes = wide && data.byteOffset % 2 !== 0 ? Buffer.from(data) : data; // Uint16Array needs alignment
  const samples = wide
    ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2)
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { raster, alpha } = rasterFromInterleaved(samples, info.width, info.height, info.channels);

  const metadata: ImageMetadata = {};
  if (meta.exif && meta.exif.length > 0) metadata.exif = resetExifOrientation(meta.exif);
  if (keepIcc && meta.icc && meta.icc.length > 0) metadata.icc = Buffer.from(meta.icc);
  if (meta.xmp && meta.xmp.length > 0) metadata.xmp = resetXmpOrientation(meta.xmp);

  const decoded: DecodedImage = { raster, format, bitDepth: wide ? 16 : 8, metadata, path };
  if (alpha) decoded.alpha = alpha;
  return decoded;
}

function applyFormat(pipeline: Sharp, format: ImageFormat, quality: number | undefined): Sharp {
  switch (format) {
    case 'jpeg': {
      const q = quality ?? 92;
      return pipeline.jpeg({ quality: q, chromaSubsampling: q >= 90 ? '4:4:4' : '4:2:0' });
    }
    case 'png':
      return pipeline.png({ compressionLevel: 6 });
    case 'tiff': // sharp's TIFF default is lossy 8-bit JPEG compression: ask for lossless deflate
      return pipeline.tiff({ compression: 'deflate', predictor: 'horizontal' });
    case 'webp':
      return pipeline.webp({ quality: quality ?? 90 });
    case 'avif':
      return pipeline.avif({ quality: quality ?? 80, bitdepth: 8 });
    case 'heif':
      return pipeline.heif({ compression: 'hevc', quality: quality ?? 80 });
  }
}

/** Encode to an in-memory file. `meta` (when given) is attached without touching the pixels. */
async function encode(
  raster: Raster,
  alpha: Float32Array | undefined,
  format: ImageFormat,
  depth: 8 | 16,
  quality: number | undefined,
  meta: ImageMetadata | undefined,
): Promise<Buffer> {
  const channels = (raster.channels + (alpha ? 1 : 0)) as 1 | 2 | 3 | 4;
  const space = raster.channels === 1 ? (depth === 16 ? 'grey16' : 'b-w') : depth === 16 ? 'rgb16' : 'srgb';
  const pixels = interleavedFromRaster(raster, alpha, depth);
  const raw = { raw: { width: raster.width, height: raster.height, channels }, limitInputPixels: false as const };
  const icc = meta?.icc && meta.icc.length > 0 ? meta.icc : undefined;
  const exif = meta?.exif && meta.exif.length > 0 ? meta.exif : undefined;
  let pipeline: Sharp;
  if (icc || exif) {
    // sharp cannot attach ICC/EXIF buffers to raw pixels: go through a lossless PNG carrying them.
    const png = await sharp(pixels, raw).toColourspace(space).png({ compressionLevel: 0, adaptiveFiltering: false }).toBuffer();
    pipeline = sharp(addPngMetadata(png, { icc, exif }), { limitInputPixels: false, unlimited: true });
    if (icc) pipeline = pipeline.keepIccProfile();
    if (exif) pipeline = pipeline.keepExif();
  } else {
    pipeline = sharp(pixels, raw);
  }
  if (meta?.xmp && meta.xmp.length > 0) pipeline = pipeline.withXmp(meta.xmp.toString('utf8'));
  return applyFormat(pipeline.toColourspace(space), format, quality).toBuffer();
}

export async function writeImage(path: string, image: ImageToWrite, opts: EncodeOptions = {}): Promise<void> {
  const format = opts.format ?? image.format ?? formatFromPath(path);
  if (!format) {
    throw new MendError('usage', `Cannot tell which format to write for ${path}: use an extension such as .jpg, .png or .tif`);
  }
  const q = opts.quality;
  if (q !== undefined && !(Number.isInteger(q) && q >= 1 && q <= 100)) {
    throw new MendError('usage', `Quality must be a whole number from 1 to 100 (got ${q}) for ${path}`);
  }
  checkRaster(image.raster, image.alpha);
  const depth: 8 | 16 = canHold16(format) ? (opts.depth ?? image.bitDepth ?? 8) : 8;
  const alpha = format === 'jpeg' ? undefined : image.alpha; // JPEG has no alpha channel
  const meta = (opts.keepMetadata ?? true) ? image.metadata : undefined;
  let bytes: Buffer;
  try {
    bytes = await encode(image.raster, alpha, format, depth, q, meta);
  } catch (err) {
    const cause = oneLineCause(err, path);
    if (/unsupported compression/i.test(cause)) {
      throw new MendError('unsupported', `Cannot write ${path}: this build cannot encode ${format.toUpperCase()} (${cause}); try AVIF`, {
        cause: err,
      });
    }
    throw new MendError('internal', `Cannot encode ${path} as ${format.toUpperCase()}: ${cause}`, { cause: err });
  }
  await writeFileAtomic(path, bytes);
}

/** `<dir or outDir>/<name>.<suffix>.<ext>`; ext from `format`, else the input's own, else png. */
export function defaultOutputPath(input: string, opts: { outDir?: string; format?: ImageFormat; suffix?: string } = {}): string {
  const ext = extname(input);
  const name = basename(input, ext);
  const outExt = opts.format ? extensionFor(opts.format) : formatFromPath(input) ? ext.slice(1) : 'png';
  const suffix = opts.suffix ?? 'mend';
  return join(opts.outDir ?? dirname(input), suffix ? `${name}.${suffix}.${outExt}` : `${name}.${outExt}`);
}

/** Throws MendError 'usage' if `output` is the same file as `input` (same path, link or hard link). */
export function assertNotSameFile(input: string, output: string): void {
  let same = resolve(input) === resolve(output);
  if (!same) {
    try {
      const a = statSync(input);
      const b = statSync(output);
      same = a.dev === b.dev && a.ino === b.ino;
    } catch {
      // one of them does not exist: they cannot be the same file
    }
  }
  if (same) {
    throw new MendError('usage', `Output ${output} is the input file; Mend never overwrites its input, choose another output path`);
  }
}

/** Read a mask image (any format, any size-matching one): 1 where grey > 127 (white = selected), else 0. */
export async function readMask(path: string, width: number, height: number): Promise<Uint8Array> {
  const head = await openForRead(path, 'Mask file');
  const limit = defaultPixelLimit();
  const sopts = readOptions(limit);
  let meta: Metadata;
  try {
    meta = await sharp(path, sopts).metadata();
  } catch (err) {
    throw await decodeError(path, err, head, limit);
  }
  const mw = meta.autoOrient?.width ?? meta.width;
  const mh = meta.autoOrient?.height ?? meta.height;
  if (mw !== width || mh !== height) {
    throw new MendError('usage', `Mask ${path} is ${mw}x${mh} but the image is ${width}x${height}; the mask must have the same size`);
  }
  let out: { data: Buffer; info: sharp.OutputInfo };
  try {
    out = await sharp(path, sopts)
      .rotate()
      .flatten({ background: '#000000' }) // transparent = not selected
      .toColourspace('b-w')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw await decodeError(path, err, head, limit);
  }
  const { data, info } = out;
  const n = width * height;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = data[i * info.channels]! > 127 ? 1 : 0;
  return mask;
}

/** Write a mask as an 8-bit greyscale PNG (white where mask is non-zero), atomically. */
export async function writeMask(path: string, mask: Uint8Array, width: number, height: number): Promise<void> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || mask.length !== width * height) {
    throw new MendError('internal', `Invalid mask for ${path}: ${mask.length} values for ${width}x${height}`);
  }
  const grey = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) grey[i] = mask[i] ? 255 : 0;
  const png = await sharp(grey, { raw: { width, height, channels: 1 }, limitInputPixels: false })
    .toColourspace('b-w')
    .png({ compressionLevel: 6 })
    .toBuffer();
  await writeFileAtomic(path, png);
}
