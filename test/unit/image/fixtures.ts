// Shared helpers for the image I/O tests: temp dirs, sharp-made fixtures, independent pixel reads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect } from 'vitest';
import { MendError, type MendErrorCode } from '../../../src-main/shared/errors.js';

export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-image-io-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Samples that need all 16 bits (distinct low bytes, not multiples of 257). */
export function gradient16(width: number, height: number, channels: number): Uint16Array {
  const out = new Uint16Array(width * height * channels);
  for (let i = 0; i < out.length; i++) out[i] = (i * 7919 + 1237) % 65536;
  return out;
}

export function gradient8(width: number, height: number, channels: number): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let i = 0; i < out.length; i++) out[i] = (i * 37 + 11) % 256;
  return out;
}

/** Read a file's stored integer samples with sharp alone (no ICC conversion), independent of io.ts. */
export async function storedSamples(path: string, sixteen: boolean, grey: boolean): Promise<{ samples: number[]; channels: number }> {
  const { data, info } = await sharp(path)
    .keepIccProfile()
    .toColourspace(grey ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb')
    .raw({ depth: sixteen ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const copy = Buffer.from(data);
  const arr = sixteen ? new Uint16Array(copy.buffer, copy.byteOffset, copy.byteLength / 2) : new Uint8Array(copy);
  return { samples: Array.from(arr), channels: info.channels };
}

/** Noisy picture so that cutting the file in half lands inside the compressed pixel data. */
export async function noisyPicture(format: 'png' | 'jpeg', width = 96, height = 64): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 50 } } })
    .toFormat(format)
    .toBuffer();
}

export async function expectMendError(promise: Promise<unknown>, code: MendErrorCode, mention: string): Promise<MendError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected MendError '${code}'`).toBeInstanceOf(MendError);
  const e = caught as MendError;
  expect(e.code).toBe(code);
  expect(e.message).toContain(mention);
  expect(e.message).not.toContain('\n');
  return e;
}
