/**
 * app://mend/... : the interface (dist/renderer, built by vite) for the desktop window, with the
 * strict Content-Security-Policy of security.ts on every response. Loading the page from a
 * custom protocol instead of file:// gives it a real origin ('self' in the CSP, CORS for
 * mend-image) and keeps file:// and its extra privileges out of the app entirely.
 *
 * Only files inside the renderer folder: no dot files, `..` is folded away before the check,
 * encoded separators and NULs are refused. Pure Node; protocols.ts serves what this resolves.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentTypeFor } from '../host/content-types.js';
import { isInside } from '../host/roots.js';
import { APP_HOST, APP_SCHEME } from './ipc-contract.js';
import { APP_PAGE_HEADERS } from './security.js';


export type AppAsset =
  | { ok: true; file: string; headers: Record<string, string> }
  | { ok: false; status: 400 | 404 | 405 | 503; text: string; headers: Record<string, string> };

const fail = (status: 400 | 404 | 405 | 503, text: string): AppAsset => ({
  ok: false, status, text, headers: { ...APP_PAGE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
});

/** dist/renderer, seen from dist/src-main/app (built; also inside the packaged app.asar). */
export function defaultRendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const built = path.resolve(here, '..', '..', 'renderer');
  if (existsSync(path.join(built, 'index.html'))) return built;
  return path.resolve(here, '..', '..', 'dist', 'renderer');
}

/** The file an app:// request asks for, with its headers, or why not. */
export async function resolveAppAsset(url: string, method: string, rendererDir: string): Promise<AppAsset> {
  if (method !== 'GET' && method !== 'HEAD') return fail(405, 'Method not allowed');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return fail(400, 'Bad address');
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return fail(404, 'Not found');
  let decoded: string;
  try {
    decoded = decodeURIComponent(u.pathname);
  } catch {
    return fail(400, 'Bad path');
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return fail(404, 'Not found');
  const parts = path.posix.normalize(decoded).split('/').filter(Boolean);
  if (parts.some((p) => p.startsWith('.'))) return fail(404, 'Not found');
  const index = path.join(rendererDir, 'index.html');
  if (!existsSync(index)) return fail(503, 'The Mend interface is not built: run `npm run build`.');
  let file = parts.length ? path.join(rendererDir, ...parts) : index;
  if (!isInside(rendererDir, file)) return fail(404, 'Not found');
  const st = await stat(file).catch(() => undefined);
  if (st?.isDirectory()) file = path.join(file, 'index.html');
  else if (!st?.isFile()) return fail(404, 'Not found');
  const type = contentTypeFor(file);
  return { ok: true, file, headers: { ...APP_PAGE_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-cache' } };
}
