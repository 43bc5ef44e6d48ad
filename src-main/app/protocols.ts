/**
 * The two custom protocols, registered on the app's session (electron-importing glue):
 * app:// serves the interface (app-protocol.ts), mend-image:// workspace images and granted
 * batch outputs (image-protocol.ts). Files are streamed, so a 24-megapixel view never sits in
 * main's memory whole.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { protocol } from 'electron';
import { resolveAppAsset } from './app-protocol.js';
import { imageHeaders, resolveImageRequest, type ImageSource } from './image-protocol.js';
import { APP_ORIGIN, APP_SCHEME, IMAGE_SCHEME } from './ipc-contract.js';

function stream(file: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
}

export function registerProtocols(opts: { rendererDir: string; images: ImageSource }): void {
  protocol.handle(APP_SCHEME, async (req) => {
    const r = await resolveAppAsset(req.url, req.method, opts.rendererDir);
    if (!r.ok) return new Response(r.text, { status: r.status, headers: r.headers });
    return new Response(req.method === 'HEAD' ? null : await readFile(r.file), { status: 200, headers: r.headers });
  });
  protocol.handle(IMAGE_SCHEME, async (req) => {
    const r = await resolveImageRequest(req.url, req.method, opts.images);
    if (!r.ok) {
      return new Response(JSON.stringify({ code: r.status === 403 ? 'forbidden' : r.status === 400 ? 'usage' : 'not-found', message: r.message }), {
        status: r.status,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Access-Control-Allow-Origin': APP_ORIGIN, 'X-Content-Type-Options': 'nosniff' },
      });
    }
    const download = new URL(req.url).pathname === '/batch-output';
    return new Response(req.method === 'HEAD' ? null : stream(r.file), { status: 200, headers: imageHeaders(r.file, download) });
  });
}
