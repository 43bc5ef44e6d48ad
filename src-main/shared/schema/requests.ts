/**
 * The requests other than jobs, one schema each, shared by the desktop app's IPC channels
 * (ipc.ts here) and `mend serve`'s JSON bodies (server/routes.ts).
 */
import * as v from 'valibot';
import { fraction, fsPath, MAX_NAME_LENGTH, quality, bitDepth, text, workspaceId } from './fields.js';

/** 'dng': a linear DNG, for camera RAW photos and their denoised results (engine/raw-images.ts). */
export const EXPORT_FORMATS = ['jpeg', 'png', 'tiff', 'webp', 'avif', 'dng'] as const;

export const ExportOptionsSchema = v.strictObject({
  image: workspaceId,
  /** Blend with this image by `strength` (the denoise strength slider): out = base + s*(image-base). */
  base: v.optional(workspaceId),
  strength: v.optional(fraction),
  /** Takes metadata (EXIF/ICC/XMP) and the default name from this original. */
  source: v.optional(workspaceId),
  format: v.picklist(EXPORT_FORMATS, `must be one of ${EXPORT_FORMATS.join(', ')}`),
  quality: v.optional(quality),
  depth: v.optional(bitDepth),
  keepMetadata: v.boolean(),
  /** Suggested file name; web mode downloads it, desktop shows a save dialog. */
  fileName: text(MAX_NAME_LENGTH),
});

/** Opens a server-side or desktop path (under the roots in web mode, granted in the desktop app). */
export const OpenPathSchema = v.strictObject({ path: fsPath });
/** PSNR/SSIM of `image` against `reference`, optionally only where `mask` is white. */
export const CompareSchema = v.strictObject({ reference: workspaceId, image: workspaceId, mask: v.optional(workspaceId) });
/** A user model's new name. */
export const RenameModelSchema = v.strictObject({ name: text(100, { min: 1 }) });
