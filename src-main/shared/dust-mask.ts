/**
 * The inpainting mask of a list of sensor-dust spots and hot pixels: a disk per spot, of the
 * spot's radius plus `grow` pixels. Pure and free of Node, so the engine (core/infer/dust.ts)
 * and the interface (Lab > Dust, where the user accepts or rejects each spot and sets the grow)
 * draw the same mask from the same list.
 */
import type { DustSpot } from './api.js';

/** The mask's extra margin around each spot by default, in frame pixels. */
export const DEFAULT_DUST_GROW = 2;

/** 1 inside some spot's disk of radius `radius + grow` (frame pixels), else 0. */
export function spotMask(width: number, height: number, spots: readonly Pick<DustSpot, 'x' | 'y' | 'radius'>[], grow = DEFAULT_DUST_GROW): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (const s of spots) {
    // Half a pixel more: a pixel belongs to the disk when any of it is closer than the radius,
    // so a hot pixel (radius about 0.56) with grow 0 still covers its own pixel.
    const r = Math.max(0, s.radius + grow) + 0.5;
    const y0 = Math.max(0, Math.floor(s.y - r));
    const y1 = Math.min(height - 1, Math.ceil(s.y + r));
    const x0 = Math.max(0, Math.floor(s.x - r));
    const x1 = Math.min(width - 1, Math.ceil(s.x + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) if ((x - s.x) ** 2 + (y - s.y) ** 2 <= r * r) mask[y * width + x] = 1;
    }
  }
  return mask;
}
