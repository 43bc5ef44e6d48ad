/**
 * A deterministic photo-like test picture for `mend bench`: smooth gradients, shaded discs and
 * rectangles with soft edges, a striped texture and mild grain. Only its size matters for
 * timing, but a natural-looking picture keeps every code path (noise estimate, tiles) realistic.
 */
import { Rng } from '../math/rng.js';
import { type Raster } from '../image/raster.js';

interface Blob {
  kind: 'disc' | 'rect';
  cx: number;
  cy: number;
  r: number;
  colour: number[];
  stripes: number;
}

export function syntheticImage(width: number, height: number, channels: number, seed = 1): Raster {
  const rng = new Rng(seed);
  const top = [0, 1, 2].map(() => rng.uniform(0.3, 0.9));
  const bottom = [0, 1, 2].map(() => rng.uniform(0.1, 0.6));
  const s = Math.min(width, height);
  const blobs: Blob[] = [];
  for (let i = 0; i < 12; i++) {
    blobs.push({
      kind: rng.next() < 0.5 ? 'disc' : 'rect',
      cx: rng.next() * width,
      cy: rng.next() * height,
      r: rng.uniform(0.04, 0.2) * s,
      colour: [0, 1, 2].map(() => rng.uniform(0.05, 0.95)),
      stripes: rng.next() < 0.3 ? rng.uniform(0.2, 0.8) : 0,
    });
  }
  const rgb = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const t = y / Math.max(1, height - 1);
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const sweep = 0.05 * Math.sin((x / width) * 6.3 + t * 2);
      for (let c = 0; c < 3; c++) rgb[i + c] = top[c]! + (bottom[c]! - top[c]!) * t + sweep;
    }
  }
  for (const b of blobs) {
    const x0 = Math.max(0, Math.floor(b.cx - b.r - 2));
    const x1 = Math.min(width - 1, Math.ceil(b.cx + b.r + 2));
    const y0 = Math.max(0, Math.floor(b.cy - b.r - 2));
    const y1 = Math.min(height - 1, Math.ceil(b.cy + b.r + 2));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - b.cx;
        const dy = y + 0.5 - b.cy;
        const d = b.kind === 'disc' ? Math.hypot(dx, dy) - b.r : Math.max(Math.abs(dx), Math.abs(dy)) - b.r;
        const alpha = Math.min(1, Math.max(0, 0.5 - d));
        if (alpha === 0) continue;
        const shade = 1 - 0.3 * (dy / b.r);
        const stripe = b.stripes ? 0.06 * Math.sin((x + y) * b.stripes) : 0;
        const i = (y * width + x) * 3;
        for (let c = 0; c < 3; c++) rgb[i + c] = rgb[i + c]! + (b.colour[c]! * shade + stripe - rgb[i + c]!) * alpha;
      }
    }
  }
  const out = new Float32Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    const grain = 0.01 * (rng.next() - 0.5);
    if (channels === 1) {
      const v = 0.299 * rgb[3 * p]! + 0.587 * rgb[3 * p + 1]! + 0.114 * rgb[3 * p + 2]! + grain;
      out[p] = v < 0 ? 0 : v > 1 ? 1 : v;
    } else {
      for (let c = 0; c < 3; c++) {
        const v = rgb[3 * p + c]! + grain;
        out[3 * p + c] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  return { width, height, channels, data: out };
}
