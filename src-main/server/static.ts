/**
 * The interface's files (dist/renderer, built by `vite build`), with a strict
 * Content-Security-Policy: scripts and connections only from this origin, no inline scripts, no
 * plugins, no framing. Inline *styles* are allowed because Svelte writes style attributes.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isInside } from '../host/roots.js';
import { sendFile } from './http.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const PAGE_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/** dist/renderer, seen from dist/src-main/server (built) or src-main/server (sources, tests). */
export function defaultRendererDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const built = path.resolve(here, '..', '..', 'renderer');
  if (existsSync(path.join(built, 'index.html'))) return built;
  return path.resolve(here, '..', '..', 'dist', 'renderer');
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

export async function serveStatic(req: IncomingMessage, res: ServerResponse, url: URL, rendererDir: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    plain(res, 405, 'Method not allowed');
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    plain(res, 400, 'Bad path');
    return;
  }
  const parts = path.posix.normalize(decoded).split('/').filter(Boolean);
  // No dot files, no '..' (normalize already folded them into the root), no NULs.
  if (parts.some((p) => p.startsWith('.') || p.includes('\0') || p.includes('\\'))) {
    plain(res, 404, 'Not found');
    return;
  }
  const index = path.join(rendererDir, 'index.html');
  if (!existsSync(index)) {
    plain(res, 503, 'The Mend interface is not built: run `npm run build` (it builds dist/renderer), then start mend serve again.');
    return;
  }
  let file = path.join(rendererDir, ...parts);
  if (!isInside(rendererDir, file)) {
    plain(res, 404, 'Not found');
    return;
  }
  const st = await stat(file).catch(() => undefined);
  if (st?.isDirectory()) file = path.join(file, 'index.html');
  else if (!st) {
    // Browsers ask for a favicon on their own: no icon is not an error worth a console line.
    if (parts.length === 1 && parts[0] === 'favicon.ico') {
      res.writeHead(204, { ...PAGE_HEADERS, 'Cache-Control': 'public, max-age=86400' });
      res.end();
      return;
    }
    // A client-side route (no extension) gets the app; a missing asset is a 404.
    if (path.extname(file)) {
      plain(res, 404, 'Not found');
      return;
    }
    file = index;
  }
  // Vite names assets by content hash: they never change. index.html must be revalidated.
  const immutable = parts[0] === 'assets' && file !== index;
  await sendFile(req, res, file, {
    headers: { ...PAGE_HEADERS, 'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' },
  });
}
