/**
 * The engine's image store: one folder per image id in a session temp folder (host/layout.ts).
 *
 * Everything about an image is on disk (meta.json is written last, so an image exists only once
 * it is complete), which is what lets the host keep the workspace across an engine restart: a
 * fresh engine just reads meta.json again. Decoded rasters are cached in memory, a few at a time.
 *
 * Originals keep their file as uploaded/opened (the export takes EXIF/ICC/XMP from it). Results
 * are stored as raw 16-bit samples: lossless for 8- and 16-bit exports, and written in no time
 * (a 16-bit PNG of a 24 MP photo takes seconds to compress, for a file nobody downloads).
 */
import { copyFile, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { ImageId, ImageInfo, ImageRole } from '../shared/api.js';
import { MendError } from '../shared/errors.js';
import { writeFileAtomic } from '../core/image/atomic-write.js';
import { readImage, readMask, writeMask, type DecodedImage } from '../core/image/io.js';
import { addPngMetadata } from '../core/image/metadata.js';
import { interleavedFromRaster, rasterFromInterleaved } from '../core/image/pixels.js';
import type { Raster } from '../core/image/raster.js';
import { estimateNoiseSigma } from '../core/metrics/noise-estimate.js';
import { EngineError } from '../host/errors.js';
import { openRawSource } from './raw-images.js';
import { batchesDir, diffsDir, imageDir, imagesDir, META_FILE, newId, THUMB_FILE, tmpDir, VIEW_FILE } from '../host/layout.js';

export interface StoredImage {
  info: ImageInfo;
  /** File in the image folder that holds the pixels: `source/<name>`, `pixels.raw` or `mask.png`. */
  file: string;
  /** Originals opened from a server/desktop path: where they came from (never overwritten). */
  originalPath?: string;
}

const RAW_FILE = 'pixels.raw';
const MASK_FILE = 'mask.png';
const THUMB_SIDE = 256;
/** Decoded rasters kept in memory (float32: a 24 MP colour photo is 288 MB). */
const CACHE_ENTRIES = 4;
const CACHE_BYTES = 768 * 1024 * 1024;

/** A name safe as one path component, shown to the user: no separators, control or reserved characters. */
export function safeFileName(name: string, fallback = 'image'): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  let clean = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '').replace(/[.\s]+$/, '').trim();
  if (clean.length > 120) {
    const ext = path.extname(clean).slice(0, 12);
    clean = clean.slice(0, 120 - ext.length) + ext;
  }
  return clean || fallback;
}

