/**
 * The quick, non-job operations on workspace images: compare, difference image, export, and the
 * server-side folder browser.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { ExportOptions, FolderListing, ImageComparison, ImageId } from '../shared/api.js';
import type { ExportedFile } from '../host/protocol.js';
import { writeFileAtomic } from '../core/image/atomic-write.js';
import { convertChannels } from '../core/image/channels.js';
import { extensionFor, formatFromPath } from '../core/image/formats.js';
import { writeImage, type ImageFormat } from '../core/image/io.js';
import type { Raster } from '../core/image/raster.js';
import { psnr } from '../core/metrics/psnr.js';
import { ssim } from '../core/metrics/ssim.js';
import { rawKindOf } from '../core/raw/raw-file.js';
import { EngineError } from '../host/errors.js';
import { diffsDir } from '../host/layout.js';
import { exportLinearDng } from './raw-images.js';
import { writeExportFile } from './export-file.js';
import { isInside, NO_ROOTS_MESSAGE, resolveUnderRoots } from '../host/roots.js';
import { safeFileName, stemOf, type Workspace } from './workspace.js';

/** JSON has no Infinity: identical images report this many dB. */
export const PSNR_CAP = 100;

function sameSize(a: Raster, b: Raster, what: string): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new EngineError('usage', `Cannot ${what} a ${a.width}x${a.height} image with a ${b.width}x${b.height} one: the sizes differ`);
  }
}

function crop(r: Raster, x0: number, y0: number, w: number, h: number): Raster {
  const data = new Float32Array(w * h * r.channels);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * r.width + x0) * r.channels;
    data.set(r.data.subarray(from, from + w * r.channels), y * w * r.channels);
  }
  return { width: w, height: h, channels: r.channels, data };
}

/**
 * PSNR/SSIM of `image` against `reference`. With a mask, PSNR counts only the white pixels and
 * SSIM (a windowed measure, which has no per-pixel form) is taken over the mask's bounding box.
 */
