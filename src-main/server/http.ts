/**
 * Small HTTP helpers over node:http: JSON replies, errors as {code, message} with a fitting
 * status (never a stack), request bodies with size limits, files streamed from disk.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { ApiError } from '../shared/api.js';
import { EngineError, toApiError } from '../host/errors.js';
import { contentTypeFor } from '../host/content-types.js';

/** What an error code means in HTTP. */
const STATUS: Record<ApiError['code'], number> = {
  usage: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  cancelled: 409,
  'too-large': 413,
  'not-an-image': 415,
  unsupported: 415,
  'corrupt-image': 422,
  model: 422,
  'engine-crashed': 503,
  unwritable: 500,
  internal: 500,
};

export function statusFor(code: ApiError['code']): number {
  return STATUS[code] ?? 500;
}

/** Headers every API reply carries: nothing cached, nothing sniffed, no referrer (URLs carry the token). */
export const API_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, { ...API_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204, API_HEADERS);
  res.end();
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = toApiError(e);
  sendJson(res, statusFor(err.code), err);
}

export const httpError = (code: ApiError['code'], message: string): EngineError => new EngineError(code, message);

/** Reads a JSON body (at most `limit` bytes). */
export async function readJson(req: IncomingMessage, limit = 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw httpError('too-large', `Request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw httpError('usage', 'The request body is not valid JSON');
  }
}

function megabytes(n: number): string {
  return `${Math.round(n / (1024 * 1024))} MB`;
}

/**
 * Streams a raw request body (an upload) into `file`, refusing it once it passes `limit` bytes
 * (at once when Content-Length says so). A partial file is removed.
 */
export async function receiveFile(req: IncomingMessage, file: string, limit: number): Promise<number> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw httpError('too-large', `The file is too large: ${megabytes(declared)}, the limit is ${megabytes(limit)}`);
  }
  let size = 0;
  const counter = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > limit) throw httpError('too-large', `The file is too large: over the limit of ${megabytes(limit)}`);
      yield chunk;
    }
  };
  try {
    await pipeline(req, counter, createWriteStream(file, { flags: 'wx' }));
  } catch (e) {
    await rm(file, { force: true });
    if (e instanceof EngineError) throw e;
    throw httpError('usage', 'The upload was interrupted');
  }
  if (size === 0) {
    await rm(file, { force: true });
    throw httpError('not-an-image', 'The file is empty (0 bytes)');
  }
  return size;
}


/** `attachment; filename="ascii"; filename*=UTF-8''...` (RFC 6266), safe for any name. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export interface SendFileOptions {
  headers?: Record<string, string>;
  /** Download under this name. */
  downloadName?: string;
  /** Delete the file (or this folder) once it has been sent or the client went away. */
  removeAfter?: string;
}

export async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, opts: SendFileOptions = {}): Promise<void> {
  try {
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) throw httpError('not-found', 'File not found');
    const headers: Record<string, string | number> = {
      'Content-Type': contentTypeFor(opts.downloadName ?? file),
      'Content-Length': st.size,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      ...opts.headers,
    };
    if (opts.downloadName) headers['Content-Disposition'] = attachment(opts.downloadName);
    if (req.method === 'HEAD') {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    res.writeHead(200, headers);
    await pipeline(createReadStream(file), res).catch(() => undefined);
  } finally {
    if (opts.removeAfter) await rm(opts.removeAfter, { recursive: true, force: true });
  }
}
