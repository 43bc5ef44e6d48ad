import { describe, expect, it } from 'vitest';
import {
  boundsOf, brushAlpha, countOn, createMask, growMask, invertMask, maskFromRgba, maskToGreyRgba, maskToRgba,
  readRect, shrinkMask, stampBrush, strokeSegment, writeRect, type Mask,
} from '../../../src-renderer/lib/canvas/mask.js';

function onPixels(m: Mask): string[] {
  const out: string[] = [];
  for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]! >= 128) out.push(`${x},${y}`);
  return out;
}

function withPixel(w: number, h: number, x: number, y: number): Mask {
  const m = createMask(w, h);
  m.data[y * w + x] = 255;
  return m;
}

describe('brush', () => {
  it('a hard brush fills a disc of its radius and nothing outside', () => {
    const m = createMask(64, 64);
    const r = stampBrush(m, 32, 32, 10, 0, 'paint');
    expect(r).not.toBeNull();
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const d = Math.hypot(x + 0.5 - 32, y + 0.5 - 32);
        const v = m.data[y * 64 + x]!;
        if (d < 9.5) expect(v).toBe(255);
        if (d >= 10) expect(v).toBe(0);
      }
    }
    // area close to pi r^2
    expect(Math.abs(countOn(m) - Math.PI * 100)).toBeLessThan(20);
  });

  it('the dirty rectangle covers every changed pixel', () => {
    const m = createMask(50, 40);
    const r = stampBrush(m, 3, 38, 6, 0.5, 'paint')!;
    const b = boundsOf(m)!;
    expect(b.x).toBeGreaterThanOrEqual(r.x);
    expect(b.y).toBeGreaterThanOrEqual(r.y);
    expect(b.x + b.w).toBeLessThanOrEqual(r.x + r.w);
    expect(b.y + b.h).toBeLessThanOrEqual(r.y + r.h);
    expect(r.x + r.w).toBeLessThanOrEqual(50);
    expect(r.y + r.h).toBeLessThanOrEqual(40);
  });

  it('soft brushes fall off monotonically from 1 to 0', () => {
    let last = 2;
    for (let d = 0; d <= 10; d += 0.25) {
      const a = brushAlpha(d, 10, 0.6);
      expect(a).toBeLessThanOrEqual(last);
      last = a;
    }
    expect(brushAlpha(0, 10, 0.6)).toBe(1);
    expect(brushAlpha(10, 10, 0.6)).toBe(0);
  });

  it('painting twice does not build up; erasing removes', () => {
    const m = createMask(40, 40);
    stampBrush(m, 20, 20, 8, 0.8, 'paint');
    const once = m.data.slice();
    stampBrush(m, 20, 20, 8, 0.8, 'paint');
    expect(m.data).toEqual(once);
    stampBrush(m, 20, 20, 12, 0, 'erase');
    expect(countOn(m)).toBe(0);
    expect(boundsOf(m)).toBeNull();
  });

  it('a stroke leaves no gaps along its path', () => {
    const m = createMask(200, 50);
    stampBrush(m, 10, 25, 3, 0, 'paint');
    strokeSegment(m, 10, 25, 190, 25, 3, 0, 'paint');
    for (let x = 10; x < 190; x++) expect(m.data[25 * 200 + x]).toBe(255);
  });
});

describe('morphology', () => {
  it('grow by 1 turns one pixel into a plus-shaped cross of 5', () => {
    const g = growMask(withPixel(7, 7, 3, 3), 1);
    expect(onPixels(g).sort()).toEqual(['2,3', '3,2', '3,3', '3,4', '4,3'].sort());
  });

  it('grow by 2 gives the 13-pixel disc', () => {
    const g = growMask(withPixel(9, 9, 4, 4), 2);
    expect(countOn(g)).toBe(13);
    expect(g.data[4 * 9 + 6]).toBe(255);
    expect(g.data[5 * 9 + 5]).toBe(255); // distance sqrt(2) <= 2
    expect(g.data[6 * 9 + 6]).toBe(0); // distance sqrt(8) > 2
  });

  it('grow by 1 at a corner stays inside the image', () => {
    const g = growMask(withPixel(5, 5, 0, 0), 1);
    expect(onPixels(g).sort()).toEqual(['0,0', '0,1', '1,0'].sort());
  });

  it('shrink undoes grow on a filled square and removes a lone pixel', () => {
    const m = createMask(30, 30);
    for (let y = 10; y < 20; y++) for (let x = 10; x < 20; x++) m.data[y * 30 + x] = 255;
    const s = shrinkMask(m, 2);
    expect(boundsOf(s)).toEqual({ x: 12, y: 12, w: 6, h: 6 });
    expect(countOn(shrinkMask(withPixel(5, 5, 2, 2), 1))).toBe(0);
  });

  it('shrink treats the image border as unmasked', () => {
    const full = createMask(6, 6);
    full.data.fill(255);
    const s = shrinkMask(full, 1);
    expect(boundsOf(s)).toEqual({ x: 1, y: 1, w: 4, h: 4 });
  });

  it('grow is the dual of shrink on the inverted mask', () => {
    const m = createMask(40, 30);
    for (let i = 0; i < 60; i++) stampBrush(m, (i * 37) % 40, (i * 11) % 30, 1 + (i % 3), 0, 'paint');
    const a = growMask(m, 3);
    const b = invertMask(shrinkMask(invertMask(m), 3));
    // identical away from the border (shrink treats outside the image as the other colour)
    for (let y = 3; y < 27; y++) for (let x = 3; x < 37; x++) expect(a.data[y * 40 + x]! >= 128).toBe(b.data[y * 40 + x]! >= 128);
  });

  it('invert twice is the identity', () => {
    const m = createMask(13, 7);
    for (let i = 0; i < m.data.length; i++) m.data[i] = (i * 31) % 256;
    expect(invertMask(invertMask(m)).data).toEqual(m.data);
    expect(invertMask(m).data[1]).toBe(255 - 31);
  });
});

describe('pixel conversion', () => {
  it('rect read/write round-trips', () => {
    const m = createMask(10, 10);
    const r = { x: 2, y: 3, w: 4, h: 5 };
    const px = new Uint8Array(20).map((_, i) => i * 10);
    writeRect(m, r, px);
    expect(readRect(m, r)).toEqual(px);
    expect(m.data[3 * 10 + 2]).toBe(0);
    expect(m.data[3 * 10 + 3]).toBe(10);
  });

  it('overlay RGBA carries the mask in alpha only', () => {
    const m = withPixel(3, 2, 1, 1);
    const rgba = maskToRgba(m, { x: 0, y: 0, w: 3, h: 2 });
    expect(rgba[(1 * 3 + 1) * 4 + 3]).toBe(255);
    expect(rgba[3]).toBe(0);
  });

  it('grey PNG pixels read back to the same mask', () => {
    const m = createMask(8, 8);
    stampBrush(m, 4, 4, 3, 0.5, 'paint');
    const back = maskFromRgba(maskToGreyRgba(m), 8, 8);
    expect(back.data).toEqual(m.data);
  });
});
