/**
 * mend-image://workspace/... : how the window shows images (ipc-contract.ts builds the URLs).
 *
 *   /image/<id>/view|thumb       a workspace image's 8-bit view PNG or thumbnail
 *   /diff/<a>/<b>?gain=G         the amplified difference of two workspace images
 *   /batch-output?dir=D&name=N   a file a batch wrote (a workspace batch or a granted folder)
 *
 * It serves image files (by extension: PNG, JPEG, WebP, AVIF, TIFF, HEIF) of the workspace and
 * image outputs in folders the user granted, nothing else:
 * parseImageUrl refuses any other host or path, ids that are not the engine's id format, and
 * segments that decode to separators, dots or NULs (so `..`, `%2e%2e`, `%2f`, `%5c` and
 * double-encoding all fail), and confine() checks the final file by its real path, so a
 * symbolic link planted inside the workspace that points out of it is refused too.
 *
 * Pure Node (fs and path); protocols.ts hands Electron's requests to it.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ImageVariant } from '../shared/api.js';
import { EngineError } from '../host/errors.js';
import { WORKSPACE_BATCH_PREFIX, isWorkspaceId, variantFile } from '../host/layout.js';
import { isInside } from '../host/roots.js';
import { APP_ORIGIN, IMAGE_HOST, IMAGE_SCHEME } from './ipc-contract.js';

export type ImageRequest =
  | { kind: 'image'; id: string; variant: ImageVariant }
  | { kind: 'diff'; a: string; b: string; gain: number }
  | { kind: 'batch-output'; dir: string; name: string };

export type Parsed = { ok: true; request: ImageRequest } | { ok: false; status: 400 | 404 | 405; message: string };

const bad = (status: 400 | 404 | 405, message: string): Parsed => ({ ok: false, status, message });

/** One path segment, decoded; undefined when it is empty, not decodable, or hides a separator, a dot segment or a NUL. */
function segment(raw: string): string | undefined {
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (!s || s === '.' || s === '..' || /[/\\\0%]/.test(s)) return undefined;
  return s;
}

/** Parses a mend-image URL (and the request method) into what it asks for, refusing everything else. */
export function parseImageUrl(url: string, method = 'GET'): Parsed {
  if (method !== 'GET' && method !== 'HEAD') return bad(405, 'Only GET');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad(400, 'Bad address');
  }
  if (u.protocol !== `${IMAGE_SCHEME}:` || u.hostname !== IMAGE_HOST || u.port || u.username || u.password) return bad(404, 'Not found');
  // Before any decoding: the raw path may only hold plain segments.
  const raw = u.pathname.split('/').slice(1);
  const parts = raw.map(segment);
  if (parts.some((p) => p === undefined)) return bad(404, 'Not found');
  const [kind, ...rest] = parts as string[];
  if (kind === 'image' && rest.length === 2) {
    const [id, variant] = rest as [string, string];
    if (!isWorkspaceId(id) || (variant !== 'view' && variant !== 'thumb')) return bad(404, 'Not found');
    return { ok: true, request: { kind: 'image', id, variant } };
  }
  if (kind === 'diff' && rest.length === 2) {
    const [a, b] = rest as [string, string];
    const gain = Number(u.searchParams.get('gain') ?? '1');
    if (!isWorkspaceId(a) || !isWorkspaceId(b)) return bad(404, 'Not found');
    if (!Number.isFinite(gain) || gain <= 0 || gain > 1000) return bad(400, 'Bad gain');
    return { ok: true, request: { kind: 'diff', a, b, gain } };
  }
  if (kind === 'batch-output' && rest.length === 0) {
    const dir = u.searchParams.get('dir');
    const name = u.searchParams.get('name');
    if (!dir || !name || dir.includes('\0') || name.includes('\0') || dir.length > 4096 || name.length > 1024) return bad(400, 'Bad batch output');
    // Outputs are named relative to their folder: no absolute names, no climbing.
    const nameParts = name.split(/[\\/]/);
    if (path.isAbsolute(name) || /^[A-Za-z]:/.test(name) || nameParts.some((p) => p === '' || p === '.' || p === '..')) return bad(404, 'Not found');
    return { ok: true, request: { kind: 'batch-output', dir, name } };
  }
  return bad(404, 'Not found');
}

