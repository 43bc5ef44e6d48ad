import { type Raster } from './raster.js';

/** Converts between grayscale (BT.601 luma, as in the grayscale benchmarks) and RGB. */
export function convertChannels(r: Raster, channels: number): Raster {
  if (r.channels === channels) return r;
  const n = r.width * r.height;
  const out = new Float32Array(n * channels);
  if (channels === 1) {
    for (let i = 0; i < n; i++) out[i] = 0.299 * r.data[3 * i] + 0.587 * r.data[3 * i + 1] + 0.114 * r.data[3 * i + 2];
  } else {
    for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = r.data[i];
  }
  return { width: r.width, height: r.height, channels, data: out };
}