/** `photo.jpg` -> `photo`. */
export function stemOf(name: string): string {
  const ext = path.extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

/** The noise estimate needs at least one 8x8 patch; NaN is not JSON. */
function sigmaOf(raster: Raster): number | undefined {
  const s = estimateNoiseSigma(raster);
  return Number.isFinite(s) ? Math.round(s * 100) / 100 : undefined;
}

/** view.png (8-bit, fast compression, ICC attached so browsers show true colours) and thumb.jpg. */
async function writeViews(folder: string, raster: Raster, alpha: Float32Array | undefined, icc: Buffer | undefined): Promise<void> {
  const pixels = interleavedFromRaster(raster, alpha, 8);
  const channels = (raster.channels + (alpha ? 1 : 0)) as 1 | 2 | 3 | 4;
  let png = await sharp(pixels, { raw: { width: raster.width, height: raster.height, channels }, limitInputPixels: false })
    .toColourspace(raster.channels === 1 ? 'b-w' : 'srgb')
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
  if (icc && icc.length > 0) png = addPngMetadata(png, { icc });
  await writeFileAtomic(path.join(folder, VIEW_FILE), png);
  // sharp converts through the embedded profile to sRGB here, as a browser would.
  const thumb = await sharp(png, { limitInputPixels: false })
    .resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#808080' })
    .jpeg({ quality: 82 })
    .toBuffer();
  await writeFileAtomic(path.join(folder, THUMB_FILE), thumb);
}

export interface ResultToStore {
  name: string;
  role: ImageRole;
  parent?: ImageId;
  raster: Raster;
  alpha?: Float32Array;
  /** The bit depth exports default to (the input's). */
  bitDepth: 8 | 16;
  /** Estimate the noise level (corrupted images). */
  estimateNoise?: boolean;
  /** Computed from a camera RAW photo, with its linear DNG among `files` (raw-images.ts). */
  raw?: boolean;
  /** Extra files stored in the image's folder, by name. */
  files?: Record<string, Uint8Array>;
}

export class Workspace {
  private readonly cache = new Map<string, DecodedImage>();

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<Workspace> {
    for (const d of [imagesDir(dir), tmpDir(dir), diffsDir(dir), batchesDir(dir)]) await mkdir(d, { recursive: true });
    return new Workspace(dir);
  }

  /** A fresh folder under tmp/ (uploads in flight, exports, training data). */
  async tempFolder(prefix: string): Promise<string> {
    const d = path.join(tmpDir(this.dir), `${prefix}-${newId()}`);
    await mkdir(d, { recursive: true });
    return d;
  }

  /**
   * Adds an image file: moved (an upload the host wrote to a temp file) or copied (an opened
   * path). Decoding validates it; a file that is not an image, corrupt or too large is refused
   * with the user's name for it in the message, and nothing is kept.
   */
  async addFile(name: string, file: string, opts: { move: boolean; originalPath?: string }): Promise<ImageInfo> {
    const id = newId();
    const folder = imageDir(this.dir, id);
    const shown = safeFileName(name);
    const rel = path.join('source', shown);
    const target = path.join(folder, rel);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      if (opts.move) {
        await rename(file, target).catch(async () => {
          await copyFile(file, target);
          await rm(file, { force: true });
        });
      } else {
        await copyFile(file, target);
      }
      let decoded: DecodedImage;
      let rawKind: string | undefined;
      try {
        // A camera RAW file is kept as its default rendering (raw-images.ts).
        const raw = await openRawSource(target);
        rawKind = raw?.kind;
        decoded = raw ? raw.image : await readImage(target);
      } catch (e) {
        // Messages name the file; the user knows it by its name (or its own path), not our copy.
        if (e instanceof MendError) throw new MendError(e.code, e.message.split(target).join(opts.originalPath ?? shown));
        throw e;
      }
      const { raster, alpha } = decoded;
      const sigma = sigmaOf(raster);
      const info: ImageInfo = {
        id,
        name: shown,
        role: 'original',
        width: raster.width,
        height: raster.height,
        channels: raster.channels,
        bitDepth: decoded.bitDepth,
        format: rawKind ?? decoded.format,
        hasAlpha: !!alpha,
        ...(sigma !== undefined ? { noiseSigma: sigma } : {}),
        ...(rawKind ? { raw: true } : {}),
      };
      await writeViews(folder, raster, alpha, decoded.metadata.icc);
      await this.writeMeta({ info, file: rel, ...(opts.originalPath ? { originalPath: opts.originalPath } : {}) });
      this.remember(id, decoded);
      return info;
    } catch (e) {
      await rm(folder, { recursive: true, force: true });
      if (opts.move) await rm(file, { force: true });
      throw e;
    }
  }

  /** Stores a computed image (lossless 16-bit samples) with its view and thumbnail. */
  async addResult(r: ResultToStore): Promise<ImageInfo> {
    const id = newId();
    const folder = imageDir(this.dir, id);
    await mkdir(folder, { recursive: true });
    try {
      const { raster, alpha } = r;
      const samples = interleavedFromRaster(raster, alpha, 16) as Uint16Array;
      await writeFile(path.join(folder, RAW_FILE), new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
      const info: ImageInfo = {
        id,
        name: safeFileName(r.name),
        role: r.role,
        width: raster.width,
        height: raster.height,
        channels: raster.channels,
        bitDepth: r.bitDepth,
        format: 'png',
        hasAlpha: !!alpha,
        ...(r.parent ? { parent: r.parent } : {}),
        ...(r.raw ? { raw: true } : {}),
      };
      for (const [name, bytes] of Object.entries(r.files ?? {})) await writeFile(path.join(folder, safeFileName(name)), bytes);
      if (r.estimateNoise) {
        const s = sigmaOf(raster);
        if (s !== undefined) info.noiseSigma = s;
      }
      await writeViews(folder, raster, alpha, undefined);
      await this.writeMeta({ info, file: RAW_FILE });
      return info;
    } catch (e) {
      await rm(folder, { recursive: true, force: true });
      throw e;
    }
  }

  /** Stores a mask (white = selected) as an 8-bit PNG. */
  async addMask(name: string, parent: ImageId | undefined, mask: Uint8Array, width: number, height: number): Promise<ImageInfo> {
    const id = newId();
    const folder = imageDir(this.dir, id);
    await mkdir(folder, { recursive: true });
    try {
      await writeMask(path.join(folder, MASK_FILE), mask, width, height);
      const grey = new Float32Array(mask.length);
      for (let i = 0; i < mask.length; i++) grey[i] = mask[i] ? 1 : 0;
      const info: ImageInfo = {
        id, name: safeFileName(name), role: 'mask', width, height, channels: 1, bitDepth: 8, format: 'png', hasAlpha: false,
        ...(parent ? { parent } : {}),
      };
      await writeViews(folder, { width, height, channels: 1, data: grey }, undefined, undefined);
      await this.writeMeta({ info, file: MASK_FILE });
      return info;
    } catch (e) {
      await rm(folder, { recursive: true, force: true });
      throw e;
    }
  }

  private async writeMeta(stored: StoredImage): Promise<void> {
    await writeFileAtomic(path.join(imageDir(this.dir, stored.info.id), META_FILE), Buffer.from(JSON.stringify(stored, null, 1)));
  }

  async get(id: unknown): Promise<StoredImage> {
    if (typeof id !== 'string') throw new EngineError('usage', 'An image id is missing');
    let text: string;
    try {
      text = await readFile(path.join(imageDir(this.dir, id), META_FILE), 'utf8');
    } catch {
      throw new EngineError('not-found', 'Image not found (it was removed, or the session ended)');
    }
    return JSON.parse(text) as StoredImage;
  }

  async info(id: unknown): Promise<ImageInfo> {
    return (await this.get(id)).info;
  }

  /** Every image (for the "never overwrite an original" check). */
  async list(): Promise<StoredImage[]> {
    const out: StoredImage[] = [];
    for (const id of await readdir(imagesDir(this.dir)).catch(() => [] as string[])) {
      try {
        out.push(await this.get(id));
      } catch {
        // an image being added or removed right now
      }
    }
    return out;
  }

  /** The file holding the image's pixels (for batch inputs, training data, masks). */
  async pixelFile(id: unknown): Promise<string> {
    const s = await this.get(id);
    return path.join(imageDir(this.dir, s.info.id), s.file);
  }

  /** The decoded image (raster in [0,1], alpha, metadata of originals). */
  async decode(id: unknown): Promise<{ stored: StoredImage; image: DecodedImage }> {
    const stored = await this.get(id);
    const key = stored.info.id;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return { stored, image: hit };
    }
    const file = path.join(imageDir(this.dir, key), stored.file);
    let image: DecodedImage;
    if (stored.file === RAW_FILE) {
      const { width, height, channels, hasAlpha, bitDepth } = stored.info;
      const bytes = await readFile(file);
      const samples = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const { raster, alpha } = rasterFromInterleaved(samples, width, height, channels + (hasAlpha ? 1 : 0));
      image = { raster, format: 'png', bitDepth, metadata: {}, path: file, ...(alpha ? { alpha } : {}) };
    } else {
      image = (stored.info.raw && (await openRawSource(file))?.image) || (await readImage(file));
    }
    this.remember(key, image);
    return { stored, image };
  }

  /** The image as a mask (grey > 127 = selected) of the given size. */
  async mask(id: unknown, width: number, height: number): Promise<Uint8Array> {
    const s = await this.get(id);
    if (s.info.width !== width || s.info.height !== height) {
      throw new EngineError('usage', `The mask "${s.info.name}" is ${s.info.width}x${s.info.height} but the image is ${width}x${height}; the mask must have the same size`);
    }
    if (s.file === MASK_FILE || s.file.startsWith('source')) return readMask(path.join(imageDir(this.dir, s.info.id), s.file), width, height);
    const { image } = await this.decode(id);
    const { raster } = image;
    const out = new Uint8Array(width * height);
    for (let p = 0; p < out.length; p++) {
      let v = 0;
      for (let c = 0; c < raster.channels; c++) v += raster.data[p * raster.channels + c]!;
      out[p] = v / raster.channels > 0.5 ? 1 : 0;
    }
    return out;
  }

  private remember(id: string, image: DecodedImage): void {
    this.cache.delete(id);
    this.cache.set(id, image);
    const size = (d: DecodedImage): number => d.raster.data.byteLength + (d.alpha?.byteLength ?? 0);
    let total = 0;
    for (const d of this.cache.values()) total += size(d);
    while (this.cache.size > 1 && (this.cache.size > CACHE_ENTRIES || total > CACHE_BYTES)) {
      const [oldest, d] = this.cache.entries().next().value as [string, DecodedImage];
      this.cache.delete(oldest);
      total -= size(d);
    }
  }

  async remove(id: unknown): Promise<void> {
    const s = await this.get(id);
    this.cache.delete(s.info.id);
    await rm(imageDir(this.dir, s.info.id), { recursive: true, force: true });
    const diffs = await readdir(diffsDir(this.dir)).catch(() => [] as string[]);
    await Promise.all(diffs.filter((f) => f.includes(s.info.id)).map((f) => rm(path.join(diffsDir(this.dir), f), { force: true })));
  }

  /** Removes the whole workspace (the host calls this on exit). */
  static async dispose(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }
}
