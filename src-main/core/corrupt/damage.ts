// Synthetic damage masks (scratches, dust, blobs) for inpainting training and benchmarks.
import { MendError } from '../../shared/errors.js';
import { type Raster } from '../image/raster.js';
import { type Rng } from '../math/rng.js';

export type DamageKind = 'scratches' | 'dust' | 'blobs';

export const DAMAGE_KINDS: readonly DamageKind[] = ['scratches', 'dust', 'blobs'];

export interface DamageMaskOptions {
  /** Scales the damaged fraction (1 = typical: scratches 2-4%, dust 1-3%, blobs 8-15%). */
  amount?: number;
}

export interface ApplyDamageOptions {
  /**
   * What damaged pixels become. 'constant' (default): one gray level drawn from rng for the
   * whole call; 'noise': independent uniform values per pixel and channel.
   */
  fill?: 'constant' | 'noise' | 'black' | 'white';
}

// Typical damaged fraction [lo, hi) at amount = 1.
const TARGET: Record<DamageKind, [number, number]> = {
  scratches: [0.02, 0.04],
  dust: [0.01, 0.03],
  blobs: [0.08, 0.13],
};

/** Marks pixels and counts how many became damaged. */
class MaskPainter {
  readonly mask: Uint8Array;
  count = 0;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.mask = new Uint8Array(width * height);
  }

  /** Marks pixels whose centre lies within r of (cx, cy); always marks the pixel containing it. */
  disc(cx: number, cy: number, r: number): void {
    const { width, height, mask } = this;
    const px = Math.floor(cx);
    const py = Math.floor(cy);
    if (px >= 0 && px < width && py >= 0 && py < height) {
      const i = py * width + px;
      if (mask[i] === 0) {
        mask[i] = 1;
        this.count++;
      }
    }
    const r2 = r * r;
    const x0 = Math.max(0, Math.ceil(cx - r - 0.5));
    const x1 = Math.min(width - 1, Math.floor(cx + r - 0.5));
    const y0 = Math.max(0, Math.ceil(cy - r - 0.5));
    const y1 = Math.min(height - 1, Math.floor(cy + r - 0.5));
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      const dy2 = dy * dy;
      const row = y * width;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - cx;
        if (dx * dx + dy2 <= r2) {
          const i = row + x;
          if (mask[i] === 0) {
            mask[i] = 1;
            this.count++;
          }
        }
      }
    }
  }
}

/**
 * A damage mask (1 = damaged), width*height. Shapes are drawn until the damaged fraction reaches
 * a target drawn from the kind's typical range times `amount`. Scratch widths and dust radii are
 * in pixels for images up to 512 px on the short side and grow proportionally beyond.
 */
export function makeDamageMask(
  kind: DamageKind,
  width: number,
  height: number,
  rng: Rng,
  opts: DamageMaskOptions = {},
): Uint8Array {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new MendError('internal', `makeDamageMask needs positive integer sizes, got ${width}x${height}`);
  }
  const amount = opts.amount ?? 1;
  if (!(amount >= 0 && Number.isFinite(amount))) {
    throw new MendError('usage', `Damage amount must be a number >= 0, got ${amount}.`);
  }
  const range = TARGET[kind];
  if (!range) throw new MendError('usage', `Unknown damage kind "${kind}". Use ${DAMAGE_KINDS.join(', ')}.`);
  const area = width * height;
  const target = Math.min(0.9, amount * rng.uniform(range[0], range[1])) * area;
  const p = new MaskPainter(width, height);
  if (target < 0.5) return p.mask;
  const minSide = Math.min(width, height);
  const scale = Math.max(1, minSide / 512);
  const maxShapes = 100000;

  switch (kind) {
    case 'scratches': {
      const diag = Math.hypot(width, height);
      for (let n = 0; n < maxShapes && p.count < target; n++) {
        const r = (scale * (1 + rng.int(3))) / 2; // width 1-3 px
        let x = rng.uniform(0, width);
        let y = rng.uniform(0, height);
        // Half the scratches run roughly vertically, like film scratches.
        let theta = rng.next() < 0.5 ? Math.PI / 2 + rng.uniform(-0.15, 0.15) : rng.uniform(0, Math.PI);
        if (rng.next() < 0.5) theta += Math.PI;
        let turn = rng.normal() * (1.5 / diag); // curvature in radians per px
        const length = rng.uniform(0.3, 1) * diag;
        const step = 0.5;
        for (let s = 0; s < length && p.count < target; s += step) {
          p.disc(x, y, r);
          x += step * Math.cos(theta);
          y += step * Math.sin(theta);
          theta += step * turn;
          turn += rng.normal() * (0.02 / diag);
          if (x < -r || y < -r || x > width + r || y > height + r) break;
        }
      }
      break;
    }
    case 'dust': {
      for (let n = 0; n < maxShapes && p.count < target; n++) {
        const u = rng.next();
        const r = scale * (1 + 3 * u * u); // radius 1-4 px, mostly small
        const cx = rng.uniform(0, width);
        const cy = rng.uniform(0, height);
        p.disc(cx, cy, r);
        // Some specks are lumpy: a second, offset disc.
        if (rng.next() < 0.3) {
          const a = rng.uniform(0, 2 * Math.PI);
          p.disc(cx + r * 0.8 * Math.cos(a), cy + r * 0.8 * Math.sin(a), r * rng.uniform(0.5, 0.9));
        }
      }
      break;
    }
    case 'blobs': {
      for (let n = 0; n < maxShapes && p.count < target; n++) {
        const big = rng.uniform(0.04, 0.12) * minSide;
        let cx = rng.uniform(0, width);
        let cy = rng.uniform(0, height);
        const lobes = 3 + rng.int(5);
        // A short random walk of overlapping discs gives an irregular outline.
        for (let k = 0; k < lobes && p.count < target; k++) {
          const r = Math.max(1, big * rng.uniform(0.45, 0.8));
          p.disc(cx, cy, r);
          const a = rng.uniform(0, 2 * Math.PI);
          const d = big * rng.uniform(0.3, 0.6);
          cx += d * Math.cos(a);
          cy += d * Math.sin(a);
        }
      }
      break;
    }
  }
  return p.mask;
}

/** Fraction of pixels marked in a mask. */
export function maskFraction(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) n++;
  return mask.length === 0 ? 0 : n / mask.length;
}

/** Returns a new raster with the masked pixels (all channels) replaced. */
export function applyDamage(raster: Raster, mask: Uint8Array, rng: Rng, opts: ApplyDamageOptions = {}): Raster {
  const { width, height, channels } = raster;
  if (mask.length !== width * height) {
    throw new MendError('internal', `Damage mask has ${mask.length} entries for a ${width}x${height} image`);
  }
  const fill = opts.fill ?? 'constant';
  const data = new Float32Array(raster.data);
  if (fill === 'noise') {
    for (let px = 0, i = 0; px < mask.length; px++, i += channels) {
      if (mask[px] !== 0) for (let c = 0; c < channels; c++) data[i + c] = rng.next();
    }
  } else {
    let v: number;
    if (fill === 'black') v = 0;
    else if (fill === 'white') v = 1;
    else if (fill === 'constant') v = rng.next();
    else throw new MendError('usage', `Unknown damage fill "${fill as string}". Use constant, noise, black or white.`);
    for (let px = 0, i = 0; px < mask.length; px++, i += channels) {
      if (mask[px] !== 0) for (let c = 0; c < channels; c++) data[i + c] = v;
    }
  }
  return { width, height, channels, data };
}
