/**
 * Work around the holes only: the tiles of an image that hold hole pixels, each read with a
 * margin of context around its holes. Inpainting's network pass and its denoiser rounds run on
 * these crops, so twenty dust spots on a 24-megapixel photo cost twenty small crops, not the
 * whole photo.
 */
import type { Raster } from '../image/raster.js';

export interface Crop {
  /** Read region. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Hole pixels of the core, as indices into the image. */
  holes: Uint32Array;
}

/**
 * The tiles that hold hole pixels, each with its read region: the bounding box of the tile's
 * holes grown by `margin` and clipped to the image, its start rounded down to a multiple of
 * `align`. A dust spot costs a crop around the spot, not a whole tile.
 */
export function holeTiles(width: number, height: number, mask: Uint8Array, tile: number, margin: number, align = 4): Crop[] {
  const crops: Crop[] = [];
  for (let ty = 0; ty < height; ty += tile) {
    for (let tx = 0; tx < width; tx += tile) {
      const holes: number[] = [];
      let hx0 = width;
      let hy0 = height;
      let hx1 = -1;
      let hy1 = -1;
      for (let y = ty; y < Math.min(height, ty + tile); y++) {
        for (let x = tx; x < Math.min(width, tx + tile); x++) {
          if (!mask[y * width + x]) continue;
          holes.push(y * width + x);
          hx0 = Math.min(hx0, x);
          hx1 = Math.max(hx1, x);
          hy0 = Math.min(hy0, y);
          hy1 = Math.max(hy1, y);
        }
      }
      if (holes.length === 0) continue;
      crops.push({
        x0: Math.max(0, Math.floor((hx0 - margin) / align) * align), y0: Math.max(0, Math.floor((hy0 - margin) / align) * align),
        x1: Math.min(width, hx1 + 1 + margin), y1: Math.min(height, hy1 + 1 + margin),
        holes: Uint32Array.from(holes),
      });
    }
  }
  return crops;
}

/** Index, in the crop's read region, of image pixel `p` (of an image `width` wide). */
export function indexInCrop(c: Crop, p: number, width: number): number {
  return (Math.floor(p / width) - c.y0) * (c.x1 - c.x0) + (p % width) - c.x0;
}

/** The read region of a crop, copied out of the raster. */
export function cutCrop(r: Raster, c: Crop): Raster {
  const w = c.x1 - c.x0;
  const h = c.y1 - c.y0;
  const ch = r.channels;
  const data = new Float32Array(w * h * ch);
  for (let y = 0; y < h; y++) data.set(r.data.subarray(((c.y0 + y) * r.width + c.x0) * ch, ((c.y0 + y) * r.width + c.x1) * ch), y * w * ch);
  return { width: w, height: h, channels: ch, data };
}

/** The read region of a crop out of a mask `width` pixels wide. */
export function cutMask(mask: Uint8Array, width: number, c: Crop): Uint8Array {
  const w = c.x1 - c.x0;
  const out = new Uint8Array(w * (c.y1 - c.y0));
  for (let y = c.y0; y < c.y1; y++) out.set(mask.subarray(y * width + c.x0, y * width + c.x1), (y - c.y0) * w);
  return out;
}
