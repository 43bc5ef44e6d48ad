/**
 * Where things live in a workspace folder. Pure path logic (no sharp, no tfjs), so the web
 * server can stream view.png/thumb.jpg straight from disk without asking the engine.
 *
 *   <ws>/images/<id>/meta.json      StoredImage (ImageInfo + which file holds the pixels)
 *   <ws>/images/<id>/<name>         the uploaded or opened file (originals)
 *   <ws>/images/<id>/pixels.png     16-bit PNG of a result raster (denoised, inpainted, corrupted)
 *   <ws>/images/<id>/mask.png       8-bit mask (masks)
 *   <ws>/images/<id>/view.png       full-resolution 8-bit PNG for display at 100%
 *   <ws>/images/<id>/thumb.jpg      at most 256 px
 *   <ws>/batches/<job>/             default batch output folder ("workspace:<job>" to the UI)
 *   <ws>/diffs/, <ws>/tmp/          difference images, uploads in flight, exports
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ImageVariant } from '../shared/api.js';
import { EngineError } from './errors.js';

/** Random, URL-safe, 16 characters (96 bits): unguessable and safe as a folder name. */
export function newId(): string {
  return randomBytes(12).toString('base64url');
}

const ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

export function isWorkspaceId(id: unknown): id is string {
  return typeof id === 'string' && ID_RE.test(id);
}

export function assertWorkspaceId(id: unknown, what = 'Image'): asserts id is string {
  if (!isWorkspaceId(id)) throw new EngineError('not-found', `${what} not found (bad id)`);
}

export const imagesDir = (ws: string): string => path.join(ws, 'images');
export const tmpDir = (ws: string): string => path.join(ws, 'tmp');
export const diffsDir = (ws: string): string => path.join(ws, 'diffs');
export const batchesDir = (ws: string): string => path.join(ws, 'batches');

export function imageDir(ws: string, id: string): string {
  assertWorkspaceId(id);
  return path.join(imagesDir(ws), id);
}

export const META_FILE = 'meta.json';
export const VIEW_FILE = 'view.png';
export const THUMB_FILE = 'thumb.jpg';

export function variantFile(ws: string, id: string, variant: ImageVariant): string {
  return path.join(imageDir(ws, id), variant === 'thumb' ? THUMB_FILE : VIEW_FILE);
}

/** Batch output folders inside the workspace are named to the UI as `workspace:<job id>`. */
export const WORKSPACE_BATCH_PREFIX = 'workspace:';

export function workspaceBatchName(jobId: string): string {
  return `${WORKSPACE_BATCH_PREFIX}${jobId}`;
}

/** The folder behind a `workspace:<job>` name, or undefined for a server-side path. */
export function workspaceBatchDir(ws: string, outDir: string): string | undefined {
  if (!outDir.startsWith(WORKSPACE_BATCH_PREFIX)) return undefined;
  const job = outDir.slice(WORKSPACE_BATCH_PREFIX.length);
  assertWorkspaceId(job, 'Batch output folder');
  return path.join(batchesDir(ws), job);
}
