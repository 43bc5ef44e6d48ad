// The largest image Mend decodes by default. sharp's own guard (268 MP) stops only absurd files;
// a 16000x16000 PNG of 776 KB passes it, and denoising a colour photo peaks at about 80 bytes per
// pixel (measured: 9 MP colour, 940 MB peak RSS with about 250 MB of it the runtime; the 256 MP
// PNG had passed 7 GB when stopped at 57%). So the default is what half of this machine's memory
// holds at that rate, within sharp's guard; MEND_MAX_PIXELS sets another (e.g. for panoramas on
// a machine with memory to spare).
import os from 'node:os';
import { SHARP_DEFAULT_PIXEL_LIMIT } from './read-errors.js';

/** Peak bytes per pixel of a colour denoise (see above), rounded up. */
export const PEAK_BYTES_PER_PIXEL = 80;
/** Never below this (a 24 MP photo opens on a 4 GB machine). */
const FLOOR = 24_000_000;

/** The default decompression-bomb guard for readImage and readMask, in pixels. */
export function defaultPixelLimit(): number {
  const env = process.env.MEND_MAX_PIXELS;
  if (env !== undefined && /^\d+$/.test(env.trim()) && Number(env) > 0) return Number(env);
  const byMemory = Math.floor((os.totalmem() * 0.5) / PEAK_BYTES_PER_PIXEL);
  return Math.min(SHARP_DEFAULT_PIXEL_LIMIT, Math.max(FLOOR, byMemory));
}
