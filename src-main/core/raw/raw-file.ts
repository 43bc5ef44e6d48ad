// One camera raw file in, one denoised file out: its mosaic (a DNG by Mend's reader, the other
// formats by LibRaw, libraw.ts) denoised in the raw domain,
// demosaiced, and written as a linear DNG (the default: white balance, colour matrices and EXIF
// kept, so raw editors treat it like the original) or as a 16-bit TIFF in Mend's default rendering.
import { open, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { sigmaForAmount } from '../../shared/amount.js';
import { MendError } from '../../shared/errors.js';
import type { JobContext } from '../../shared/jobs.js';
import { writeFileAtomic } from '../image/atomic-write.js';
import { writeImage } from '../image/io.js';
import type { Raster } from '../image/raster.js';
import type { LoadedModel } from '../models/store.js';
import { daylightMatrix, renderSrgb } from './colour.js';
import { DngError, readDng, type RawMosaic, writeLinearDng } from './dng.js';
import { LibRawError, readWithLibRaw } from './libraw.js';
import { LosslessJpegError } from './ljpeg.js';
import { cameraRgb, denoiseMosaic } from './raw-denoise.js';
import { giveBackRawDetail } from './raw-detail.js';
import { estimatePoissonGaussian, fromNoiseProfile, type PoissonGaussian } from './sensor-noise.js';
import { TiffError } from './tiff.js';

/** Camera raw formats by extension other than DNG: decoded by LibRaw (libraw.ts). */
const OTHER_RAW = new Set(['3fr', 'ari', 'arw', 'cr2', 'cr3', 'crw', 'dcr', 'erf', 'iiq', 'kdc', 'mef', 'mos', 'mrw', 'nef', 'nrw', 'orf', 'pef', 'raf', 'rw2', 'rwl', 'sr2', 'srf', 'srw', 'x3f']);

/** 'dng' for a DNG (by extension or DNGVersion tag), the extension of another raw format, or undefined. */
export function rawKindOf(path: string): string | undefined {
  const ext = extname(path).slice(1).toLowerCase();
  if (ext === 'dng') return 'dng';
  if (OTHER_RAW.has(ext)) return ext;
  return undefined;
}

export type RawOutputFormat = 'dng' | 'tiff';

export interface RawDenoiseFileOptions extends JobContext {
  format?: RawOutputFormat;
  strength?: number;
  /** Network passes over turned copies of the planes (1, 2, 4 or 8). */
  passes?: number;
  tileSize?: number;
  /** The network's level (0-255 scale on the stabilised planes) instead of the file's (--sigma; wins over amount). */
  sigma?: number;
  /** The photographer's level, 0-100 (sigmaForAmount), instead of the file's. */
  amount?: number;
  /** 0-100: how much of the brightness structure the denoiser removed is given back (raw-detail.ts). */
  detail?: number;
}

export interface RawDenoiseFileResult {
  width: number;
  height: number;
  noise: PoissonGaussian;
  /** Where the noise parameters came from. */
  noiseSource: 'noise-profile' | 'estimated';
  iso?: number;
  sigma: number;
  /** False when the level was set by hand (sigma or amount). */
  estimated: boolean;
}

/**
 * The raw kind of `path` for routing: by extension (rawKindOf), else 'dng' for a TIFF-signature
 * file whose first IFD names a DNG version (a DNG saved under another name), else undefined.
 */
export async function rawRouteOf(path: string): Promise<string | undefined> {
  const kind = rawKindOf(path);
  if (kind) return kind;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return undefined; // the image reader names what is wrong with the file
  }
  try {
    const head = Buffer.alloc(8);
    if ((await fh.read(head, 0, 8, 0)).bytesRead < 8) return undefined;
    const le = head[0] === 0x49 && head[1] === 0x49 && head[2] === 42 && head[3] === 0;
    const be = head[0] === 0x4d && head[1] === 0x4d && head[2] === 0 && head[3] === 42;
    if (!le && !be) return undefined;
    const at = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
    const count = Buffer.alloc(2);
    if ((await fh.read(count, 0, 2, at)).bytesRead < 2) return undefined;
    const n = Math.min(le ? count.readUInt16LE(0) : count.readUInt16BE(0), 1000);
    const entries = Buffer.alloc(12 * n);
    const { bytesRead } = await fh.read(entries, 0, entries.length, at + 2);
    for (let i = 0; i + 12 <= bytesRead; i += 12) if ((le ? entries.readUInt16LE(i) : entries.readUInt16BE(i)) === DNG_VERSION) return 'dng';
    return undefined;
  } catch {
    return undefined; // unreadable (a folder opens but does not read): the image reader says so
  } finally {
    await fh.close();
  }
}

const DNG_VERSION = 50706;

