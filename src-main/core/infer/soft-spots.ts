/**
 * Soft dark spots in ONE photo (a dust shadow in a sky, a faint stain on a scan), for the
 * single-photo "Suggest mask". The reconstruction error of a denoiser (infer/anomaly.ts) finds
 * what is sharp and unusual (hot pixels, scratches) but misses a soft shadow: the network
 * rebuilds a smooth darkening as it is. Here a spot is a darkening relative to a robust local
 * background (a local median, as for a whole shoot in infer/dust.ts) that is
 *  - a blob of limited size, fading out into its surroundings (its profile has an edge),
 *  - soft: its steepest slope is of the order of its depth over its radius, where the edge of a
 *    dark object (a leaf against the sky) is as steep as its whole contrast over a pixel,
 *  - in a smooth neighbourhood: the ring around it holds few textured pixels, and its darkening
 *    stands well above the ups and downs of the darkening around it (one photo cannot tell a
 *    dark pebble among pebbles, or a dip in the mottle of a lawn, from dust: such places are
 *    left to the user),
 *  - round.
 * Each spot comes with its profile radius (dust.ts profileRadius), so the mask covers its halo.
 */
import type { DustSpot } from '../../shared/api.js';
import { type Raster } from '../image/raster.js';
import { boxDown } from '../math/resample.js';
import { boxBlur, components, luminance, medianBackground } from './spot-filters.js';
import { profileRadius, standsOut } from './spot-shape.js';

export interface SoftSpotOptions {
  /** Smallest relative darkening at a spot's core (default 0.03: 3% less light). */
  darkening?: number;
  /** Largest spot radius, as a fraction of the shorter side (default 0.06, and at least 16 px). */
  maxRadius?: number;
  /** Longest side analysed (larger photos are averaged down; default 2048). */
  analysisSide?: number;
}

/** Steepest slope inside a spot over (depth x background / radius): soft shadows stay under it. */
const MAX_STEEPNESS = 2.5;
/** Fraction of the ring around a spot that may be textured. */
const MAX_TEXTURED = 0.15;

/**
 * Per-pixel texture: the local mean (5x5) of the gradient magnitude of `lum`. Computed on the
 * reconstruction it keeps edges and texture and loses the defects the network removed.
 */
export function textureMap(lum: Float32Array, w: number, h: number): Float32Array {
  const g = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const gx = lum[y * w + Math.min(w - 1, x + 1)]! - lum[y * w + Math.max(0, x - 1)]!;
      const gy = lum[Math.min(h - 1, y + 1) * w + x]! - lum[Math.max(0, y - 1) * w + x]!;
      g[p] = 0.5 * Math.hypot(gx, gy);
    }
  }
  const out = new Float32Array(w * h);
  boxBlur(g, w, h, 2, out, new Float32Array(w * h));
  return out;
}

/**
 * Soft dark spots of `raster` (frame pixels); `texture` is textureMap of its reconstruction.
 * Large photos are analysed averaged down to at most `analysisSide` (default 2048) pixels a side,
 * as a shoot's dust is (infer/dust.ts): a spot is many pixels wide, and on 24 megapixels the
 * full-size pass took 17 s.
 */
export function findSoftSpots(raster: Raster, texture: Float32Array, o: SoftSpotOptions = {}): DustSpot[] {
  const { width, height } = raster;
  const f = Math.max(1, Math.ceil(Math.max(width, height) / (o.analysisSide ?? 2048)));
  const plane = (data: Float32Array): Raster => boxDown({ width, height, channels: 1, data }, f);
  const lum = plane(luminance(raster));
  const spots = spotsIn(lum.data, lum.width, lum.height, plane(texture).data, o);
  return spots.map((s) => ({ ...s, x: (s.x + 0.5) * f - 0.5, y: (s.y + 0.5) * f - 0.5, radius: s.radius * f }));
}

/** findSoftSpots on a luminance plane and its texture, in that plane's pixels. */
function spotsIn(lum: Float32Array, w: number, h: number, texture: Float32Array, o: SoftSpotOptions): DustSpot[] {
  const minDark = o.darkening ?? 0.03;
  const bg = new Float32Array(w * h);
  medianBackground(lum, w, h, Math.max(12, Math.round(Math.min(w, h) / 20)), bg);
  const rel = new Float32Array(w * h);
  for (let i = 0; i < rel.length; i++) rel[i] = (lum[i]! - bg[i]!) / (bg[i]! + 0.01);
  const res = new Float32Array(w * h);
  // A light blur: spots are blobs, noise is per pixel.
  boxBlur(rel, w, h, 1, res, new Float32Array(w * h));
  const set = new Uint8Array(w * h);
  for (let i = 0; i < set.length; i++) set[i] = res[i]! < -minDark && lum[i]! > 0.03 && lum[i]! < 0.97 ? 1 : 0;
  // Texture a soft spot's ring may not exceed: well above sensor noise, well below an edge.
  const textured = 0.02;
  const maxR = Math.max(16, (o.maxRadius ?? 0.06) * Math.min(w, h));
  const spots: DustSpot[] = [];
  for (const c of components(set, w, h)) {
    const n = c.pixels.length;
    if (n < 4 || n > Math.PI * maxR * maxR) continue;
    let sx = 0;
    let sy = 0;
    let sw = 0;
    let peak = 0;
    for (const p of c.pixels) {
      const d = -res[p]!;
      sx += (p % w) * d;
      sy += Math.floor(p / w) * d;
      sw += d;
      peak = Math.max(peak, d);
    }
    if (peak < 1.3 * minDark) continue;
    const cx = sx / sw;
    const cy = sy / sw;
    const radius = profileRadius(res, w, h, cx, cy, peak, Math.sqrt(n / Math.PI), minDark);
    if (radius === undefined || radius > maxR) continue;
    // Steepness inside the spot and texture in the ring just outside it.
    let steepest = 0;
    let ring = 0;
    let rough = 0;
    const outer = radius + 4;
    for (let y = Math.max(0, Math.floor(cy - outer)); y <= Math.min(h - 1, Math.ceil(cy + outer)); y++) {
      for (let x = Math.max(0, Math.floor(cx - outer)); x <= Math.min(w - 1, Math.ceil(cx + outer)); x++) {
        const d = Math.hypot(x - cx, y - cy);
        const p = y * w + x;
        if (d <= radius && x > 0 && x < w - 1 && y > 0 && y < h - 1) {
          steepest = Math.max(steepest, 0.5 * Math.hypot(lum[p + 1]! - lum[p - 1]!, lum[p + w]! - lum[p - w]!));
        } else if (d > radius && d <= outer) {
          ring++;
          if (texture[p]! > textured) rough++;
        }
      }
    }
    const depth = peak * bg[Math.round(cy) * w + Math.round(cx)]!;
    if (steepest > (MAX_STEEPNESS * depth) / Math.max(1, radius) + 0.01) continue;
    if (ring > 0 && rough / ring > MAX_TEXTURED) continue;
    if (!standsOut(res, w, h, cx, cy, radius, peak)) continue;
    spots.push({ kind: 'dust', x: cx, y: cy, radius, frames: 1, strength: peak });
  }
  return spots;
}
