import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/math/rng.js';
import {
  applyDamage,
  DAMAGE_KINDS,
  makeDamageMask,
  maskFraction,
  type DamageKind,
} from '../../../src-main/core/corrupt/damage.js';
import { MendError } from '../../../src-main/shared/errors.js';
import { naturalImage } from '../../helpers/synthetic.js';

const EXPECTED: Record<DamageKind, [number, number]> = {
  scratches: [0.015, 0.045],
  dust: [0.008, 0.035],
  blobs: [0.07, 0.16],
};

/** 8-connected components: count and largest size. */
function components(mask: Uint8Array, width: number, height: number): { count: number; largest: number } {
  const seen = new Uint8Array(mask.length);
  const stack: number[] = [];
  let count = 0;
  let largest = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    count++;
    let size = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      size++;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const j = ny * width + nx;
          if (mask[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
    largest = Math.max(largest, size);
  }
  return { count, largest };
}

describe('makeDamageMask', () => {
  it.each(DAMAGE_KINDS)('%s: coverage in the typical range across seeds and sizes', (kind) => {
    const [lo, hi] = EXPECTED[kind];
    for (const [w, h] of [
      [64, 64],
      [256, 192],
      [300, 500],
    ] as const) {
      for (let seed = 0; seed < 8; seed++) {
        const mask = makeDamageMask(kind, w, h, new Rng(seed));
        expect(mask.length).toBe(w * h);
        expect(mask.every((v) => v === 0 || v === 1)).toBe(true);
        const f = maskFraction(mask);
        expect(f).toBeGreaterThanOrEqual(lo);
        expect(f).toBeLessThanOrEqual(hi);
      }
    }
  });

  it('is reproducible per seed', () => {
    for (const kind of DAMAGE_KINDS) {
      const a = makeDamageMask(kind, 128, 96, new Rng(11));
      const b = makeDamageMask(kind, 128, 96, new Rng(11));
      const c = makeDamageMask(kind, 128, 96, new Rng(12));
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
    }
  });

  it('has the expected shapes: many small specks, a few large blobs, long thin scratches', () => {
    const w = 256;
    const h = 256;
    const dust = components(makeDamageMask('dust', w, h, new Rng(3)), w, h);
    expect(dust.count).toBeGreaterThan(30);
    expect(dust.largest).toBeLessThan(120);
    const blobMask = makeDamageMask('blobs', w, h, new Rng(3));
    const blobs = components(blobMask, w, h);
    expect(blobs.count).toBeLessThanOrEqual(12);
    expect(blobs.largest).toBeGreaterThan(300);
    const scratchMask = makeDamageMask('scratches', w, h, new Rng(3));
    const scratches = components(scratchMask, w, h);
    expect(scratches.count).toBeLessThan(20);
    // Thin: unlike in blobs, few scratch pixels have all four neighbours damaged.
    const interior = (m: Uint8Array): number => {
      let n = 0;
      let total = 0;
      for (let y = 1; y < h - 1; y++) {
        for (let x = 1; x < w - 1; x++) {
          const i = y * w + x;
          if (!m[i]) continue;
          total++;
          if (m[i - 1] && m[i + 1] && m[i - w] && m[i + w]) n++;
        }
      }
      return n / total;
    };
    expect(interior(scratchMask)).toBeLessThan(0.5);
    expect(interior(blobMask)).toBeGreaterThan(0.8);
  });

  it('scales with amount', () => {
    for (const kind of DAMAGE_KINDS) {
      const one = maskFraction(makeDamageMask(kind, 256, 256, new Rng(5)));
      const two = maskFraction(makeDamageMask(kind, 256, 256, new Rng(5), { amount: 2 }));
      expect(two / one).toBeGreaterThan(1.7);
      expect(two / one).toBeLessThan(2.3);
      expect(maskFraction(makeDamageMask(kind, 256, 256, new Rng(5), { amount: 0 }))).toBe(0);
    }
    expect(() => makeDamageMask('dust', 10, 10, new Rng(1), { amount: -1 })).toThrow(MendError);
  });
});

describe('applyDamage', () => {
  it('replaces exactly the masked pixels and returns a new raster', () => {
    const img = naturalImage(96, 64, 3, 2);
    const before = new Float32Array(img.data);
    const mask = makeDamageMask('blobs', 96, 64, new Rng(1));
    for (const fill of ['black', 'white', 'constant', 'noise'] as const) {
      const out = applyDamage(img, mask, new Rng(2), { fill });
      expect([out.width, out.height, out.channels]).toEqual([96, 64, 3]);
      expect(out.data).not.toBe(img.data);
      const filled = new Set<number>();
      let wrong = 0;
      for (let p = 0; p < mask.length; p++) {
        for (let c = 0; c < 3; c++) {
          const v = out.data[p * 3 + c]!;
          if (!mask[p]) {
            if (v !== img.data[p * 3 + c]) wrong++;
          } else {
            filled.add(v);
            if (!(v >= 0 && v <= 1)) wrong++;
            if (fill === 'black' && v !== 0) wrong++;
            if (fill === 'white' && v !== 1) wrong++;
          }
        }
      }
      expect(wrong).toBe(0);
      if (fill === 'constant') expect(filled.size).toBe(1);
      if (fill === 'noise') expect(filled.size).toBeGreaterThan(100);
    }
    expect(Buffer.from(img.data.buffer).equals(Buffer.from(before.buffer))).toBe(true);
  });

  it('defaults to one rng-chosen gray and rejects a mask of the wrong size', () => {
    const img = naturalImage(32, 32, 1, 3);
    const mask = makeDamageMask('dust', 32, 32, new Rng(1));
    const a = applyDamage(img, mask, new Rng(4));
    const b = applyDamage(img, mask, new Rng(4));
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
    expect(() => applyDamage(img, new Uint8Array(10), new Rng(1))).toThrow(MendError);
  });
});