export async function compareImages(ws: Workspace, referenceId: ImageId, imageId: ImageId, maskId?: ImageId): Promise<ImageComparison> {
  const ref = (await ws.decode(referenceId)).image.raster;
  let img = (await ws.decode(imageId)).image.raster;
  sameSize(ref, img, 'compare');
  img = convertChannels(img, ref.channels);
  if (!maskId) {
    const p = psnr(ref, img);
    return { psnr: Math.min(PSNR_CAP, p), ssim: ssim(ref, img) };
  }
  const mask = await ws.mask(maskId, ref.width, ref.height);
  let x0 = ref.width;
  let y0 = ref.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < ref.height; y++) {
    for (let x = 0; x < ref.width; x++) {
      if (!mask[y * ref.width + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) throw new EngineError('usage', 'The mask selects no pixels: nothing to compare');
  const p = psnr(ref, img, { mask });
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  return { psnr: Math.min(PSNR_CAP, p), ssim: ssim(crop(ref, x0, y0, w, h), crop(img, x0, y0, w, h)) };
}

/** |b - a| * gain as an 8-bit PNG (cached per pair and gain); returns its path. */
export async function diffImage(ws: Workspace, a: ImageId, b: ImageId, gain: number): Promise<string> {
  if (!(Number.isFinite(gain) && gain > 0 && gain <= 1000)) throw new EngineError('usage', `Difference gain must be above 0 and at most 1000, got ${gain}`);
  const ia = await ws.info(a);
  const ib = await ws.info(b);
  const file = path.join(diffsDir(ws.dir), `${ia.id}_${ib.id}_${gain}.png`);
  if (await stat(file).then((s) => s.isFile(), () => false)) return file;
  let ra = (await ws.decode(a)).image.raster;
  let rb = (await ws.decode(b)).image.raster;
  sameSize(ra, rb, 'compare');
  const channels = Math.max(ra.channels, rb.channels);
  ra = convertChannels(ra, channels);
  rb = convertChannels(rb, channels);
  const out = new Uint8Array(ra.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.round(Math.abs(rb.data[i]! - ra.data[i]!) * gain * 255));
  const png = await sharp(out, { raw: { width: ra.width, height: ra.height, channels: channels as 1 | 3 }, limitInputPixels: false })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
  await writeFileAtomic(file, png);
  return file;
}

/** The suggested name with the extension of the chosen format (a matching one is kept: .jpeg stays). */
export function exportFileName(suggested: string, format: ImageFormat): string {
  const safe = safeFileName(suggested, 'mend-export');
  return formatFromPath(safe) === format ? safe : `${stemOf(safe)}.${extensionFor(format)}`;
}

/**
 * Encodes an image for saving: blended with `base` by `strength` (the denoise strength slider),
 * with the metadata of the original `source`, at the source's bit depth unless told otherwise.
 * Without `target` it goes to a temp folder (the host streams it and deletes it). A target that
 * is one of the workspace's originals, or the file one was opened from, is refused.
 */
export async function exportImage(ws: Workspace, opts: ExportOptions, target?: string): Promise<ExportedFile> {
  if (opts.format === 'dng') return exportLinearDng(ws, opts, target);
  const format = opts.format;
  const { stored, image } = await ws.decode(opts.image);
  let raster = image.raster;
  const strength = opts.strength ?? 1;
  if (opts.base && strength !== 1) {
    const base = convertChannels((await ws.decode(opts.base)).image.raster, raster.channels);
    sameSize(base, raster, 'blend');
    const data = new Float32Array(raster.data.length);
    for (let i = 0; i < data.length; i++) data[i] = base.data[i]! + strength * (raster.data[i]! - base.data[i]!);
    raster = { ...raster, data };
  }
  const source = opts.source ? await ws.decode(opts.source) : { stored, image };
  const fileName = exportFileName(opts.fileName || `${stemOf(source.stored.info.name)}.mend`, format);
  return writeExportFile(ws, target, fileName, (file) =>
    writeImage(file, { raster, alpha: image.alpha, metadata: source.image.metadata, bitDepth: source.stored.info.bitDepth }, {
      format,
      quality: opts.quality,
      depth: opts.depth ?? source.stored.info.bitDepth,
      keepMetadata: opts.keepMetadata,
    }));
}

const MAX_ENTRIES = 5000;

/**
 * Lists a server-side folder: sub-folders and images, hidden entries left out. With roots, only
 * inside them (links pointing out are not listed); with several roots, no path lists the roots.
 */
export async function browseFolder(p: string | undefined, roots: string[] | undefined): Promise<FolderListing> {
  if (roots && roots.length === 0) throw new EngineError('forbidden', NO_ROOTS_MESSAGE);
  if (!p) {
    if (!roots) p = os.homedir();
    else if (roots.length === 1) p = roots[0]!;
    else return { path: '', entries: roots.map((r) => ({ name: r, path: r, kind: 'dir' as const })) };
  }
  const dir = await resolveUnderRoots(p, roots, 'Folder');
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new EngineError('not-found', `Folder not found: ${p}`);
  if (!st.isDirectory()) throw new EngineError('usage', `${p} is not a folder`);
  const entries: FolderListing['entries'] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    if (d.name.startsWith('.')) continue;
    const full = path.join(dir, d.name);
    let isDir = d.isDirectory();
    let isFile = d.isFile();
    if (d.isSymbolicLink()) {
      const real = await realpath(full).catch(() => undefined);
      if (!real || (roots && !roots.some((r) => isInside(r, real)))) continue;
      const t = await stat(real).catch(() => undefined);
      isDir = !!t?.isDirectory();
      isFile = !!t?.isFile();
    }
    if (isDir) entries.push({ name: d.name, path: full, kind: 'dir' });
    else if (isFile && (formatFromPath(d.name) || rawKindOf(d.name))) entries.push({ name: d.name, path: full, kind: 'image' });
    if (entries.length >= MAX_ENTRIES) break;
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }) : a.kind === 'dir' ? -1 : 1));
  const up = path.dirname(dir);
  let parent: string | undefined;
  if (up !== dir && (!roots || roots.some((r) => isInside(r, up)))) parent = up;
  else if (roots && roots.length > 1) parent = '';
  return { path: dir, ...(parent !== undefined ? { parent } : {}), entries };
}
