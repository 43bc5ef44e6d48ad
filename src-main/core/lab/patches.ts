/**
 * The lab's data: small grey patches cut from photos (or generated scenes), with each patch's
 * mean (its DC level) removed and the rest divided by one global contrast scale. Without the DC
 * term, which carries most of the variance of raw patches and says nothing about structure, the
 * autoencoders learn edges and textures in a few hundred steps, and a linear autoencoder reaches
 * PCA's error in the same time.
 */
import sharp from 'sharp';
import { Rng } from '../math/rng.js';
import { convertChannels } from '../image/channels.js';
import { type Raster } from '../image/raster.js';
import { samplePatches } from '../train/patches.js';
import { naturalImage } from './scenes.js';

export interface PatchData {
  /** Patch side in pixels. */
  size: number;
  /** Number of patches. */
  n: number;
  /** n x size^2 grey pixels in [0,1]. */
  pixels: Float32Array;
}

/** Box-average a grey raster down by an integer factor so its longer side is at most maxSide. */
export function shrinkGrey(r: Raster, maxSide: number): Raster {
  const grey = r.channels === 1 ? r : convertChannels(r, 1);
  const f = Math.max(1, Math.ceil(Math.max(grey.width, grey.height) / maxSide));
  if (f === 1) return grey;
  const width = Math.floor(grey.width / f);
  const height = Math.floor(grey.height / f);
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) s += grey.data[(y * f + dy) * grey.width + x * f + dx]!;
      data[y * width + x] = s / (f * f);
    }
  }
  return { width, height, channels: 1, data };
}

/**
 * A photo for the lab: decoded straight to grey at most `maxSide` pixels on its longer side (a
 * 24-megapixel frame's 8x8 patches are nearly flat; at ~640 pixels they hold edges and texture).
 */
export async function readLabImage(file: string, maxSide = 640): Promise<Raster> {
  const { data, info } = await sharp(file, { failOn: 'error' })
    .rotate()
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .greyscale()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const out = new Float32Array(info.width * info.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * info.channels]! / 255;
  return { width: info.width, height: info.height, channels: 1, data: out };
}

/** Grey versions of the images (the lab works on luminance). */
export function greyImages(images: Raster[]): Raster[] {
  return images.map((r) => (r.channels === 1 ? r : convertChannels(r, 1)));
}

/**
 * `n` random patches (random places, flips and rotations) of the images. Flat patches (sky,
 * walls: almost no contrast once the mean is removed) are mostly skipped: every code is near
 * zero on them whatever the model, so they would drown the sparsity numbers and teach nothing.
 */
export function cutPatches(images: Raster[], n: number, size: number, seed: number, minContrast = 0.01): PatchData {
  const grey = greyImages(images).filter((r) => r.width >= size && r.height >= size);
  if (grey.length === 0) throw new RangeError(`No image is at least ${size}x${size} pixels`);
  const rng = new Rng(seed);
  const d = size * size;
  const pixels = new Float32Array(n * d);
  const one = new Float32Array(d);
  let kept = 0;
  for (let tries = 0; kept < n; tries++) {
    samplePatches(grey, 1, size, rng, one);
    let mean = 0;
    for (let i = 0; i < d; i++) mean += one[i]!;
    mean /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (one[i]! - mean) ** 2;
    // After many tries (a flat folder), take what comes rather than loop forever.
    if (Math.sqrt(v / d) < minContrast && tries < 20 * n) continue;
    pixels.set(one, kept * d);
    kept++;
  }
  return { size, n, pixels };
}

/** The generated photo-like scenes the lab uses when the user gives no images. */
export function labScenes(count = 16, side = 160, seed = 1): Raster[] {
  return Array.from({ length: count }, (_, i) => naturalImage(side, side, 1, seed * 1000 + i));
}

/** Standard deviation of the patches' values once each patch's mean is removed. */
export function contrastScale(p: PatchData): number {
  const d = p.size * p.size;
  let sum = 0;
  for (let s = 0; s < p.n; s++) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += p.pixels[s * d + i]!;
    mean /= d;
    for (let i = 0; i < d; i++) sum += (p.pixels[s * d + i]! - mean) ** 2;
  }
  return Math.sqrt(sum / Math.max(1, p.n * d)) || 1;
}

/** What the networks see: (patch - its mean) / scale; `dc` keeps each mean to undo it. */
export function toContrast(pixels: Float32Array, n: number, d: number, scale: number): { x: Float32Array; dc: Float32Array } {
  const x = new Float32Array(n * d);
  const dc = new Float32Array(n);
  for (let s = 0; s < n; s++) {
    let mean = 0;
    for (let i = 0; i < d; i++) mean += pixels[s * d + i]!;
    mean /= d;
    dc[s] = mean;
    for (let i = 0; i < d; i++) x[s * d + i] = (pixels[s * d + i]! - mean) / scale;
  }
  return { x, dc };
}

/** Back to pixels: x * scale + dc. */
export function fromContrast(x: Float32Array, dc: Float32Array, n: number, d: number, scale: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let s = 0; s < n; s++) for (let i = 0; i < d; i++) out[s * d + i] = x[s * d + i]! * scale + dc[s]!;
  return out;
}

/** Adds Gaussian noise of `sigma` (0-1 pixel scale) to a copy of the pixels. */
export function noisyCopy(pixels: Float32Array, sigma: number, rng: Rng): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! + sigma * rng.normal();
  return out;
}

/** PSNR (dB, peak 1) between two pixel arrays, with the estimate clipped to [0,1] first. */
export function patchPsnr(reference: Float32Array, estimate: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const e = Math.min(1, Math.max(0, estimate[i]!)) - reference[i]!;
    sum += e * e;
  }
  const mse = sum / Math.max(1, reference.length);
  return 10 * Math.log10(1 / Math.max(mse, 1e-12));
}