/** The real path of `file` if it is a regular file inside one of `dirs` (by real paths); undefined otherwise. */
export async function confine(file: string, dirs: string[]): Promise<string | undefined> {
  let r: string;
  try {
    r = await realpath(file);
  } catch {
    return undefined;
  }
  const realDirs = await Promise.all(dirs.map((d) => realpath(d).catch(() => undefined)));
  if (!realDirs.some((d) => d !== undefined && isInside(d, r))) return undefined;
  const st = await stat(r).catch(() => undefined);
  return st?.isFile() ? r : undefined;
}

/** What the protocol needs from its host: the workspace, the engine and the grants. */
export interface ImageSource {
  workspaceDir: string;
  /** engine.call('diffImage', ...) */
  diffImage(a: string, b: string, gain: number): Promise<string>;
  /** engine.call('batchOutputFile', ...) */
  batchOutputFile(dir: string, name: string): Promise<string>;
  /** The real path of a granted folder (grants.ts), or throws 'forbidden'. */
  checkFolder(dir: string): Promise<string>;
}

export type Resolved = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404 | 405; message: string };

/** Resolves a request to a file it may serve: only image files (by extension), only where confine() allows. */
export async function resolveImageRequest(url: string, method: string, src: ImageSource): Promise<Resolved> {
  const r = await resolveAny(url, method, src);
  // A granted folder may hold anything (documents, keys); this protocol shows images, nothing else.
  if (r.ok && !isImageFile(r.file)) return { ok: false, status: 404, message: 'Not found' };
  return r;
}

async function resolveAny(url: string, method: string, src: ImageSource): Promise<Resolved> {
  const parsed = parseImageUrl(url, method);
  if (!parsed.ok) return parsed;
  const req = parsed.request;
  const notFound: Resolved = { ok: false, status: 404, message: 'Not found' };
  try {
    if (req.kind === 'image') {
      const file = await confine(variantFile(src.workspaceDir, req.id, req.variant), [path.join(src.workspaceDir, 'images')]);
      return file ? { ok: true, file } : notFound;
    }
    if (req.kind === 'diff') {
      const out = await src.diffImage(req.a, req.b, req.gain);
      const file = await confine(out, [src.workspaceDir]);
      return file ? { ok: true, file } : notFound;
    }
    let allowed: string;
    if (req.dir.startsWith(WORKSPACE_BATCH_PREFIX)) {
      if (!isWorkspaceId(req.dir.slice(WORKSPACE_BATCH_PREFIX.length))) return notFound;
      allowed = path.join(src.workspaceDir, 'batches');
    } else {
      allowed = await src.checkFolder(req.dir);
    }
    const out = await src.batchOutputFile(req.dir, req.name);
    const file = await confine(out, [allowed]);
    return file ? { ok: true, file } : notFound;
  } catch (e) {
    if (e instanceof EngineError && e.code === 'forbidden') return { ok: false, status: 403, message: e.message };
    if (e instanceof EngineError && e.code === 'usage') return { ok: false, status: 400, message: e.message };
    return notFound;
  }
}

const TYPES: Record<string, string> = {
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.avif': 'image/avif',
  '.tif': 'image/tiff', '.tiff': 'image/tiff', '.heic': 'image/heif', '.heif': 'image/heif',
};

/** Whether `file` has an image type this protocol serves. */
export function isImageFile(file: string): boolean {
  return Object.prototype.hasOwnProperty.call(TYPES, path.extname(file).toLowerCase());
}

/** Response headers for a served image: the app's origin may read it (fetch + CORS), nothing is sniffed. */
export function imageHeaders(file: string, download: boolean): Record<string, string> {
  return {
    'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Access-Control-Allow-Origin': APP_ORIGIN,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': download ? 'no-store' : 'private, max-age=86400, immutable',
    ...(download ? { 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(path.basename(file))}` } : {}),
  };
}
