// Turning file-system and sharp/libvips decode failures into one-line MendErrors that name the file.

import { open } from 'node:fs/promises';
import sharp from 'sharp';
import { MendError } from '../../shared/errors.js';
import { FORMAT_LIST, sniffFormat } from './formats.js';

/** sharp's default decompression-bomb guard (0x3FFF * 0x3FFF pixels). */
export const SHARP_DEFAULT_PIXEL_LIMIT = 268402689;

/** First line of a libvips message that says something, squeezed to one short line. */
export function oneLineCause(err: unknown, path: string): string {
  const msg = err instanceof Error ? err.message : String(err);
  const lines = msg
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^\(\d+\.\d+\)$/.test(l));
  const line = lines.find((l) => !l.startsWith(path)) ?? lines[0] ?? 'unknown error';
  const flat = line.replace(/\s+/g, ' ');
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

/**
 * Check `path` is a readable, non-empty regular file and return its first bytes.
 * Throws MendError 'not-found' (missing or unreadable) or 'not-an-image' (folder, empty file).
 */
export async function openForRead(path: string, what = 'Input file'): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new MendError('not-an-image', `${path} is a folder, not an image`, { cause: err });
    if (code === 'EACCES' || code === 'EPERM') {
      throw new MendError('not-found', `${what} ${path} cannot be opened: permission denied`, { cause: err });
    }
    throw new MendError('not-found', `${what} not found: ${path}`, { cause: err });
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new MendError('not-an-image', `${path} is a folder, not an image`);
    if (!st.isFile()) throw new MendError('not-an-image', `${path} is not a regular file`);
    if (st.size === 0) throw new MendError('not-an-image', `${path} is empty (0 bytes), not an image`);
    const head = Buffer.alloc(Math.min(32, st.size));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Classify an error thrown by sharp while reading `path` (whose first bytes are `head`). */
export async function decodeError(path: string, err: unknown, head: Uint8Array, limit: number | undefined): Promise<MendError> {
  if (err instanceof MendError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/exceeds pixel limit/i.test(msg)) {
    const max = limit ?? SHARP_DEFAULT_PIXEL_LIMIT;
    let size = '';
    try {
      const m = await sharp(path, { limitInputPixels: false }).metadata();
      size = ` ${m.width}x${m.height} (${m.width * m.height} pixels) is`;
    } catch {
      // size unknown; the message still names the limit
    }
    return new MendError('too-large', `${path} is too large:${size} over the limit of ${max} pixels (what this machine's memory allows; MEND_MAX_PIXELS changes it)`, { cause: err });
  }
  if (/input file is missing/i.test(msg)) return new MendError('not-found', `Input file not found: ${path}`, { cause: err });
  const sniffed = sniffFormat(head);
  if (sniffed === undefined && /unsupported image format|corrupt header/i.test(msg)) {
    return new MendError('not-an-image', `${path} is not an image Mend can read (expected ${FORMAT_LIST})`, { cause: err });
  }
  if (/unsupported (codec|feature|compression)/i.test(msg)) {
    return new MendError('unsupported', `${path} uses an encoding this build cannot decode: ${oneLineCause(err, path)}`, {
      cause: err,
    });
  }
  const cause =
    sniffed && sniffed !== 'other' && /unsupported image format/i.test(msg)
      ? `it looks like ${sniffed.toUpperCase()} but cannot be decoded`
      : oneLineCause(err, path);
  return new MendError('corrupt-image', `${path} is truncated or corrupt: ${cause}`, { cause: err });
}