/** Reads and decodes a camera raw file (DNG, or another format through LibRaw), with one-line errors naming the file. */
export async function readRawFile(path: string): Promise<RawMosaic> {
  const kind = rawKindOf(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new MendError('not-found', `Input file not found: ${path}`, { cause: err });
  }
  const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    // DNG by Mend's own reader; the proprietary formats by LibRaw (WebAssembly).
    if (kind && kind !== 'dng') return await readWithLibRaw(u8, kind.toUpperCase());
    return readDng(u8);
  } catch (err) {
    if (err instanceof LibRawError) {
      throw new MendError('unsupported', `${path}: ${err.message} (Mend reads camera RAW files through LibRaw; a DNG made by Adobe DNG Converter or dnglab may work)`, { cause: err });
    }
    if (err instanceof DngError) throw new MendError('unsupported', `${path}: ${err.message}`, { cause: err });
    if (err instanceof TiffError || err instanceof LosslessJpegError || err instanceof RangeError) {
      throw new MendError('corrupt-image', `${path} is truncated or corrupt: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/** The noise of a raw file: its NoiseProfile tag when it has one, else estimated from the mosaic. */
export function rawNoise(raw: RawMosaic): { noise: PoissonGaussian; source: 'noise-profile' | 'estimated' } {
  if (raw.meta.noiseProfile) return { noise: fromNoiseProfile(raw.meta.noiseProfile), source: 'noise-profile' };
  return { noise: estimatePoissonGaussian(raw.data, raw.width, raw.height, 1_000_000), source: 'estimated' };
}

export interface RawDenoised {
  /** Demosaiced camera RGB, interleaved, 0 = black, 1 = white. */
  camera: Float32Array;
  noise: PoissonGaussian;
  noiseSource: 'noise-profile' | 'estimated';
  /** The network's level used (0-255 scale on the stabilised planes): read from the noise, or set by hand. */
  sigma: number;
  estimated: boolean;
}

/**
 * Throws a usage error unless `model` is grey and the settings are in range; the strength
 * (default 1) and the level set by hand (--sigma, else Amount; undefined: read from the file).
 */
function checkRawSettings(model: LoadedModel, opts: Omit<RawDenoiseFileOptions, 'format'>): { strength: number; sigma?: number } {
  if (model.card.arch.channels !== 1) {
    throw new MendError('usage', `Model "${model.card.id}" is a colour model; RAW denoising runs a grey model on each colour plane of the mosaic (try --model gray-unet)`);
  }
  const { strength = 1, sigma, amount, detail = 0 } = opts;
  if (!(strength >= 0 && strength <= 1)) throw new MendError('usage', `--strength must be between 0 and 1, got ${strength}`);
  if (!(detail >= 0 && detail <= 100)) throw new MendError('usage', `--detail must be between 0 and 100, got ${detail}`);
  if (amount !== undefined && !(amount >= 0 && amount <= 100)) throw new MendError('usage', `--amount must be between 0 and 100, got ${amount}`);
  if (sigma !== undefined && !(sigma >= 0 && sigma <= 255)) throw new MendError('usage', `--sigma must be between 0 and 255, got ${sigma}`);
  return { strength, sigma: sigma ?? (amount !== undefined ? sigmaForAmount(amount) : undefined) };
}

/**
 * Denoises a decoded raw file's mosaic (grey `model` on each CFA plane) and demosaics it; with
 * Detail, gives back part of the removed brightness structure against the demosaiced original.
 */
export async function denoiseRaw(raw: RawMosaic, model: LoadedModel, opts: Omit<RawDenoiseFileOptions, 'format'> = {}): Promise<RawDenoised> {
  const { strength, sigma } = checkRawSettings(model, opts);
  const { noise, source } = rawNoise(raw);
  const res = await denoiseMosaic(raw, noise, model, { strength, sigma, passes: opts.passes, tileSize: opts.tileSize, signal: opts.signal, onEvent: opts.onEvent });
  const camera = cameraRgb(res.mosaic, raw, res.chromaSigma);
  if ((opts.detail ?? 0) > 0 && res.chromaSigma > 0) {
    giveBackRawDetail(cameraRgb(raw.data, raw), camera, raw.meta.asShotNeutral, daylightMatrix(raw.meta), opts.detail! / 100);
  }
  return { camera, noise, noiseSource: source, sigma: res.sigma, estimated: sigma === undefined };
}

/** Mend's simple default rendering of camera RGB (raw-domain output or not) as an sRGB raster. */
export function renderRaw(raw: RawMosaic, camera: Float32Array): Raster {
  return { width: raw.width, height: raw.height, channels: 3, data: renderSrgb(camera, raw.meta.asShotNeutral, daylightMatrix(raw.meta)) };
}

/** The preview of a raw file: its mosaic demosaiced, not denoised, in the default rendering. */
export function rawPreview(raw: RawMosaic): Raster {
  return renderRaw(raw, cameraRgb(raw.data, raw));
}

/** Writes camera RGB as a linear DNG (the original's metadata kept) or a 16-bit TIFF rendering. */
export async function writeRawOutput(output: string, raw: RawMosaic, camera: Float32Array, format: RawOutputFormat): Promise<void> {
  if (format === 'dng') {
    await writeFileAtomic(output, writeLinearDng(raw.width, raw.height, camera, raw.meta));
  } else {
    await writeImage(output, { raster: renderRaw(raw, camera), bitDepth: 16, format: 'tiff' }, { format: 'tiff', depth: 16, keepMetadata: false });
  }
}

/** Denoises the raw file at `input` and writes `output` (linear DNG or 16-bit TIFF). */
export async function denoiseRawFile(input: string, output: string, model: LoadedModel, opts: RawDenoiseFileOptions = {}): Promise<RawDenoiseFileResult> {
  checkRawSettings(model, opts); // before reading the file
  const raw = await readRawFile(input);
  const res = await denoiseRaw(raw, model, opts);
  await writeRawOutput(output, raw, res.camera, opts.format ?? 'dng');
  const result: RawDenoiseFileResult = { width: raw.width, height: raw.height, noise: res.noise, noiseSource: res.noiseSource, sigma: res.sigma, estimated: res.estimated };
  if (raw.meta.iso !== undefined) result.iso = raw.meta.iso;
  return result;
}
