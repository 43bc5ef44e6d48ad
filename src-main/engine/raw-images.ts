/**
 * Camera RAW photos in the editor. A RAW original (DNG by Mend's reader, CR2/NEF/... by LibRaw)
 * is shown as its preview: the mosaic demosaiced, not denoised, in Mend's simple default rendering
 * (white balance, colour matrix, sRGB gamma, gentle tone curve), kept 16-bit. Denoising it runs
 * the raw route (the mosaic, before demosaicing, as `mend denoise IMG.dng` does); the result is
 * shown rendered the same way and keeps its demosaiced camera RGB as a linear DNG beside it, so
 * Export can write the linear DNG (the original's colour matrices, white balance and Exif kept)
 * or any image format from the rendering. Other tools work on the preview like on any photo.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DenoiseJob, DenoiseResult, ExportOptions } from '../shared/api.js';
import { amountForSigma } from '../shared/amount.js';
import { writeFileAtomic } from '../core/image/atomic-write.js';
import type { DecodedImage } from '../core/image/io.js';
import { throwIfCancelled } from '../core/jobs/cancel.js';
import { resolveModel } from '../core/models/registry.js';
import { LINEAR_RAW_PHOTOMETRIC, type RawMosaic, writeLinearDng } from '../core/raw/dng.js';
import { cameraRgb } from '../core/raw/raw-denoise.js';
import { denoiseRaw, rawPreview, rawRouteOf, readRawFile, renderRaw } from '../core/raw/raw-file.js';
import { nums, parseTiff } from '../core/raw/tiff.js';
import { EngineError } from '../host/errors.js';
import type { JobRuntime } from './image-jobs.js';
import { imageDir } from '../host/layout.js';
import { checkModelId } from './models.js';
import { writeExportFile } from './export-file.js';
import type { ExportedFile } from '../host/protocol.js';
import { safeFileName, stemOf, type StoredImage, type Workspace } from './workspace.js';

/** The demosaiced camera RGB of a denoised RAW result, stored as a linear DNG in its folder. */
export const LINEAR_DNG_FILE = 'linear.dng';

/** A RAW file's preview as the image the workspace keeps, or undefined when `file` is not RAW. */
export async function openRawSource(file: string): Promise<{ image: DecodedImage; kind: string } | undefined> {
  const kind = await rawRouteOf(file);
  if (!kind) return undefined;
  const raw = await readRawFile(file);
  return { kind, image: { raster: rawPreview(raw), format: 'tiff', bitDepth: 16, metadata: {}, path: file } };
}

/** The RAW original `stored` is or was computed from, with its decoded mosaic. */
async function rawOriginal(ws: Workspace, stored: StoredImage): Promise<{ original: StoredImage; raw: RawMosaic }> {
  let s = stored;
  for (let hops = 0; s.info.role !== 'original' && s.info.parent && hops < 16; hops++) s = await ws.get(s.info.parent);
  if (s.info.role !== 'original' || !s.info.raw) throw new EngineError('usage', `“${stored.info.name}” does not come from a camera RAW photo`);
  return { original: s, raw: await readRawFile(path.join(imageDir(ws.dir, s.info.id), s.file)) };
}

/** Camera RGB (0 black, 1 white) of a RAW original or of a denoised result from one. */
async function cameraOf(ws: Workspace, stored: StoredImage, raw: RawMosaic): Promise<Float32Array> {
  if (stored.info.role === 'original') return cameraRgb(raw.data, raw);
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(imageDir(ws.dir, stored.info.id), LINEAR_DNG_FILE));
  } catch {
    throw new EngineError('usage', `“${stored.info.name}” has no linear DNG to export (only a RAW photo and its denoised results have one); choose TIFF or another format`);
  }
  // Mend's own linear DNG: one strip of 16-bit samples, 3 per pixel, black 0, white 65535.
  const t = parseTiff(bytes);
  const off = nums(t.ifds[0], 273)?.[0];
  if (nums(t.ifds[0], 262)?.[0] !== LINEAR_RAW_PHOTOMETRIC || off === undefined) throw new EngineError('internal', 'The stored linear DNG is not readable');
  const out = new Float32Array(raw.width * raw.height * 3);
  for (let i = 0; i < out.length; i++) out[i] = t.view.getUint16(off + 2 * i, t.littleEndian) / 65535;
  return out;
}

/** Denoise of a RAW original: the raw route with a grey model; the result shown rendered, its linear DNG kept. */
export async function runRawDenoise(spec: DenoiseJob, stored: StoredImage, rt: JobRuntime): Promise<DenoiseResult> {
  const t0 = performance.now();
  const { raw } = await rawOriginal(rt.ws, stored);
  let model = await resolveModel(await checkModelId(spec.model), 'denoise', 1);
  if (model.card.arch.channels !== 1) {
    // The raw route runs a grey network on each colour plane of the mosaic.
    model = await resolveModel(undefined, 'denoise', 1);
    rt.emit({ type: 'log', level: 'info', message: `A RAW photo is denoised plane by plane with the grey model ${model.card.id}` });
  }
  // A level by hand (--sigma, or Amount in auto mode, as on an sRGB photo) replaces the one read
  // from the file as the network's level on the stabilised planes; Detail as on an sRGB photo.
  const auto = spec.sigma === 'auto';
  const res = await denoiseRaw(raw, model, {
    sigma: auto ? undefined : (spec.sigma as number), amount: auto ? spec.amount : undefined, detail: spec.detail,
    passes: spec.passes ?? 1, signal: rt.signal, onEvent: rt.emit,
  });
  throwIfCancelled(rt.signal);
  const info = await rt.ws.addResult({
    name: `${stemOf(stored.info.name)}-denoised.png`, role: 'denoised', parent: stored.info.id, raster: renderRaw(raw, res.camera), bitDepth: 16,
    raw: true, files: { [LINEAR_DNG_FILE]: writeLinearDng(raw.width, raw.height, res.camera, raw.meta) },
  });
  // sigma: the network's level on the variance-stabilised planes (0-255 scale), read from the
  // file's noise or set by hand; Amount is that level on the panel's scale.
  return { type: 'denoise', image: info, model: model.card.id, sigma: res.sigma, amount: amountForSigma(res.sigma), estimated: res.estimated, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Export as a linear DNG: the image's camera RGB (blended with `base` by the strength slider in
 * camera space, where it is linear) with the RAW original's colour data and, when kept, its Exif.
 */
export async function exportLinearDng(ws: Workspace, opts: ExportOptions, target: string | undefined): Promise<ExportedFile> {
  const stored = await ws.get(opts.image);
  const { raw } = await rawOriginal(ws, stored);
  let camera = await cameraOf(ws, stored, raw);
  const strength = opts.strength ?? 1;
  if (opts.base && strength !== 1) {
    const base = await cameraOf(ws, await ws.get(opts.base), raw);
    const mixed = new Float32Array(camera.length);
    for (let i = 0; i < mixed.length; i++) mixed[i] = base[i]! + strength * (camera[i]! - base[i]!);
    camera = mixed;
  }
  const meta = opts.keepMetadata ? raw.meta : { ...raw.meta, exif: [], copied: (raw.meta.copied ?? []).filter((e) => e.tag === 274) };
  const fileName = `${stemOf(safeFileName(opts.fileName || `${stemOf(stored.info.name)}.mend`, 'mend-export'))}.dng`;
  return writeExportFile(ws, target, fileName, (file) => writeFileAtomic(file, writeLinearDng(raw.width, raw.height, camera, meta)));
}
