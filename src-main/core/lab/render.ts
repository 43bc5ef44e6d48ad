/**
 * Pictures of what the lab's models learned, as rasters the CLI writes and the engine stores:
 * filters as a grid of small tiles, patches side by side, code maps of an image, and a heat map
 * overlay. Tiles are enlarged by whole pixels (nearest neighbour) so an 8x8 patch stays crisp.
 */
import { type Raster } from '../image/raster.js';

/** Grid layout for `count` tiles: at most `maxCols` wide, rows filled evenly. */
export function gridShape(count: number, maxCols = 8): { cols: number; rows: number } {
  const rows = Math.max(1, Math.ceil(count / maxCols));
  const cols = Math.max(1, Math.ceil(count / rows));
  return { cols, rows };
}

/**
 * Lays out `count` tiles of tw x th grey values (row-major each, values already in [0,1]) on a
 * grid with a 1-tile-pixel gap, each tile pixel drawn as `zoom` x `zoom` output pixels.
 */
export function tileGrid(tiles: Float32Array[], tw: number, th: number, cols: number, zoom: number, background = 0.12): Raster {
  const rows = Math.ceil(tiles.length / cols);
  const gap = zoom;
  const width = cols * tw * zoom + (cols + 1) * gap;
  const height = rows * th * zoom + (rows + 1) * gap;
  const data = new Float32Array(width * height).fill(background);
  tiles.forEach((t, i) => {
    const ox = gap + (i % cols) * (tw * zoom + gap);
    const oy = gap + Math.floor(i / cols) * (th * zoom + gap);
    for (let y = 0; y < th * zoom; y++) {
      for (let x = 0; x < tw * zoom; x++) data[(oy + y) * width + ox + x] = t[Math.floor(y / zoom) * tw + Math.floor(x / zoom)]!;
    }
  });
  return { width, height, channels: 1, data };
}

/** The encoder's filters (d x k, column j = unit j) as patch-shaped tiles, each scaled so 0 is mid-grey. */
export function filterTiles(filters: Float32Array, patch: number, code: number): Float32Array[] {
  const d = patch * patch;
  const tiles: Float32Array[] = [];
  for (let j = 0; j < code; j++) {
    let max = 1e-12;
    for (let i = 0; i < d; i++) max = Math.max(max, Math.abs(filters[i * code + j]!));
    const t = new Float32Array(d);
    for (let i = 0; i < d; i++) t[i] = 0.5 + (0.5 * filters[i * code + j]!) / max;
    tiles.push(t);
  }
  return tiles;
}

/** Rows of patches (count x d pixels each) as one strip per row, clipped to [0,1]. */
export function patchTiles(pixels: Float32Array, patch: number, count: number): Float32Array[] {
  const d = patch * patch;
  return Array.from({ length: count }, (_, s) => pixels.subarray(s * d, (s + 1) * d).map((v) => Math.min(1, Math.max(0, v))));
}

/** Per-unit code maps (k maps of rows x cols, unit-major) as tiles, each scaled to its own range. */
export function codeMapTiles(maps: Float32Array, code: number, rows: number, cols: number): Float32Array[] {
  const n = rows * cols;
  return Array.from({ length: code }, (_, j) => {
    const m = maps.subarray(j * n, (j + 1) * n);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of m) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    // Codes that can be negative (linear, PCA) keep 0 at mid-grey; others run from 0 (black) up.
    if (lo < 0) {
      const a = Math.max(-lo, hi, 1e-12);
      return m.map((v) => 0.5 + (0.5 * v) / a);
    }
    return m.map((v) => v / Math.max(hi, 1e-12));
  });
}

/** A colour map for heat values in [0,1]: transparent-black -> red -> yellow -> white. */
export function heatColour(t: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, t)) * 3;
  return [Math.min(1, v), Math.min(1, Math.max(0, v - 1)), Math.min(1, Math.max(0, v - 2))];
}
